"""Run files concatenate with `datasets`: every JSONL column keeps one JSON type, so two runs,
one of them with an error line, load together in either order (docs/FORMATS.md)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from benchmark.engine.retry import RetryPolicy
from benchmark.engine.runner import RunConfig, Runner
from benchmark.records.rundir import RunDir
from benchmark.records.schemas import JudgmentRecord, Message, ResponseRecord, Usage
from tests.fakes import FakeAnthropic, Fault

MINI = Path(__file__).parents[1] / "data" / "mini_suite"

# The columns that may still hold null beside a value: booleans and a float without a natural
# "none" value (docs/FORMATS.md "Fixed column types").
NULLABLE = {"verdict", "grounded", "vote_agreement"}


def _json_types(record: Any) -> dict[str, str]:
    import json

    return {k: type(v).__name__ for k, v in json.loads(record.model_dump_json()).items()}


def test_an_empty_and_a_full_record_write_the_same_json_types() -> None:
    empty_r = ResponseRecord(task_id="t", sample=0, model="m", transcript=[], text="")
    full_r = ResponseRecord(
        task_id="t",
        sample=0,
        model="m",
        transcript=[Message(role="user", content="q", given=True)],
        text="a",
        usage=Usage(input_tokens=3),
        error="HTTP 500",
        stop_reason="max_tokens",
    )
    assert _json_types(empty_r) == _json_types(full_r)
    base = dict(task_id="t", sample=0, model="m", item_id="i", dimension="d", points=1)
    empty_j = JudgmentRecord(**base, verdict=None, judge="check")  # type: ignore[arg-type]
    full_j = JudgmentRecord(
        **base,  # type: ignore[arg-type]
        verdict=True,
        judge="anthropic/j",
        error="judge call failed",
        grounded=True,
        votes=[True, False, True],
        vote_agreement=2 / 3,
        usage=Usage(input_tokens=5, output_tokens=1),
    )
    e, f = _json_types(empty_j), _json_types(full_j)
    assert {k for k in e if e[k] != f[k]} == NULLABLE
    # ... and Python still sees None for "no value" after a round trip through the file format.
    for rec in (empty_r, full_r, empty_j, full_j):
        assert type(rec).model_validate_json(rec.model_dump_json()) == rec


def _config(**kw: Any) -> RunConfig:
    return RunConfig(
        model="anthropic/model-under-test",
        judge="anthropic/judge-x",
        suite_dir=MINI,
        progress=False,
        retry=RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.05),
        **kw,
    )


def test_two_runs_one_with_an_error_line_load_together(
    fake_anthropic: FakeAnthropic, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    datasets = pytest.importorskip("datasets")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")  # never the network
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    clean, failed = RunDir(tmp_path / "clean"), RunDir(tmp_path / "failed")
    Runner(_config(tasks="story"), clean.path).execute()
    fake_anthropic.inject(Fault.bad_request())  # the next run's one generation fails for good
    Runner(_config(tasks="story"), failed.path).execute()
    assert [r.error is not None for r in failed.responses()] == [True]
    assert all(r.error is None for r in clean.responses())
    for name in ("responses.jsonl", "judgments.jsonl"):
        for first, second in ((clean, failed), (failed, clean)):
            files = [str(first.path / name), str(second.path / name)]
            ds = datasets.load_dataset(
                "json", data_files=files, split="train", cache_dir=str(tmp_path / "cache")
            )
            assert ds.num_rows == sum(len(Path(f).read_text("utf-8").splitlines()) for f in files)
            assert ds.features["error"].dtype == "string"
    assert os.environ["HF_DATASETS_OFFLINE"] == "1"
