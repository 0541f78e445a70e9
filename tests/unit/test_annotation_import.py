"""`import_run`: what gets queued, gold and judge verdicts, sampling, and bad input that must
leave the store untouched."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from annotation_app import importer
from annotation_app.errors import StoreError
from annotation_app.importer import import_run
from annotation_app.store import GoldAnswer, JudgeVerdict, RunImport, Store, TaskItem, Unit
from benchmark.errors import RunDirError, UsageError
from tests.annotation_support import JUDGE, make_run, new_store, suite


def _count(store: Store, table: type) -> int:
    with store.read() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def _nothing_written(store: Store) -> None:
    for table in (RunImport, Unit, TaskItem, GoldAnswer, JudgeVerdict):
        assert _count(store, table) == 0, table.__name__


def test_import_queues_every_item_with_gold_and_judge_verdicts(tmp_path: Path) -> None:
    run = make_run(tmp_path / "run", n_tasks=2, samples=3, errors=((1, 2),))
    store = new_store(tmp_path)
    report = import_run(store, run, overlap=2)
    tasks = suite().tasks[:2]
    assert report.units_added == 5 and report.responses_with_error == 1 and report.overlap == 2
    expected_items = 3 * len(tasks[0].items) + 2 * len(tasks[1].items)
    assert report.items_queued == expected_items
    n_checks = 3 * sum(it.check is not None for it in tasks[0].items) + 2 * sum(
        it.check is not None for it in tasks[1].items
    )
    assert report.gold_answers == n_checks == _count(store, GoldAnswer)
    assert report.judge_verdicts == expected_items - n_checks == _count(store, JudgeVerdict)
    with store.read() as s:
        units = {u.unit_id: u for u in s.scalars(select(Unit))}
        judges = set(s.scalars(select(JudgeVerdict.judge)))
        programmatic = set(s.scalars(select(TaskItem.item_id).where(TaskItem.programmatic)))
    assert f"{tasks[0].id}/0/openai/test-model" in units
    assert f"{tasks[1].id}/2/openai/test-model" not in units  # the failed response
    assert all(u.system == "openai/test-model" and u.overlap == 2 for u in units.values())
    assert judges == {JUDGE}
    assert programmatic == {it.id for t in tasks for it in t.items if it.check is not None}
    transcript = json.loads(units[f"{tasks[0].id}/0/openai/test-model"].transcript)
    assert transcript[0] == {"role": "user", "content": tasks[0].prompt}


def test_reimport_is_idempotent_and_another_run_of_the_model_clashes(tmp_path: Path) -> None:
    run = make_run(tmp_path / "run")
    store = new_store(tmp_path)
    first = import_run(store, run)
    again = import_run(store, run)
    assert again.units_added == 0 and again.units_already_queued == first.units_added
    other = make_run(tmp_path / "other", run_id="a-different-run")
    before = _count(store, RunImport)
    with pytest.raises(StoreError, match="already in the store from run"):
        import_run(store, other)
    assert _count(store, RunImport) == before


def test_sample_is_seeded(tmp_path: Path) -> None:
    run = make_run(tmp_path / "run", n_tasks=2, samples=5)

    def sampled(name: str, seed: int) -> set[str]:
        store = new_store(tmp_path, name)
        report = import_run(store, run, sample=4, seed=seed)
        assert report.units_added == 4 and report.responses_not_sampled == 6
        with store.read() as s:
            return set(s.scalars(select(Unit.unit_id)))

    reference = sampled("a.sqlite", 1)
    assert sampled("b.sqlite", 1) == reference
    assert any(sampled(f"c{seed}.sqlite", seed) != reference for seed in (2, 3, 4))


def test_expert_gold_file_overrides_checks(tmp_path: Path) -> None:
    run = make_run(tmp_path / "run", n_tasks=1, samples=1)
    task = suite().tasks[0]
    item = next(it for it in task.items if it.check is None)
    gold = tmp_path / "gold.csv"
    gold.write_text(
        "unit_id,criterion,rater_id,value\n"
        f"{task.id}/0/openai/test-model,{item.id},expert,1\n"
        "some/other/unit,x,expert,0\n"
    )
    store = new_store(tmp_path)
    import_run(store, run, gold=gold)
    with store.read() as s:
        row = s.scalar(select(GoldAnswer).where(GoldAnswer.item_id == item.id))
    assert row is not None and row.verdict is True and row.source == "expert"


def test_missing_and_non_run_directories(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    with pytest.raises(RunDirError, match="run directory not found"):
        import_run(store, tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(RunDirError, match="not a run directory"):
        import_run(store, tmp_path / "empty")
    _nothing_written(store)


def test_suite_hash_mismatch_names_the_run_dir(tmp_path: Path) -> None:
    run = make_run(tmp_path / "run", suite_hash="0" * 64)
    store = new_store(tmp_path)
    with pytest.raises(RunDirError, match=f"^{tmp_path / 'run'}: the run used suite 000000000000"):
        import_run(store, run)
    _nothing_written(store)


def test_run_with_only_errors(tmp_path: Path) -> None:
    run = make_run(tmp_path / "run", n_tasks=1, samples=2, errors=((0, 0), (0, 1)))
    store = new_store(tmp_path)
    with pytest.raises(RunDirError, match="no responses without an error"):
        import_run(store, run)
    _nothing_written(store)


def test_a_response_for_a_task_the_suite_lacks(tmp_path: Path) -> None:
    """A hand-edited responses.jsonl naming a task outside the suite (the hash still matches)."""
    run = make_run(tmp_path / "run", n_tasks=1, samples=1)
    path = run / "responses.jsonl"
    task_id = suite().tasks[0].id
    path.write_text(path.read_text().replace(f'"{task_id}"', '"no_such_task"'))
    store = new_store(tmp_path)
    with pytest.raises(RunDirError, match="response for task 'no_such_task', which the suite"):
        import_run(store, run)
    _nothing_written(store)


def test_bad_overlap_and_sample(tmp_path: Path) -> None:
    run = make_run(tmp_path / "run")
    store = new_store(tmp_path)
    with pytest.raises(UsageError, match="--overlap"):
        import_run(store, run, overlap=0)
    with pytest.raises(UsageError, match="--overlap"):
        import_run(store, run, overlap=store.settings.max_overlap + 1)
    with pytest.raises(UsageError, match="--sample"):
        import_run(store, run, sample=0)
    _nothing_written(store)


def _limited(store: Store, **limits: int) -> None:
    store.settings = dataclasses.replace(store.settings, **limits)


def test_imports_that_would_exceed_the_store_write_nothing(tmp_path: Path) -> None:
    run = make_run(tmp_path / "run", n_tasks=2, samples=3)
    store = new_store(tmp_path)
    _limited(store, max_units_per_import=5)
    with pytest.raises(StoreError, match="exceed the import limit of 5"):
        import_run(store, run)
    _nothing_written(store)
    _limited(store, max_units_per_import=100, max_transcript_chars=10)
    with pytest.raises(StoreError, match="over the limit of 10"):
        import_run(store, run)
    _nothing_written(store)
    _limited(store, max_transcript_chars=10**6, max_units_total=7)
    import_run(store, run, sample=4)
    before = _count(store, Unit)
    more = make_run(tmp_path / "more", model="openai/another-model")
    with pytest.raises(StoreError, match="holding 4 would exceed its limit of 7"):
        import_run(store, more)
    assert _count(store, Unit) == before == 4


def test_a_failure_mid_write_rolls_everything_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = make_run(tmp_path / "run", n_tasks=2)
    store = new_store(tmp_path)
    real = importer._ensure_task
    calls: list[str] = []

    def second_task_fails(s: object, suite_hash: str, task: object) -> int:
        calls.append(getattr(task, "id", ""))
        if len(calls) == 2:
            raise OSError("disk full (simulated)")
        return real(s, suite_hash, task)  # type: ignore[arg-type]

    monkeypatch.setattr(importer, "_ensure_task", second_task_fails)
    with pytest.raises(OSError, match="simulated"):
        import_run(store, run)
    assert len(calls) == 2  # the import row and the first task were written, then undone
    _nothing_written(store)
