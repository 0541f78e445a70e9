"""`generate` and `judge` take their run directory as `RUN_DIR` or, like `run`, as `--out`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmark.cli import main
from tests.mock_calls import MockCalls

MINI = Path(__file__).parents[1] / "data" / "mini_suite"
COMMON = ["--suite", str(MINI), "--no-progress"]
TASKS = ["--tasks", "story"]


def _manifest(run: Path) -> dict[str, object]:
    manifest: dict[str, object] = json.loads((run / "manifest.json").read_text())
    return manifest


@pytest.mark.parametrize("how", ["positional", "--out"])
def test_the_stages_take_the_run_dir_either_way(
    mock_calls: MockCalls, tmp_path: Path, how: str
) -> None:
    run = tmp_path / "run"
    where = [str(run)] if how == "positional" else ["--out", str(run)]
    assert main(["generate", *where, "--model", "mock/good", *TASKS, *COMMON]) == 0
    assert _manifest(run)["status"] == "partial"
    assert main(["judge", *where, "--judge", "mock/good", *COMMON]) == 0
    assert _manifest(run)["status"] == "complete"
    assert [c["kind"] for c in mock_calls()] == ["model", "judge"]


def test_the_run_dir_is_given_once(
    mock_calls: MockCalls, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    with pytest.raises(SystemExit) as exit_:
        main(["generate", str(a), "--out", str(b), "--model", "mock/good", *TASKS, *COMMON])
    assert exit_.value.code == 2
    assert "argument --out: not allowed with argument RUN_DIR" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["judge", "--judge", "mock/good", *COMMON])
    assert "one of the arguments RUN_DIR --out is required" in capsys.readouterr().err
    assert mock_calls() == [] and not a.exists() and not b.exists()
