"""A task's programmatic items decided on one response, with the task's gate applied.

The gate (schemas.Task.gate) says what makes a response an attempt at this brief. When it is not
met, every positive programmatic item is not met, whatever its own check says; failure items
are decided as usual (a generic page can still commit a failure)."""

from __future__ import annotations

from ..records.schemas import Message, ResolvedTask, RubricItem
from . import run_check
from ._check_base import CheckResult


def gate_result(task: ResolvedTask, transcript: list[Message], text: str) -> CheckResult | None:
    """The gate's result, or None for a task without a gate."""
    return None if task.gate is None else run_check(task.gate, transcript, text)


def decide_item(
    task: ResolvedTask,
    item: RubricItem,
    transcript: list[Message],
    text: str,
    gate: CheckResult | None,
) -> CheckResult:
    """`item`'s check on the response; `gate` is gate_result() for the same response."""
    assert item.check is not None
    if item.points > 0 and gate is not None and gate.verdict is not True:
        return CheckResult(
            False, "", f"not the response this brief asks for (task gate: {gate.rationale})"
        )
    return run_check(item.check, transcript, text)
