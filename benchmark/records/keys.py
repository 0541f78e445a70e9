"""The keys of run records, defined once: a response is one (task_id, sample), a judgment one
(task_id, sample, item_id). Named tuples, so they compare equal to plain tuples."""

from __future__ import annotations

from typing import NamedTuple

from .schemas import JudgmentRecord, ResponseRecord


class ResponseKey(NamedTuple):
    task_id: str
    sample: int


class JudgmentKey(NamedTuple):
    task_id: str
    sample: int
    item_id: str


def response_key(r: ResponseRecord) -> ResponseKey:
    return ResponseKey(r.task_id, r.sample)


def judgment_key(j: JudgmentRecord) -> JudgmentKey:
    return JudgmentKey(j.task_id, j.sample, j.item_id)
