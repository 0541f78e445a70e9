"""20 annotators claiming and submitting at once against one SQLite store (WAL, BEGIN IMMEDIATE,
busy timeout): no rating lost, none duplicated, every response rated by exactly K annotators
on every item."""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from annotation_app import assignments as q
from annotation_app import auth
from annotation_app.importer import import_run
from annotation_app.store import Assignment, Rating, TaskItem, Unit, open_store
from tests.annotation_support import db_url, make_run, new_store

ANNOTATORS = 20
PER_ANNOTATOR = 50
OVERLAP = 2
PROCESSES = 2
UNITS = ANNOTATORS * PER_ANNOTATOR // OVERLAP  # 500 responses x 2 = 1000 submissions


def _server(path: str, uids: list[int], barrier: Any, results: Any) -> None:
    """One app process: a shared Store (as Streamlit's cache_resource shares it) and one thread
    per annotator, each claiming and submitting until the queue has nothing left for them."""
    store = open_store(db_url(Path(path)))

    def annotate(uid: int) -> None:
        try:
            done: list[tuple[int, int]] = []
            barrier.wait()
            while (view := q.claim_next(store, uid)) is not None:
                verdicts = {
                    it.item_id: ("met" if (uid + n) % 2 else "not_met")
                    for n, it in enumerate(view.items)
                }
                result = q.submit(store, view.assignment_id, uid, verdicts)
                done.append((view.assignment_id, result.n_items))
            results.put((uid, done))
        except BaseException as err:  # reported to the test; a worker must not die silently
            results.put(f"annotator {uid}: {type(err).__name__}: {err}")

    threads = [threading.Thread(target=annotate, args=(uid,)) for uid in uids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store.dispose()


@pytest.mark.slow
def test_twenty_annotators_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "SCRYPT_N", 2**10)  # token hashing is not under test here
    run = make_run(tmp_path / "run", n_tasks=2, samples=UNITS // 2)
    setup = new_store(tmp_path)
    import_run(setup, run, overlap=OVERLAP)
    for i in range(ANNOTATORS):
        auth.add_user(setup, f"annotator{i:02d}", "annotator")
    users = [u.id for u in auth.list_users(setup)]
    setup.dispose()

    # Two app processes (SQLite's own locking between them) of ten annotator threads each (the
    # store's in-process write lock between those), all released at once by one barrier.
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(ANNOTATORS)
    results = ctx.Queue()
    half = len(users) // PROCESSES
    procs = [
        ctx.Process(
            target=_server,
            args=(
                str(tmp_path / "annotations.sqlite"),
                users[i * half : (i + 1) * half],
                barrier,
                results,
            ),
        )
        for i in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    reports = [results.get(timeout=120) for _ in users]
    for p in procs:
        p.join(timeout=30)
    errors = [r for r in reports if isinstance(r, str)]
    assert not errors, errors[:3]
    submitted: dict[int, list[tuple[int, int]]] = dict(reports)  # type: ignore[arg-type]

    check = open_store(db_url(tmp_path / "annotations.sqlite"))
    with check.read() as s:
        units = {u.id: u.task_pk for u in s.scalars(select(Unit))}
        items_per_task = Counter(s.scalars(select(TaskItem.task_pk)))
        statuses = Counter(s.scalars(select(Assignment.status)))
        done = s.execute(
            select(Assignment.unit_pk, Assignment.user_pk).where(Assignment.status == "done")
        ).all()
        ratings = s.execute(select(Rating.unit_pk, Rating.user_pk, Rating.item_id)).all()
    check.dispose()

    expected_ratings = sum(OVERLAP * items_per_task[task] for task in units.values())
    total_submitted = sum(len(v) for v in submitted.values())
    assert len(units) == UNITS
    assert statuses == {"done": ANNOTATORS * PER_ANNOTATOR}
    assert total_submitted == ANNOTATORS * PER_ANNOTATOR
    # None lost: every submission's verdicts are rows; none duplicated: each triple once.
    assert len(ratings) == sum(n for v in submitted.values() for _, n in v) == expected_ratings
    assert len(set(ratings)) == len(ratings)
    # Exactly K annotators per response, and each rated every item of its task.
    per_unit = Counter(unit for unit, _ in done)
    assert set(per_unit.values()) == {OVERLAP} and len(per_unit) == UNITS
    per_unit_user = Counter((unit, user) for unit, user, _ in ratings)
    assert all(n == items_per_task[units[unit]] for (unit, _), n in per_unit_user.items())
    assert len({(unit, user) for unit, user in done}) == len(done)
    # Everybody worked (the queue did not starve anyone).
    assert all(len(v) > 0 for v in submitted.values())
