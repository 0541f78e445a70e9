"""The assignment queue: gives each response to K annotators. (Not named queue.py: `streamlit
run` puts this directory on sys.path, where that name would shadow the standard library.)

An assignment holds one of its unit's K slots while it is `open` or `done`; `skipped`, `flagged`
and `expired` free the slot. Claims run in one write transaction (BEGIN IMMEDIATE on SQLite, the
unit row locked on PostgreSQL) that recounts the slots, so concurrent annotators never push a
unit past K. An open assignment idle past the timeout is taken back (`expired`); its owner gets
it again first if the slot is still free, draft intact.

Serving order (`_next_units`): each annotator has an independent random order, seeded by the
store's order seed and their user id, so position and contrast effects do not line up with a
model across annotators. Within it, the next response avoids the task just shown (unless nothing
else is left), then takes the model this annotator has seen least, then avoids the model just
shown; each assignment records its position in the annotator's sequence.

Active time is counted by the annotator's browser (on screen, focused, logged in, not idle) and
reported with every sync; the store accepts it up to the wall-clock time since the response was
first shown, so no report can claim more time than has passed.

Annotators are blind: the view handed to the UI carries no model spec and no unit id."""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, Connection, Subquery, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ClauseElement

from .errors import AssignmentLost, PermissionDenied, QueueError
from .store import (
    DONE,
    EXPIRED,
    FLAGGED,
    HOLDS_SLOT,
    OPEN,
    ORDER_SEED_KEY,
    SKIPPED,
    VERDICTS,
    Assignment,
    Rating,
    Store,
    TaskItem,
    TaskRow,
    Unit,
)

CANDIDATES = 25  # units considered per claim; more than enough when a few are taken meanwhile
CLAIM_ATTEMPTS = 3  # a claim that loses a unique-constraint race (two tabs) is retried


@dataclass(frozen=True)
class ItemView:
    item_id: str
    dimension: str
    text: str
    guidance: str
    example_met: str
    example_not_met: str
    programmatic: bool
    negative: bool  # the item describes a failure: "met" means the response fails this way


@dataclass(frozen=True)
class AssignmentView:
    """What an annotator sees: the task, the transcript, the items in the order shown."""

    assignment_id: int
    position: int
    task_title: str
    category: str
    transcript: list[dict[str, str]]
    items: list[ItemView]
    draft: dict[str, dict[str, str]] = field(default_factory=dict)
    active_seconds: float = 0.0
    unit_pk: int = 0  # the response's row (its screenshots: annotation_app/screenshots.py)

    def verdict(self, item_id: str) -> str | None:
        return self.draft.get(item_id, {}).get("verdict")

    def comment(self, item_id: str) -> str:
        return self.draft.get(item_id, {}).get("comment", "")

    @property
    def missing(self) -> list[str]:
        return [it.item_id for it in self.items if self.verdict(it.item_id) is None]


@dataclass(frozen=True)
class SubmitResult:
    active_seconds: float
    min_seconds: float
    fast: bool
    n_items: int


@dataclass(frozen=True)
class Progress:
    done: int
    skipped: int
    flagged: int
    remaining: int  # responses this annotator could still be given right now

    @property
    def total(self) -> int:
        return self.done + self.remaining


def _now(now: float | None) -> float:
    return time.time() if now is None else now


def _item_order(unit_id: str, user_id: int, item_ids: list[str]) -> list[str]:
    # Seeded by (unit, user): random across annotators, reproducible, recorded in the row anyway.
    seed = int.from_bytes(hashlib.sha256(f"{unit_id}|{user_id}".encode()).digest()[:8], "big")
    order = list(item_ids)
    random.Random(seed).shuffle(order)
    return order


def _expire_stale(s: Session, now: float, timeout: float) -> int:
    result = s.execute(
        update(Assignment)
        .where(Assignment.status == OPEN, Assignment.last_seen_at < now - timeout)
        .values(status=EXPIRED)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def expire_stale(store: Store, now: float | None = None) -> int:
    """Take back open assignments idle past the timeout; returns how many."""
    with store.write() as s:
        return _expire_stale(s, _now(now), store.settings.assignment_timeout_seconds)


def _slots_held(s: Session, unit_pk: int) -> int:
    return int(
        s.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(Assignment.unit_pk == unit_pk, Assignment.status.in_(HOLDS_SLOT))
        )
        or 0
    )


