"""Tables for the admin pages (and an annotator's own ratings): queue status, throughput, gold
accuracy, disputed items, flags. Counting only; agreement statistics live in `metrics`."""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from .auth import UserInfo, require_admin, require_self_or_admin
from .queries import flagged, rated_items
from .store import (
    DONE,
    FLAGGED,
    OPEN,
    SKIPPED,
    Assignment,
    GoldAnswer,
    JudgeVerdict,
    Rating,
    Store,
    TaskItem,
    TaskRow,
    Unit,
    User,
)


@dataclass(frozen=True)
class Overview:
    units: int
    units_complete: int  # every slot done
    ratings: int
    submissions: int
    open_assignments: int
    flagged: int
    annotators: int
    judge_verdicts: int


def _n(s: Session, stmt: Select[Any]) -> int:
    return int(s.scalar(stmt) or 0)


def overview(store: Store) -> Overview:
    done = (
        select(Assignment.unit_pk, func.count().label("n"))
        .where(Assignment.status == DONE)
        .group_by(Assignment.unit_pk)
        .subquery()
    )
    by_status = select(func.count()).select_from(Assignment)
    with store.read() as s:
        return Overview(
            units=_n(s, select(func.count()).select_from(Unit)),
            units_complete=_n(
                s,
                select(func.count())
                .select_from(Unit)
                .join(done, done.c.unit_pk == Unit.id)
                .where(done.c.n >= Unit.overlap),
            ),
            ratings=_n(s, select(func.count()).select_from(Rating)),
            submissions=_n(s, by_status.where(Assignment.status == DONE)),
            open_assignments=_n(s, by_status.where(Assignment.status == OPEN)),
            flagged=_n(s, by_status.where(Assignment.status == FLAGGED)),
            annotators=_n(
                s, select(func.count()).select_from(User).where(User.role == "annotator")
            ),
            judge_verdicts=_n(s, select(func.count()).select_from(JudgeVerdict)),
        )


def throughput(store: Store) -> pd.DataFrame:
    """Per user: responses done / skipped / flagged, active time, rate, fast submissions."""
    with store.read() as s:
        users = list(s.scalars(select(User).order_by(User.id)))
        rows = s.execute(
            select(
                Assignment.user_pk, Assignment.status, Assignment.active_seconds, Assignment.fast
            )
        ).all()
    out = []
    for u in users:
        mine = [r for r in rows if r.user_pk == u.id]
        done = [r for r in mine if r.status == DONE]
        secs = [r.active_seconds for r in done]
        hours = sum(secs) / 3600.0
        out.append(
            {
                "annotator": u.name,
                "role": u.role,
                "done": len(done),
                "skipped": sum(r.status == SKIPPED for r in mine),
                "flagged": sum(r.status == FLAGGED for r in mine),
                "open": sum(r.status == OPEN for r in mine),
                "active_hours": round(hours, 3),
                "per_hour": round(len(done) / hours, 1) if hours > 0 else None,
                "median_seconds": round(statistics.median(secs), 1) if secs else None,
                "fast_submissions": sum(bool(r.fast) for r in done),
            }
        )
    return pd.DataFrame(out)


def gold_accuracy(store: Store) -> pd.DataFrame:
    """Per user: met/not-met verdicts on items with a known answer, and the share correct."""
    with store.read() as s:
        rows = s.execute(
            select(User.name, Rating.verdict, GoldAnswer.verdict.label("gold"), GoldAnswer.source)
            .join(User, User.id == Rating.user_pk)
            .join(
                GoldAnswer,
                and_(GoldAnswer.unit_pk == Rating.unit_pk, GoldAnswer.item_id == Rating.item_id),
            )
        ).all()
    per: dict[str, dict[str, int]] = {}
    for r in rows:
        d = per.setdefault(r.name, {"gold_rated": 0, "correct": 0, "unsure": 0})
        if r.verdict == "unsure":
            d["unsure"] += 1
            continue
        d["gold_rated"] += 1
        d["correct"] += int((r.verdict == "met") == bool(r.gold))
    return pd.DataFrame(
        [
            {
                "annotator": name,
                **d,
                "accuracy": round(d["correct"] / d["gold_rated"], 3) if d["gold_rated"] else None,
            }
            for name, d in sorted(per.items())
        ],
        columns=["annotator", "gold_rated", "correct", "unsure", "accuracy"],
    )


