"""The assignment queue: overlap K, open assignments counting toward K, timeouts, resume,
blindness, randomised and recorded order, submit/skip/flag, active time and the fast warning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from annotation_app import assignments as q
from annotation_app import auth
from annotation_app.errors import AssignmentLost, PermissionDenied, QueueError
from annotation_app.importer import import_run
from annotation_app.store import Assignment, Rating, Store
from tests.annotation_support import cheap_token_hashing as cheap_token_hashing
from tests.annotation_support import make_run, new_store

pytestmark = pytest.mark.usefixtures("cheap_token_hashing")

T0 = 1_000_000.0


def _setup(
    tmp_path: Path, *, users: int, overlap: int, n_tasks: int = 1, samples: int = 1
) -> tuple[Store, list[int]]:
    store = new_store(tmp_path)
    import_run(store, make_run(tmp_path / "run", n_tasks=n_tasks, samples=samples), overlap=overlap)
    for i in range(users):
        auth.add_user(store, f"u{i}", "annotator")
    return store, [u.id for u in auth.list_users(store)]


def _rate_all(
    store: Store, view: q.AssignmentView, uid: int, verdict: str = "met", now: float | None = None
) -> q.SubmitResult:
    return q.submit(
        store, view.assignment_id, uid, {it.item_id: verdict for it in view.items}, now=now
    )


def test_each_response_goes_to_exactly_k_annotators(tmp_path: Path) -> None:
    store, uids = _setup(tmp_path, users=4, overlap=2, samples=2)
    done: dict[int, list[int]] = {}
    for uid in uids:
        while (view := q.claim_next(store, uid, now=T0)) is not None:
            _rate_all(store, view, uid, now=T0 + 60)
            done.setdefault(uid, []).append(view.assignment_id)
    with store.read() as s:
        rows = s.execute(select(Assignment.unit_pk, Assignment.user_pk, Assignment.status)).all()
    per_unit: dict[int, set[int]] = {}
    for unit_pk, user_pk, status in rows:
        assert status == "done"
        per_unit.setdefault(unit_pk, set()).add(user_pk)
    assert len(per_unit) == 2 and all(len(v) == 2 for v in per_unit.values())
    assert sorted(len(v) for v in done.values()) == [
        2,
        2,
    ]  # the first two took both; the rest got none


def test_open_assignments_count_toward_k(tmp_path: Path) -> None:
    store, (a, b, c) = _setup(tmp_path, users=3, overlap=2)
    assert q.claim_next(store, a, now=T0) is not None
    assert q.claim_next(store, b, now=T0) is not None
    assert q.claim_next(store, c, now=T0) is None  # both slots held by open assignments


def test_claim_resumes_the_open_assignment(tmp_path: Path) -> None:
    store, (a,) = _setup(tmp_path, users=1, overlap=1, samples=3)
    first = q.claim_next(store, a, now=T0)
    assert first is not None
    item = first.items[0].item_id
    q.save_draft(
        store, first.assignment_id, a, item, verdict="not_met", comment="  why  ", now=T0 + 5
    )
    again = q.claim_next(store, a, now=T0 + 10)  # e.g. the tab was closed and reopened
    assert again is not None and again.assignment_id == first.assignment_id
    assert again.verdict(item) == "not_met" and again.comment(item) == "why"
    assert [i.item_id for i in again.items] == [i.item_id for i in first.items]


def test_abandoned_assignment_is_taken_back_after_the_timeout(tmp_path: Path) -> None:
    store, (a, c) = _setup(tmp_path, users=2, overlap=1)
    timeout = store.settings.assignment_timeout_seconds
    view = q.claim_next(store, a, now=T0)
    assert view is not None
    q.save_draft(store, view.assignment_id, a, view.items[0].item_id, verdict="met", now=T0 + 1)
    assert q.claim_next(store, c, now=T0 + timeout - 1) is None
    taken = q.claim_next(store, c, now=T0 + 1 + timeout + 1)
    assert taken is not None and taken.assignment_id != view.assignment_id
    # The first annotator comes back: the slot is gone, the verdicts are kept but do not count.
    with pytest.raises(AssignmentLost, match="given to another annotator"):
        _rate_all(store, view, a, now=T0 + 2 * timeout)
    with store.read() as s:
        old = s.get(Assignment, view.assignment_id)
        assert old is not None and old.status == "expired"
        assert json.loads(old.draft)[view.items[0].item_id]["verdict"] == "met"
        assert s.scalars(select(Rating)).first() is None


def test_own_expired_assignment_comes_back_first_with_its_draft(tmp_path: Path) -> None:
    store, (a,) = _setup(tmp_path, users=1, overlap=1, samples=3)
    timeout = store.settings.assignment_timeout_seconds
    view = q.claim_next(store, a, now=T0)
    assert view is not None
    q.save_draft(store, view.assignment_id, a, view.items[1].item_id, verdict="unsure", now=T0)
    assert q.expire_stale(store, now=T0 + timeout + 1) == 1
    back = q.claim_next(store, a, now=T0 + 2 * timeout)
    assert back is not None and back.assignment_id == view.assignment_id
    assert back.verdict(view.items[1].item_id) == "unsure"
    # Time passing is not active time: only the browser's reports count.
    assert back.active_seconds == 0


def test_late_submit_is_accepted_when_the_slot_is_still_free(tmp_path: Path) -> None:
    store, (a,) = _setup(tmp_path, users=1, overlap=1)
    view = q.claim_next(store, a, now=T0)
    assert view is not None
    q.expire_stale(store, now=T0 + store.settings.assignment_timeout_seconds + 1)
    result = _rate_all(store, view, a, now=T0 + 4000)
    assert result.n_items == len(view.items)


def test_annotators_are_blind_to_the_model(tmp_path: Path) -> None:
    store, (a,) = _setup(tmp_path, users=1, overlap=1)
    view = q.claim_next(store, a, now=T0)
    assert view is not None
    assert "test-model" not in repr(view) and "openai" not in repr(view)


def test_item_order_is_randomised_per_annotator_and_recorded(tmp_path: Path) -> None:
    store, uids = _setup(tmp_path, users=6, overlap=6)
    orders = []
    for uid in uids:
        view = q.claim_next(store, uid, now=T0)
        assert view is not None
        shown = [i.item_id for i in view.items]
        with store.read() as s:
            recorded = json.loads(s.get(Assignment, view.assignment_id).item_order)  # type: ignore[union-attr]
        assert recorded == shown
        orders.append(tuple(shown))
    assert len(set(orders)) > 1 and len({frozenset(o) for o in orders}) == 1


def test_positions_record_the_order_responses_were_shown(tmp_path: Path) -> None:
    store, (a,) = _setup(tmp_path, users=1, overlap=1, n_tasks=2, samples=2)
    positions = []
    while (view := q.claim_next(store, a, now=T0)) is not None:
        positions.append(view.position)
        q.skip(store, view.assignment_id, a, now=T0)
    assert positions == [1, 2, 3, 4]


def test_submit_needs_every_item_and_is_idempotent(tmp_path: Path) -> None:
    store, (a,) = _setup(tmp_path, users=1, overlap=1)
    view = q.claim_next(store, a, now=T0)
    assert view is not None
    ids = [i.item_id for i in view.items]
    q.save_draft(store, view.assignment_id, a, ids[0], verdict="met", now=T0)
    with pytest.raises(QueueError, match="missing: #2"):
        q.submit(store, view.assignment_id, a, now=T0 + 100)
    with pytest.raises(QueueError, match="not one of"):
        q.save_draft(store, view.assignment_id, a, ids[0], verdict="maybe")
    with pytest.raises(QueueError, match="not part of"):
        q.save_draft(store, view.assignment_id, a, "no_such_item", verdict="met")
    verdicts = {i: ("unsure" if n % 3 == 2 else "not_met") for n, i in enumerate(ids[1:])}
    first = q.submit(store, view.assignment_id, a, verdicts, now=T0 + 100)
    second = q.submit(store, view.assignment_id, a, now=T0 + 101)  # a double click
    assert first == second
    with store.read() as s:
        ratings = {r.item_id: r.verdict for r in s.scalars(select(Rating))}
    assert ratings == {ids[0]: "met", **verdicts}
    with pytest.raises(QueueError, match="already done"):
        q.save_draft(store, view.assignment_id, a, ids[0], verdict="not_met")


def test_skip_and_flag_free_the_slot_for_someone_else(tmp_path: Path) -> None:
    store, (a, b, c) = _setup(tmp_path, users=3, overlap=1, samples=2)
    va = q.claim_next(store, a, now=T0)
    vb = q.claim_next(store, b, now=T0)
    assert va is not None and vb is not None
    assert q.claim_next(store, c, now=T0) is None
    q.skip(store, va.assignment_id, a, now=T0 + 3)
    q.flag(store, vb.assignment_id, b, "  transcript is empty  ", now=T0 + 3)
    got = []
    while (v := q.claim_next(store, c, now=T0 + 4)) is not None:
        got.append(v.assignment_id)
        _rate_all(store, v, c, now=T0 + 100)
    assert len(got) == 2
    assert q.claim_next(store, a, now=T0 + 5) is None  # never shown the skipped one again
    with store.read() as s:
        flagged = s.get(Assignment, vb.assignment_id)
    assert flagged is not None and flagged.status == "flagged"
    assert flagged.flag_reason == "transcript is empty"
    progress = q.progress(store, a)
    assert (progress.done, progress.skipped, progress.remaining) == (0, 1, 0)


def test_another_annotators_assignment_is_refused(tmp_path: Path) -> None:
    store, (a, b) = _setup(tmp_path, users=2, overlap=2)
    view = q.claim_next(store, a, now=T0)
    assert view is not None
    for action in (
        lambda: q.save_draft(store, view.assignment_id, b, view.items[0].item_id, verdict="met"),
        lambda: q.submit(store, view.assignment_id, b),
        lambda: q.skip(store, view.assignment_id, b),
        lambda: q.touch(store, view.assignment_id, b),
    ):
        with pytest.raises(PermissionDenied):
            action()


def test_active_time_is_the_browsers_count_bounded_by_the_clock(tmp_path: Path) -> None:
    store, (a, b) = _setup(tmp_path, users=2, overlap=2)
    view = q.claim_next(store, a, now=T0)
    assert view is not None
    aid, item = view.assignment_id, view.items[0].item_id
    assert q.touch(store, aid, a, now=T0 + 500) == 0  # a heartbeat adds no time
    q.sync(store, aid, a, {item: "met"}, active_seconds=12.5, now=T0 + 20)
    # More than the 30 s since the response was shown cannot be claimed...
    q.sync(store, aid, a, {}, active_seconds=999, now=T0 + 30)
    assert q.current(store, a).active_seconds == 30  # type: ignore[union-attr]
    # ...and a lower count (a stale tab) never takes time away.
    q.sync(store, aid, a, {}, active_seconds=5, now=T0 + 40)
    slow = _rate_all(store, view, a, now=T0 + 200)
    assert slow.active_seconds == 30 and not slow.fast
    fast_view = q.claim_next(store, b, now=T0)
    assert fast_view is not None
    fast = q.submit(
        store,
        fast_view.assignment_id,
        b,
        {it.item_id: "met" for it in fast_view.items},
        active_seconds=2,
        now=T0 + 600,  # ten minutes on the clock, two of them active: still too fast
    )
    minimum = store.settings.min_seconds_per_rubric_item * len(fast_view.items)
    assert fast.fast and fast.active_seconds == 2 and fast.min_seconds == minimum


def test_skip_and_flag_keep_the_reported_time(tmp_path: Path) -> None:
    store, (a,) = _setup(tmp_path, users=1, overlap=1, samples=2)
    first = q.claim_next(store, a, now=T0)
    assert first is not None
    q.skip(store, first.assignment_id, a, active_seconds=8, now=T0 + 10)
    second = q.claim_next(store, a, now=T0 + 10)
    assert second is not None
    q.flag(store, second.assignment_id, a, "broken", active_seconds=4, now=T0 + 20)
    with store.read() as s:
        times = sorted(x.active_seconds for x in s.scalars(select(Assignment)))
    assert times == [4, 8]