def _lock_unit(s: Session, unit_pk: int, *, skip_locked: bool = False) -> Unit | None:
    """The unit, row-locked. PostgreSQL: FOR NO KEY UPDATE serialises claimers of one unit, yet
    lets ratings referencing it be inserted meanwhile. With `skip_locked` a unit another claimer
    holds is skipped (None) rather than waited for: claimers walk their own orders, and waiting
    on each other's candidates would deadlock. SQLite renders no lock clause: it already holds
    the database's write lock."""
    stmt = select(Unit).where(Unit.id == unit_pk)
    return s.scalar(stmt.with_for_update(key_share=True, skip_locked=skip_locked))


def _task_items(s: Session, task_pk: int) -> list[TaskItem]:
    return list(
        s.scalars(select(TaskItem).where(TaskItem.task_pk == task_pk).order_by(TaskItem.position))
    )


def _view(s: Session, a: Assignment, task_items: list[TaskItem] | None = None) -> AssignmentView:
    unit = s.get(Unit, a.unit_pk)
    assert unit is not None
    task = s.get(TaskRow, unit.task_pk)
    assert task is not None
    items = {it.item_id: it for it in (task_items or _task_items(s, task.id))}
    order: list[str] = json.loads(a.item_order)
    return AssignmentView(
        assignment_id=a.id,
        position=a.position,
        task_title=task.title,
        category=task.category,
        transcript=json.loads(unit.transcript),
        items=[
            ItemView(
                item_id=i,
                dimension=items[i].dimension,
                text=items[i].text,
                guidance=items[i].guidance,
                example_met=items[i].example_met,
                example_not_met=items[i].example_not_met,
                programmatic=items[i].programmatic,
                negative=items[i].points < 0,
            )
            for i in order
        ],
        draft=json.loads(a.draft),
        active_seconds=a.active_seconds,
        unit_pk=unit.id,
    )


def _slots_held_per_unit() -> Subquery:
    """Subquery (unit_pk, n): the assignments holding a slot of each unit."""
    return (
        select(Assignment.unit_pk, func.count().label("n"))
        .where(Assignment.status.in_(HOLDS_SLOT))
        .group_by(Assignment.unit_pk)
        .subquery()
    )


def _open_to(user_id: int, held: Subquery) -> tuple[ColumnElement[bool], ...]:
    """Conditions on Unit (outer-joined to `held`) for a unit this user may still be given:
    active, a slot free, and not already taken, skipped or flagged by them."""
    seen = select(Assignment.unit_pk).where(
        Assignment.user_pk == user_id, Assignment.status != EXPIRED
    )
    return (
        Unit.active.is_(True),
        func.coalesce(held.c.n, 0) < Unit.overlap,
        Unit.id.not_in(seen),
    )


def _order_keys(store: Store, user_id: int, max_pk: int) -> np.ndarray[Any, Any]:
    """This annotator's random key per unit pk. A stream's prefix does not depend on its length,
    so a unit's key stays the same as more units are imported."""
    seed = int(store.secret(ORDER_SEED_KEY)[:16], 16)
    return np.random.default_rng([seed, user_id]).random(max_pk + 1)