def disputed(store: Store, limit: int = 25) -> pd.DataFrame:
    """(response, item) pairs rated at least twice, most disputed first: dispute is the share of
    verdicts outside the majority ("unsure" never counts as the majority)."""
    # One row per (response, item, verdict) with how many raters gave that verdict.
    keys = (
        Unit.unit_id,
        Unit.system,
        TaskRow.task_id,
        Rating.item_id,
        TaskItem.text,
        Rating.verdict,
    )
    with store.read() as s:
        rows = s.execute(rated_items(*keys, func.count().label("n")).group_by(*keys)).all()
    info: dict[tuple[str, str], dict[str, str]] = {}
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for r in rows:
        key = (r.unit_id, r.item_id)
        info[key] = {
            "unit_id": r.unit_id,
            "system": r.system,
            "task": r.task_id,
            "item": r.item_id,
            "text": r.text,
        }
        counts.setdefault(key, {"met": 0, "not_met": 0, "unsure": 0})[r.verdict] = int(r.n)
    out = []
    for key, c in counts.items():
        n = sum(c.values())
        if n < 2:
            continue
        dispute = round(1 - max(c["met"], c["not_met"]) / n, 3)
        out.append({**info[key], **c, "ratings": n, "dispute": dispute})
    df = pd.DataFrame(
        out,
        columns=[
            "unit_id",
            "system",
            "task",
            "item",
            "text",
            "met",
            "not_met",
            "unsure",
            "ratings",
            "dispute",
        ],
    )
    df = df[df["dispute"] > 0] if not df.empty else df
    return (
        df.sort_values(["dispute", "ratings"], ascending=False).head(limit).reset_index(drop=True)
    )


def flags(store: Store) -> pd.DataFrame:
    with store.read() as s:
        rows = s.execute(
            flagged(
                Unit.unit_id, User.name, Assignment.flag_reason, Assignment.submitted_at
            ).order_by(Assignment.submitted_at.desc())
        ).all()
    return pd.DataFrame(
        [
            {
                "unit_id": r.unit_id,
                "annotator": r.name,
                "reason": r.flag_reason,
                "when": pd.Timestamp(r.submitted_at, unit="s"),
            }
            for r in rows
        ],
        columns=["unit_id", "annotator", "reason", "when"],
    )


def user_ratings(store: Store, requester: UserInfo, rater_name: str) -> pd.DataFrame:
    """A rater's submitted verdicts, in the order they were shown. Annotators may ask only for
    their own (PermissionDenied otherwise); the model identity is never included."""
    require_self_or_admin(requester, rater_name)
    with store.read() as s:
        rows = s.execute(
            rated_items(
                Assignment.position,
                Assignment.item_order,
                TaskRow.title,
                Rating.item_id,
                TaskItem.text,
                Rating.verdict,
                Rating.comment,
                Rating.submitted_at,
            )
            .join(Assignment, Assignment.id == Rating.assignment_pk)
            .join(User, User.id == Rating.user_pk)
            .where(User.name == rater_name)
        ).all()
    out = [
        {
            "response": r.position,
            "task": r.title,
            "item": json.loads(r.item_order).index(r.item_id) + 1,
            "rubric item": r.text,
            "verdict": r.verdict,
            "comment": r.comment,
            "submitted": pd.Timestamp(r.submitted_at, unit="s"),
        }
        for r in rows
    ]
    df = pd.DataFrame(
        out, columns=["response", "task", "item", "rubric item", "verdict", "comment", "submitted"]
    )
    return df.sort_values(["response", "item"]).reset_index(drop=True)


def admin_only(user: UserInfo | None) -> UserInfo:
    """Guard for every admin table the UI shows."""
    return require_admin(user, "this page")


def criterion_texts(store: Store) -> dict[str, str]:
    """Rubric item id -> its text, for tables that would otherwise show ids. An id used by
    several tasks with different wordings gets the most common one."""
    with store.read() as s:
        rows = s.execute(select(TaskItem.item_id, TaskItem.text)).all()
    counts: dict[str, dict[str, int]] = {}
    for item_id, text in rows:
        by_text = counts.setdefault(item_id, {})
        by_text[text] = by_text.get(text, 0) + 1
    return {k: max(v, key=lambda t: (v[t], t)) for k, v in counts.items()}


