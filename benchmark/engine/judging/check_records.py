"""Judgment records for the programmatic items of a task (judge = "check")."""

from __future__ import annotations

from ...checks.task_checks import decide_item, gate_result
from ...records.schemas import CHECK, ErrorKind, JudgmentRecord, ResolvedTask, ResponseRecord
from .judge import item_record


def check_judgments(task: ResolvedTask, response: ResponseRecord) -> list[JudgmentRecord]:
    """Run every programmatic item of `task` on `response`, in the task's item order.

    A failed response (error set) is not checked: a word limit would be "met" by an empty text.
    Its items get verdict None and an error, like a judge call that could not be made."""
    records = []
    gate = None
    if response.error is None and any(it.check is not None for it in task.items):
        gate = gate_result(task, response.transcript, response.text)
    for item in task.items:
        if item.check is None:
            continue
        if response.error is not None:
            verdict, evidence, rationale, applies = None, "", "", True
            error: str | None = f"no response to check (generation failed: {response.error})"
            kind: ErrorKind | None = "no_response"
        else:
            result = decide_item(task, item, response.transcript, response.text, gate)
            verdict, evidence, rationale = result.verdict, result.evidence, result.rationale
            applies = result.applicable
            undecided = verdict is None and applies
            error = f"check could not be decided: {rationale}" if undecided else None
            kind = "check_undecided" if undecided else None
        records.append(
            item_record(
                task,
                response,
                item,
                CHECK,
                verdict=verdict,
                evidence=evidence,
                rationale=rationale,
                error=error,
                error_kind=kind,
                grounded=True if evidence else None,
                not_applicable=not applies,
            )
        )
    return records
