"""`musebench view`: every run dir is read before anything is served; a bad one is one line
naming it and exit 2 (the serving itself is tests/browser/test_viewer_browser.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from benchmark.cli import main


def _demo_like(tmp_path: Path) -> Path:
    """A minimal valid run dir: a manifest and no lines yet."""
    run = tmp_path / "run"
    run.mkdir()
    manifest = {
        "run_id": "r1", "created_at": "2026-01-01T00:00:00Z", "musebench_version": "0.1.0",
        "suite_version": "x", "suite_hash": "h", "rubric_versions": {}, "rubric_hashes": {},
        "task_ids": ["t"], "model": "m", "generation_params": {}, "judge": None,
        "judge_params": {}, "samples": 1, "seed": 0,
    }  # fmt: skip
    (run / "manifest.json").write_text(json.dumps(manifest))
    return run


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        ("missing", "{d}: run directory not found"),
        ("no manifest", "{d}: not a run directory (no manifest.json)"),
        ("bad line", "{d}/responses.jsonl:1:sample: Input should be a valid integer"),
    ],
)
def test_a_bad_run_dir_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], breakage: str, message: str
) -> None:
    good = _demo_like(tmp_path)
    bad = tmp_path / "bad"
    if breakage == "no manifest":
        bad.mkdir()
    elif breakage == "bad line":
        shutil.copytree(good, bad)
        (bad / "responses.jsonl").write_text('{"task_id": "t", "sample": "x"}\n')
    assert main(["view", str(good), str(bad), "--port", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith(f"musebench: error: {message.format(d=bad)}"), err