def comments(store: Store) -> pd.DataFrame:
    """Every comment annotators wrote, submitted or still in a draft, newest first."""
    with store.read() as s:
        rows = s.execute(
            select(
                Assignment.draft,
                Assignment.status,
                Assignment.last_seen_at,
                Unit.unit_id,
                TaskRow.id.label("task_pk"),
                User.name,
            )
            .join(Unit, Unit.id == Assignment.unit_pk)
            .join(TaskRow, TaskRow.id == Unit.task_pk)
            .join(User, User.id == Assignment.user_pk)
        ).all()
        texts = {
            (t, i): x
            for t, i, x in s.execute(select(TaskItem.task_pk, TaskItem.item_id, TaskItem.text))
        }
    out = [
        {
            "unit_id": r.unit_id,
            "annotator": r.name,
            "item": texts.get((r.task_pk, item_id), item_id),
            "verdict": entry.get("verdict", "—"),
            "comment": entry["comment"],
            "status": r.status,
            "when": pd.Timestamp(r.last_seen_at, unit="s", tz="UTC"),
        }
        for r in rows
        for item_id, entry in json.loads(r.draft).items()
        if entry.get("comment")
    ]
    df = pd.DataFrame(
        out, columns=["unit_id", "annotator", "item", "verdict", "comment", "status", "when"]
    )
    return df.sort_values("when", ascending=False).reset_index(drop=True)


def _verdict_word(value: bool | None) -> str:
    return "—" if value is None else ("met" if value else "not met")


@dataclass(frozen=True)
class UnitDetail:
    """One response with everything the store knows about it, for admins."""

    unit_id: str
    system: str
    task_title: str
    category: str
    transcript: list[dict[str, str]]
    items: pd.DataFrame  # item text, dimension, points, per-rater verdicts/comments, judge, gold
    flags: pd.DataFrame
    unit_pk: int = 0  # the response's row (its screenshots: annotation_app/screenshots.py)


def unit_detail(store: Store, requester: UserInfo, unit_id: str) -> UnitDetail | None:
    """The response `unit_id` (admins only), or None when the store has no such unit."""
    require_admin(requester, "a response's ratings")
    with store.read() as s:
        unit = s.scalar(select(Unit).where(Unit.unit_id == unit_id))
        if unit is None:
            return None
        task = s.get(TaskRow, unit.task_pk)
        assert task is not None
        items = list(
            s.scalars(
                select(TaskItem).where(TaskItem.task_pk == task.id).order_by(TaskItem.position)
            )
        )
        ratings = s.execute(
            select(Rating.item_id, User.name, Rating.verdict, Rating.comment)
            .join(User, User.id == Rating.user_pk)
            .where(Rating.unit_pk == unit.id)
        ).all()
        judge = s.execute(
            select(JudgeVerdict.item_id, JudgeVerdict.judge, JudgeVerdict.verdict).where(
                JudgeVerdict.unit_pk == unit.id
            )
        ).all()
        gold = dict(
            s.execute(
                select(GoldAnswer.item_id, GoldAnswer.verdict).where(GoldAnswer.unit_pk == unit.id)
            ).all()
        )
        flagged = s.execute(
            select(User.name, Assignment.flag_reason, Assignment.submitted_at)
            .join(User, User.id == Assignment.user_pk)
            .where(Assignment.unit_pk == unit.id, Assignment.status == FLAGGED)
        ).all()
    raters = sorted({r.name for r in ratings})
    rows = []
    for it in items:
        row: dict[str, Any] = {
            "item": it.text,
            "dimension": it.dimension,
            "points": it.points,
            "gold": _verdict_word(gold.get(it.item_id)),
        }
        for name in raters:
            mine = [r for r in ratings if r.item_id == it.item_id and r.name == name]
            row[name] = (
                mine[0].verdict + (f": {mine[0].comment}" if mine[0].comment else "")
                if mine
                else "—"
            )
        for j in sorted({j.judge for j in judge}):
            v = [x.verdict for x in judge if x.item_id == it.item_id and x.judge == j]
            row[f"judge {j}"] = _verdict_word(v[0] if v else None)
        rows.append(row)
    return UnitDetail(
        unit_id=unit.unit_id,
        unit_pk=unit.id,
        system=unit.system,
        task_title=task.title,
        category=task.category,
        transcript=json.loads(unit.transcript),
        items=pd.DataFrame(rows),
        flags=pd.DataFrame(
            [
                {
                    "annotator": f.name,
                    "reason": f.flag_reason,
                    "when": pd.Timestamp(f.submitted_at, unit="s", tz="UTC"),
                }
                for f in flagged
            ],
            columns=["annotator", "reason", "when"],
        ),
    )
