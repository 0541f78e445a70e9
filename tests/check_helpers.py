"""Running a check the way the tests of the check modules do: from its YAML-shaped dict, with
the invariants every result must keep asserted on the way."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from benchmark.checks import CheckResult, run_check
from benchmark.records.schemas import Check, Message

CHECK = TypeAdapter(Check)


def make(**fields: Any) -> Any:
    """A check model from its fields, validated as a task file's `check:` would be."""
    return CHECK.validate_python(fields)


def run(check: Any, text: str, transcript: list[Message] | None = None) -> CheckResult:
    if isinstance(check, dict):
        check = make(**check)
    result = run_check(check, transcript or [Message(role="assistant", content=text)], text)
    # Evidence is always a verbatim substring of the response, or empty; a rationale always says
    # what was counted.
    assert result.evidence == "" or result.evidence in text
    assert result.rationale
    return result