def _plain_rows(conn: Connection, stmt: ClauseElement) -> list[tuple[Any, ...]]:
    """The rows as plain tuples from the driver's cursor: building 200,000 Row objects costs
    more than the query. The statement's parameters are ids and status words of our own, bound
    as literals."""
    sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _next_units(s: Session, store: Store, user_id: int) -> list[tuple[int, bool]]:
    """Up to CANDIDATES (unit pk, is the user's own expired assignment), best first: the user's
    own expired work (resume), then the serving order described in the module docstring. A
    store holds one run per model, so the import stands for the model. Read as plain integer
    rows and ranked with numpy: a store may hold 200,000 open responses."""
    held = _slots_held_per_unit()
    conn = s.connection()
    rows = _plain_rows(
        conn,
        select(Unit.id, Unit.task_pk, Unit.import_pk)
        .outerjoin(held, held.c.unit_pk == Unit.id)
        .where(*_open_to(user_id, held)),
    )
    if not rows:
        return []
    shown = conn.execute(
        select(Unit.task_pk, Unit.import_pk)
        .join(Assignment, Assignment.unit_pk == Unit.id)
        .where(Assignment.user_pk == user_id)
        .order_by(Assignment.position)
    ).all()
    expired = conn.execute(
        select(Assignment.unit_pk).where(
            Assignment.user_pk == user_id, Assignment.status == EXPIRED
        )
    ).scalars()
    pk, task, run = np.array(rows, dtype=np.int64).T
    own = np.isin(pk, np.fromiter(expired, dtype=np.int64))
    last_task, last_run = shown[-1] if shown else (-1, -1)
    seen = Counter(r for _, r in shown)
    runs, code = np.unique(run, return_inverse=True)
    seen_of = np.array([seen[int(r)] for r in runs])[code]
    keys = _order_keys(store, user_id, int(pk.max()))[pk]
    # np.lexsort sorts by the last key first: own expired work, a new task, the least seen
    # model, a new model, then the annotator's random key.
    order = np.lexsort((keys, run == last_run, seen_of, task == last_task, ~own))[:CANDIDATES]
    return [(int(pk[i]), bool(own[i])) for i in order]


def _take(
    s: Session, store: Store, user_id: int, now: float, candidates: list[tuple[int, bool]]
) -> AssignmentView | None:
    """In the write transaction: the user's open assignment if another tab made one meanwhile,
    else the first candidate that still has a free slot (reopened if it is their own expired
    work, else a new assignment)."""
    current = s.scalar(
        select(Assignment).where(Assignment.user_pk == user_id, Assignment.status == OPEN)
    )
    if current is not None:
        return _view(s, current)
    for unit_pk, own_expired in candidates:
        unit = _lock_unit(s, unit_pk, skip_locked=True)
        if unit is None:  # another claimer is taking it right now
            continue
        # The candidates were read before this transaction: another claimer may have filled it.
        if _slots_held(s, unit_pk) >= unit.overlap:
            continue
        if own_expired:  # reopen it, draft intact
            mine = s.scalar(
                select(Assignment).where(
                    Assignment.unit_pk == unit_pk, Assignment.user_pk == user_id
                )
            )
            if mine is None or mine.status != EXPIRED:
                continue
            mine.status, mine.last_seen_at = OPEN, now
            s.flush()
            return _view(s, mine)
        items = _task_items(s, unit.task_pk)
        shown = s.scalar(
            select(func.count()).select_from(Assignment).where(Assignment.user_pk == user_id)
        )
        a = Assignment(
            unit_pk=unit_pk,
            user_pk=user_id,
            status=OPEN,
            position=int(shown or 0) + 1,
            item_order=json.dumps(_item_order(unit.unit_id, user_id, [i.item_id for i in items])),
            draft="{}",
            started_at=now,
            last_seen_at=now,
            active_seconds=0.0,
            fast=False,
        )
        s.add(a)
        s.flush()
        return _view(s, a, items)
    return None


def claim_next(store: Store, user_id: int, now: float | None = None) -> AssignmentView | None:
    """The user's open assignment (resume), else a new one, else None when nothing is left.

    The serving order is computed in a read transaction, so the write lock (SQLite's, for the
    whole store) is held only to recheck and take a candidate; candidates someone else took
    meanwhile send the claim round again."""
    t = _now(now)
    expire_stale(store, t)
    for attempt in range(CLAIM_ATTEMPTS):
        with store.read() as s:
            mine = s.scalar(
                select(Assignment).where(Assignment.user_pk == user_id, Assignment.status == OPEN)
            )
            if mine is not None:
                return _view(s, mine)
            candidates = _next_units(s, store, user_id)
        if not candidates:
            return None
        try:
            with store.write() as s:
                view = _take(s, store, user_id, t, candidates)
        except IntegrityError:  # two tabs of one user claimed the same response
            if attempt == CLAIM_ATTEMPTS - 1:
                raise
            continue
        if view is not None:
            return view
    return None


