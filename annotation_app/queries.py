"""Select statements that more than one table of the app starts from: the flagged responses,
and the ratings with the task item they rate."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, select
from sqlalchemy.sql.elements import ColumnElement

from .store import FLAGGED, Assignment, Rating, TaskItem, TaskRow, Unit, User


def flagged(*columns: ColumnElement[Any] | Any) -> Select[Any]:
    """`columns` of every flagged assignment, joined with its unit and its annotator."""
    return (
        select(*columns)
        .join(Unit, Unit.id == Assignment.unit_pk)
        .join(User, User.id == Assignment.user_pk)
        .where(Assignment.status == FLAGGED)
    )


def rated_items(*columns: ColumnElement[Any] | Any) -> Select[Any]:
    """`columns` of every rating, joined with its unit, the unit's task and the item rated."""
    return (
        select(*columns)
        .join(Unit, Unit.id == Rating.unit_pk)
        .join(TaskRow, TaskRow.id == Unit.task_pk)
        .join(TaskItem, and_(TaskItem.task_pk == TaskRow.id, TaskItem.item_id == Rating.item_id))
    )
