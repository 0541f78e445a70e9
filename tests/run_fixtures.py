"""Run directories for the run loader and viewer tests, made offline from `musebench demo`: the
three illustrative runs (LLM items not judged), and one of them judged again by the mock judge
with three judge samples (evidence quoted, some samples disagreeing)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class DemoRuns:
    careful: Path
    formulaic: Path
    judged: Path  # formulaic's responses, judged by mock/q0.6 with --judge-samples 3


def musebench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "benchmark", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


def make_demo_runs(root: Path) -> DemoRuns:
    demo = root / "demo"
    done = musebench("demo", "--out", str(demo))
    assert done.returncode == 0, done.stderr
    judged = root / "judged"
    done = musebench(
        "run",
        "--model", f"replay/{demo / 'illustrative-formulaic' / 'responses.jsonl'}",
        "--judge", "mock/q0.6",
        "--judge-samples", "3",
        "--out", str(judged),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return DemoRuns(demo / "illustrative-careful", demo / "illustrative-formulaic", judged)