def current(store: Store, user_id: int) -> AssignmentView | None:
    with store.read() as s:
        a = s.scalar(
            select(Assignment).where(Assignment.user_pk == user_id, Assignment.status == OPEN)
        )
        return _view(s, a) if a is not None else None


def _own(s: Session, assignment_id: int, user_id: int) -> Assignment:
    a = s.get(Assignment, assignment_id)
    if a is None:
        raise QueueError(f"no assignment {assignment_id}")
    if a.user_pk != user_id:
        raise PermissionDenied(f"assignment {assignment_id} belongs to another annotator")
    return a


def _own_open(s: Session, store: Store, assignment_id: int, user_id: int, now: float) -> Assignment:
    """The caller's assignment, open; an expired one is reopened if its slot is still free."""
    a = _own(s, assignment_id, user_id)
    if a.status == EXPIRED:
        unit = _lock_unit(s, a.unit_pk)
        assert unit is not None
        if _slots_held(s, a.unit_pk) >= unit.overlap:
            raise AssignmentLost(
                "this response was given to another annotator after "
                f"{store.settings.assignment_timeout_minutes:g} idle minutes; your verdicts "
                "are kept as a draft but will not count. Load the next response."
            )
        a.status = OPEN
        a.last_seen_at = now
    if a.status != OPEN:
        raise QueueError(f"assignment {assignment_id} is already {a.status}")
    return a


def _accept_active(a: Assignment, reported: float | None, now: float) -> None:
    """Take the browser's count of active seconds, never below what is stored and never above
    the wall-clock time since the response was first shown."""
    if reported is not None:
        ceiling = max(0.0, now - a.started_at)
        a.active_seconds = max(a.active_seconds, min(float(reported), ceiling))


def touch(store: Store, assignment_id: int, user_id: int, now: float | None = None) -> float:
    """Heartbeat when the page shows the assignment: keeps it from being taken back after the
    idle timeout (it adds no active time). Returns the active seconds so far."""
    t = _now(now)
    with store.write() as s:
        a = _own_open(s, store, assignment_id, user_id, t)
        a.last_seen_at = max(a.last_seen_at, t)
        return a.active_seconds


Draft = dict[str, dict[str, str]]


def _merged(a: Assignment, entries: dict[str, Any]) -> Draft:
    """The draft with `entries` ({item_id: verdict | {verdict?, comment?}}) applied, checked
    against the assignment's items and the verdict vocabulary."""
    order: list[str] = json.loads(a.item_order)
    draft: Draft = json.loads(a.draft)
    for item_id, v in entries.items():
        if item_id not in order:
            raise QueueError(f"item {item_id!r} is not part of assignment {a.id}")
        entry = v if isinstance(v, dict) else {"verdict": v}
        verdict, comment = entry.get("verdict"), entry.get("comment")
        if verdict is not None and verdict not in VERDICTS:
            raise QueueError(f"verdict {verdict!r} is not one of {', '.join(VERDICTS)}")
        kept = draft.setdefault(item_id, {})
        if verdict is not None:
            kept["verdict"] = str(verdict)
        if comment is not None:
            kept["comment"] = str(comment).strip()
    return draft


def sync(
    store: Store,
    assignment_id: int,
    user_id: int,
    entries: dict[str, Any],
    *,
    active_seconds: float | None = None,
    now: float | None = None,
) -> Draft:
    """Save verdicts and comments as they are given, and the browser's active time, so nothing
    is lost if the tab closes. Also the assignment's heartbeat. Returns the stored draft."""
    t = _now(now)
    with store.write() as s:
        a = _own_open(s, store, assignment_id, user_id, t)
        draft = _merged(a, entries)
        a.draft = json.dumps(draft)
        _accept_active(a, active_seconds, t)
        a.last_seen_at = max(a.last_seen_at, t)
        return draft


def save_draft(
    store: Store,
    assignment_id: int,
    user_id: int,
    item_id: str,
    *,
    verdict: str | None = None,
    comment: str | None = None,
    now: float | None = None,
) -> Draft:
    """`sync` for one item."""
    entry = {k: v for k, v in (("verdict", verdict), ("comment", comment)) if v is not None}
    return sync(store, assignment_id, user_id, {item_id: entry}, now=now)


