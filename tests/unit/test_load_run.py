"""`benchmark.load_run`: typed records of a run dir, and datasets with explicit features that
concatenate across runs (docs/FORMATS.md "Loading a run in Python")."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import benchmark
from benchmark.errors import RunDirError, UsageError
from benchmark.records.loaded_run import LoadedRun, features, load_run
from benchmark.records.schemas import JudgmentRecord, ResponseRecord
from tests.run_fixtures import DemoRuns, make_demo_runs


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> DemoRuns:
    return make_demo_runs(tmp_path_factory.mktemp("runs"))


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_the_public_api_exports_load_run() -> None:
    assert "load_run" in benchmark.__all__ and "LoadedRun" in benchmark.__all__
    assert benchmark.load_run is load_run


@pytest.mark.slow  # the `runs` fixture runs `musebench demo` and a judged run
def test_records_are_typed_and_complete(runs: DemoRuns) -> None:
    run = benchmark.load_run(runs.judged)
    assert isinstance(run, LoadedRun)
    on_disk = json.loads((runs.judged / "manifest.json").read_text())
    assert run.manifest.run_id == on_disk["run_id"] and run.manifest.judge_samples == 3
    assert len(run.responses) == len(_lines(runs.judged / "responses.jsonl"))
    assert all(isinstance(r, ResponseRecord) for r in run.responses)
    judgments = _lines(runs.judged / "judgments.jsonl")
    assert len(run.judgments) == len(judgments)
    assert all(isinstance(j, JudgmentRecord) for j in run.judgments)
    assert run.scores is not None
    assert (
        run.scores.overall.score
        == json.loads((runs.judged / "scores.json").read_text())["overall"]["score"]
    )
    # "" on disk is None in Python (docs/FORMATS.md "Fixed column types").
    assert {j.error for j in run.judgments} == {None}


@pytest.mark.slow  # the `runs` fixture runs `musebench demo` and a judged run
def test_an_unscored_run_has_no_scores(runs: DemoRuns, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(runs.careful, copy)
    (copy / "scores.json").unlink()
    assert load_run(copy).scores is None


@pytest.mark.slow  # the `runs` fixture runs `musebench demo` and a judged run
def test_a_bad_run_dir_is_one_error_naming_the_file(runs: DemoRuns, tmp_path: Path) -> None:
    with pytest.raises(RunDirError, match="not a run directory"):
        load_run(tmp_path)
    copy = tmp_path / "copy"
    shutil.copytree(runs.careful, copy)
    lines = (copy / "judgments.jsonl").read_text().splitlines(keepends=True)
    lines[1] = lines[1].replace('"points":', '"points":"many","x":')
    (copy / "judgments.jsonl").write_text("".join(lines))
    with pytest.raises(RunDirError, match=r"judgments\.jsonl:2:points"):
        load_run(copy)
    with pytest.raises(UsageError, match="dataset: 'scores'"):
        load_run(runs.careful, dataset="scores")  # type: ignore[call-overload]


@pytest.mark.parametrize(
    ("table", "model"), [("responses", ResponseRecord), ("judgments", JudgmentRecord)]
)
def test_the_features_name_every_field(table: str, model: type) -> None:
    # A field added to a record without a feature would be dropped from the dataset silently.
    assert set(features(table)) == {"run_id", *model.model_fields}  # type: ignore[arg-type]


@pytest.mark.slow  # the `runs` fixture runs `musebench demo` and a judged run
def test_runs_concatenate_even_when_the_first_has_no_verdict(
    runs: DemoRuns, tmp_path: Path
) -> None:
    datasets = pytest.importorskip("datasets")
    # A run whose every verdict is null: inferred types would make `verdict` a null column.
    blank = tmp_path / "blank"
    shutil.copytree(runs.careful, blank)
    kept = [
        line
        for line in (blank / "judgments.jsonl").read_text().splitlines(keepends=True)
        if json.loads(line)["verdict"] is None
    ]
    (blank / "judgments.jsonl").write_text("".join(kept))
    files = [str(blank / "judgments.jsonl"), str(runs.judged / "judgments.jsonl")]
    with pytest.raises(Exception, match="generating the dataset"):  # inferred: verdict null
        datasets.load_dataset("json", data_files=files, cache_dir=str(tmp_path / "cache"))
    first = load_run(blank, dataset="judgments")
    second = load_run(runs.judged, dataset="judgments")
    both = datasets.concatenate_datasets([first, second])
    assert len(both) == len(kept) + len(_lines(runs.judged / "judgments.jsonl"))
    assert both.features == features("judgments")
    ids = {load_run(blank).manifest.run_id, load_run(runs.judged).manifest.run_id}
    assert set(both["run_id"]) == ids
    row = second[0]
    disk = _lines(runs.judged / "judgments.jsonl")[0]
    assert (row["item_id"], row["verdict"], row["votes"]) == (
        disk["item_id"],
        disk["verdict"],
        disk["votes"],
    )
    responses = load_run(runs.careful, dataset="responses")
    assert responses.features == features("responses")
    assert responses[0]["transcript"][0]["role"] == "user"
