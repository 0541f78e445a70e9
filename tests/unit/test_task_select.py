"""`musebench tasks`, `--limit N`, and a replay run answering only its own file's tasks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmark.cli import main
from benchmark.engine.task_select import choose_tasks
from benchmark.records.rundir import RunDir

MINI = str(Path(__file__).parents[1] / "data" / "mini_suite")


def _replay_file(path: Path, task_ids: list[str]) -> Path:
    lines = [
        {
            "task_id": t,
            "sample": 0,
            "model": "m",
            "transcript": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}],
            "text": "a",
        }
        for t in task_ids
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    return path


def test_tasks_json_lists_ids_titles_and_item_counts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tasks", "--suite", MINI, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    # The mini suite's files by hand: story has 4 items (1 check), talk 3 (1), page 2 (1).
    assert [(t["id"], t["title"], t["items"], t["checks"]) for t in doc["tasks"]] == [
        ("story", "A short story", 4, 1),
        ("talk", "A conversation", 3, 1),
        ("page", "A page", 2, 1),
    ]


def test_tasks_filters_and_an_empty_filter_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tasks", "--suite", MINI, "--category", "visual_design", "--json"]) == 0
    assert [t["id"] for t in json.loads(capsys.readouterr().out)["tasks"]] == ["page"]
    assert main(["tasks", "--suite", MINI, "--tag", "nope"]) == 2
    assert (
        capsys.readouterr().err.strip() == "musebench: error: --tag: no task carries the tag 'nope'"
    )


def test_tasks_table_fits_80_columns(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tasks"]) == 0  # the shipped suite, printed to a non-terminal (80 columns)
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "cw_abecedarian_heist" in out  # ids are never cut


def test_limit_takes_the_first_n_in_suite_order() -> None:
    assert choose_tasks(MINI, "openai/m", None, 2) == "story,talk"
    assert choose_tasks(MINI, "openai/m", "page,story", 1) == "story"
    assert choose_tasks(MINI, "openai/m", None, None) is None  # every task


def test_replay_answers_only_its_files_tasks_unless_tasks_says_otherwise(tmp_path: Path) -> None:
    spec = "replay/" + str(_replay_file(tmp_path / "r.jsonl", ["talk", "unknown_task"]))
    assert choose_tasks(MINI, spec, None, None) == "talk"
    assert choose_tasks(MINI, spec, "story,talk", None) == "story,talk"


def test_replay_run_from_the_cli_records_its_tasks(tmp_path: Path) -> None:
    spec = "replay/" + str(_replay_file(tmp_path / "r.jsonl", ["page", "talk"]))
    out = tmp_path / "run"
    assert main(["generate", str(out), "--model", spec, "--suite", MINI, "--no-progress"]) == 0
    run = RunDir(out)
    assert run.read_manifest().task_ids == ["talk", "page"]  # suite order
    assert sorted(r.task_id for r in run.responses()) == ["page", "talk"]
    # No "no record to replay" error for a task the file never answered.
    assert not any("no record to replay" in (r.error or "") for r in run.responses())
