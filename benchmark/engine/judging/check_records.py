"""Judgment records for the programmatic items of a task (judge = "check")."""

from __future__ import annotations

from collections.abc import Iterator

from ...checks import CheckResult
from ...checks.task_checks import decide_item, gate_result
from ...records.schemas import (
    CHECK,
    ErrorKind,
    JudgmentRecord,
    ResolvedTask,
    ResponseRecord,
    RubricItem,
)
from .judge import item_record


def check_results(
    task: ResolvedTask, response: ResponseRecord
) -> Iterator[tuple[RubricItem, CheckResult]]:
    """Every programmatic item of `task` decided on an answered `response` (error None), in the
    task's item order, with the task's gate applied: what check_judgments records, and what
    re-derivation compares a bundle's lines with (without building a record per item)."""
    gate = None
    if any(it.check is not None for it in task.items):
        gate = gate_result(task, response.transcript, response.text)
    for item in task.items:
        if item.check is not None:
            yield item, decide_item(task, item, response.transcript, response.text, gate)


def result_record(
    task: ResolvedTask, response: ResponseRecord, item: RubricItem, result: CheckResult
) -> JudgmentRecord:
    """The judgment line of one decided item of an answered response."""
    verdict, applies = result.verdict, result.applicable
    undecided = verdict is None and applies
    kind: ErrorKind | None = "check_undecided" if undecided else None
    return item_record(
        task,
        response,
        item,
        CHECK,
        verdict=verdict,
        evidence=result.evidence,
        rationale=result.rationale,
        error=f"check could not be decided: {result.rationale}" if undecided else None,
        error_kind=kind,
        grounded=True if result.evidence else None,
        not_applicable=not applies,
    )


def _unchecked_record(
    task: ResolvedTask, response: ResponseRecord, item: RubricItem
) -> JudgmentRecord:
    return item_record(
        task,
        response,
        item,
        CHECK,
        verdict=None,
        evidence="",
        rationale="",
        error=f"no response to check (generation failed: {response.error})",
        error_kind="no_response",
        grounded=None,
        not_applicable=False,
    )


def check_judgments(task: ResolvedTask, response: ResponseRecord) -> list[JudgmentRecord]:
    """Run every programmatic item of `task` on `response`, in the task's item order.

    A failed response (error set) is not checked: a word limit would be "met" by an empty text.
    Its items get verdict None and an error, like a judge call that could not be made."""
    if response.error is not None:
        return [_unchecked_record(task, response, it) for it in task.items if it.check is not None]
    return [result_record(task, response, it, res) for it, res in check_results(task, response)]
