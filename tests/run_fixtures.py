"""Run directories for the run loader and viewer tests, made offline from `musebench demo`: the
three illustrative runs (LLM items not judged), and one of them judged again by the mock judge
with three judge samples (evidence quoted, some samples disagreeing)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# A response that would run script and fetch from a loopback port if it were ever rendered.
LOOPBACK = "http://127.0.0.1:9"  # the discard port: nothing should ever connect


def hostile_text(url: str = LOOPBACK) -> str:
    return (
        "Dear reader. <script>document.title = 'pwned'</script> "
        f'<img src="{url}/pixel.png" onerror="document.title = \'pwned\'"> '
        f"![tracker]({url}/md.png) [click]({url}/go)"
    )


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


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def hostile_copy(src: Path, dest: Path, url: str = LOOPBACK) -> tuple[str, int]:
    """A copy of run `src` whose model name and first response are hostile, with a verdict
    quoting the script as its evidence; returns that response's (task_id, sample)."""
    shutil.copytree(src, dest)
    manifest = json.loads((dest / "manifest.json").read_text())
    name = f"![m]({url}/name.png)<b>bold</b>"
    if "spec" in manifest:  # manifest v2: the model's spec inside the run spec
        manifest["spec"]["model"]["spec"] = name
    else:
        manifest["model"] = name
    (dest / "manifest.json").write_text(json.dumps(manifest))
    responses = _lines(dest / "responses.jsonl")
    first = responses[0]
    first["text"] = hostile_text(url)
    for m in first["transcript"]:
        if m["role"] == "assistant":
            m["content"] = hostile_text(url)
    (dest / "responses.jsonl").write_text("".join(json.dumps(r) + "\n" for r in responses))
    judgments = _lines(dest / "judgments.jsonl")
    for j in judgments:
        if (j["task_id"], j["sample"]) == (first["task_id"], first["sample"]):
            j.update(
                evidence="<script>document.title = 'pwned'</script>", grounded=True, verdict=True
            )
            break
    (dest / "judgments.jsonl").write_text("".join(json.dumps(j) + "\n" for j in judgments))
    return first["task_id"], first["sample"]