def _min_seconds(store: Store, n_items: int) -> float:
    return store.settings.min_seconds_per_rubric_item * n_items


def submit(
    store: Store,
    assignment_id: int,
    user_id: int,
    verdicts: dict[str, Any] | None = None,
    *,
    active_seconds: float | None = None,
    now: float | None = None,
) -> SubmitResult:
    """Save the verdicts (default: the draft) as ratings and close the assignment, in one
    transaction. Every item needs a verdict ("unsure" counts). Submitting twice is harmless."""
    t = _now(now)
    with store.write() as s:
        a = _own(s, assignment_id, user_id)
        order: list[str] = json.loads(a.item_order)
        if a.status == DONE:  # a double click: the first submit counted
            minimum = _min_seconds(store, len(order))
            return SubmitResult(a.active_seconds, minimum, a.fast, len(order))
        a = _own_open(s, store, assignment_id, user_id, t)
        draft = _merged(a, verdicts or {})
        missing = [
            i + 1 for i, item_id in enumerate(order) if not draft.get(item_id, {}).get("verdict")
        ]
        if missing:
            raise QueueError(
                "give a verdict for every item before submitting (missing: "
                + ", ".join(f"#{n}" for n in missing)
                + ")"
            )
        _accept_active(a, active_seconds, t)
        minimum = _min_seconds(store, len(order))
        a.fast = a.active_seconds < minimum
        a.status, a.submitted_at, a.draft = DONE, t, json.dumps(draft)
        s.execute(
            insert(Rating),
            [
                {
                    "assignment_pk": a.id,
                    "unit_pk": a.unit_pk,
                    "user_pk": user_id,
                    "item_id": item_id,
                    "verdict": draft[item_id]["verdict"],
                    "comment": draft[item_id].get("comment", ""),
                    "submitted_at": t,
                }
                for item_id in order
            ],
        )
        return SubmitResult(a.active_seconds, minimum, a.fast, len(order))


def _release(
    store: Store,
    assignment_id: int,
    user_id: int,
    status: str,
    reason: str | None,
    active_seconds: float | None,
    now: float | None,
) -> None:
    t = _now(now)
    with store.write() as s:
        a = _own(s, assignment_id, user_id)
        if a.status == status:
            return
        if a.status not in (OPEN, EXPIRED):
            raise QueueError(f"assignment {assignment_id} is already {a.status}")
        _accept_active(a, active_seconds, t)
        a.status, a.submitted_at, a.flag_reason = status, t, reason


def skip(
    store: Store,
    assignment_id: int,
    user_id: int,
    *,
    active_seconds: float | None = None,
    now: float | None = None,
) -> None:
    """Give the response back for someone else; this annotator will not be shown it again."""
    _release(store, assignment_id, user_id, SKIPPED, None, active_seconds, now)


def flag(
    store: Store,
    assignment_id: int,
    user_id: int,
    reason: str,
    *,
    active_seconds: float | None = None,
    now: float | None = None,
) -> None:
    """Like skip, and the response is listed for admins with the reason (broken, harmful...)."""
    reason = reason.strip() or "flagged"
    _release(store, assignment_id, user_id, FLAGGED, reason, active_seconds, now)


def progress(store: Store, user_id: int) -> Progress:
    with store.read() as s:
        rows = dict(
            s.execute(
                select(Assignment.status, func.count())
                .where(Assignment.user_pk == user_id)
                .group_by(Assignment.status)
            ).all()
        )
        held = _slots_held_per_unit()
        remaining = s.scalar(
            select(func.count())
            .select_from(Unit)
            .outerjoin(held, held.c.unit_pk == Unit.id)
            .where(*_open_to(user_id, held))
        )
        return Progress(
            done=int(rows.get(DONE, 0)),
            skipped=int(rows.get(SKIPPED, 0)),
            flagged=int(rows.get(FLAGGED, 0)),
            remaining=int(remaining or 0) + int(rows.get(OPEN, 0)),
        )
