"""Store -> the ratings long format: `unit_id`, `criterion` (rubric item id), `rater_id`, `value`
(1 met, 0 not met), `rater_type` ("human"), `system` (model spec), `comment` (the rater's comment
on the item, or "") and `flags` (the reasons anyone flagged the response, "; "-joined, or "").

"unsure" verdicts are not ratings of the item and are left out (counted in the report). Judge
verdicts imported from the run come out the same way with rater_type "judge" (export --judges)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from benchmark.errors import UsageError

from .metrics import COLUMNS, FORMATS, write_ratings
from .queries import flagged
from .store import Assignment, JudgeVerdict, Rating, Store, TaskItem, TaskRow, Unit, User

VALUE = {"met": 1, "not_met": 0}


@dataclass(frozen=True)
class ExportReport:
    path: Path
    rows: int
    units: int
    raters: int
    criteria: int
    unsure_left_out: int
    judge_rows: int = 0


def rater_label(name: str, user_id: int, anonymize: bool) -> str:
    return f"rater_{user_id:03d}" if anonymize else name


def _flags(store: Store, anonymize: bool) -> dict[str, str]:
    """unit_id -> "rater: reason; ..." for every flag the response got."""
    with store.read() as s:
        rows = s.execute(
            flagged(Unit.unit_id, User.name, User.id, Assignment.flag_reason).order_by(
                Assignment.submitted_at
            )
        ).all()
    out: dict[str, list[str]] = {}
    for r in rows:
        out.setdefault(r.unit_id, []).append(
            f"{rater_label(r.name, r.id, anonymize)}: {r.flag_reason or 'flagged'}"
        )
    return {k: "; ".join(v) for k, v in out.items()}


def human_ratings(store: Store, *, anonymize: bool = False) -> tuple[pd.DataFrame, int]:
    """(long frame of met/not-met ratings, number of unsure verdicts left out)."""
    with store.read() as s:
        rows = s.execute(
            select(
                Unit.unit_id,
                Rating.item_id,
                User.name,
                User.id,
                Rating.verdict,
                Unit.system,
                Rating.comment,
            )
            .join(Unit, Unit.id == Rating.unit_pk)
            .join(User, User.id == Rating.user_pk)
            .order_by(Unit.unit_id, Rating.item_id, User.id)
        ).all()
    flags = _flags(store, anonymize)
    kept = [r for r in rows if r.verdict in VALUE]
    df = pd.DataFrame(
        [
            {
                "unit_id": r.unit_id,
                "criterion": r.item_id,
                "rater_id": rater_label(r.name, r.id, anonymize),
                "value": VALUE[r.verdict],
                "rater_type": "human",
                "system": r.system,
                "comment": r.comment or "",
                "flags": flags.get(r.unit_id, ""),
            }
            for r in kept
        ],
        columns=list(COLUMNS),
    )
    return df, len(rows) - len(kept)


def judge_ratings(store: Store) -> pd.DataFrame:
    with store.read() as s:
        rows = s.execute(
            select(
                Unit.unit_id,
                JudgeVerdict.item_id,
                JudgeVerdict.judge,
                JudgeVerdict.verdict,
                Unit.system,
            )
            .join(Unit, Unit.id == JudgeVerdict.unit_pk)
            .order_by(Unit.unit_id, JudgeVerdict.item_id, JudgeVerdict.judge)
        ).all()
    return pd.DataFrame(
        [
            {
                "unit_id": r.unit_id,
                "criterion": r.item_id,
                "rater_id": r.judge,
                "value": int(r.verdict),
                "rater_type": "judge",
                "system": r.system,
                "comment": "",
                "flags": "",
            }
            for r in rows
        ],
        columns=list(COLUMNS),
    )


def with_dimensions(store: Store, df: pd.DataFrame) -> pd.DataFrame:
    """`df` plus a `dimension` column (an item id can sit in different dimensions in different
    tasks, so the task, the first part of the unit id, decides)."""
    with store.read() as s:
        dims = {
            (task_id, item_id): dim
            for task_id, item_id, dim in s.execute(
                select(TaskRow.task_id, TaskItem.item_id, TaskItem.dimension).join(
                    TaskRow, TaskRow.id == TaskItem.task_pk
                )
            )
        }
    tasks = df["unit_id"].str.split("/", n=1).str[0]
    keys = zip(tasks, df["criterion"], strict=True)
    return df.assign(dimension=[dims.get(k, "unknown") for k in keys])


def export_ratings(
    store: Store, out: str | Path, *, anonymize: bool = False, judges: bool = False
) -> ExportReport:
    """Write the human ratings (plus, with `judges`, the imported LLM judge verdicts as
    rater_type "judge" rows: one file for `musebench calibrate --human F --judge F`)."""
    path = Path(out)
    if path.suffix.lower() not in FORMATS:
        raise UsageError(
            f"--out: unsupported extension {path.suffix or '(none)'!r} for {path} "
            f"(use {', '.join(FORMATS)})"
        )
    if not path.parent.is_dir():
        raise UsageError(f"--out: directory {path.parent} does not exist")
    df, unsure = human_ratings(store, anonymize=anonymize)
    if df.empty:
        raise UsageError(f"--db {store.label}: no ratings to export yet")
    if judges:
        df = pd.concat([df, judge_ratings(store)], ignore_index=True)
    write_ratings(df, path)
    return ExportReport(
        path=path,
        rows=len(df),
        units=df["unit_id"].nunique(),
        raters=df.loc[df["rater_type"] == "human", "rater_id"].nunique(),
        judge_rows=int((df["rater_type"] == "judge").sum()),
        criteria=df["criterion"].nunique(),
        unsure_left_out=unsure,
    )
