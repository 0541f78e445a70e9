"""What every check runner shares: the result type, evidence hygiene, bounds, turn selection.

Kept apart from `benchmark.checks` so that the runner modules by kind (checks_form,
checks_text, checks_revision) can use it while `checks` imports them to register their runners."""

from __future__ import annotations

from dataclasses import dataclass

from .schemas import Message


@dataclass(frozen=True)
class CheckResult:
    verdict: bool | None
    evidence: str
    rationale: str
    applicable: bool = True  # False: out of both sums and of coverage (see WhenAbsent)


def verbatim(evidence: str, text: str) -> str:
    """Evidence must be a substring of the response; anything else is dropped, not invented."""
    return evidence if evidence and evidence in text else ""


def bounds(lo: object, hi: object) -> str:
    """ "between lo and hi", "at least lo" or "at most hi" (None: no bound on that side)."""
    if lo is not None and hi is not None:
        return f"between {lo} and {hi}"
    return f"at least {lo}" if lo is not None else f"at most {hi}"


def within(n: float, lo: float | None, hi: float | None) -> bool:
    return (lo is None or n >= lo) and (hi is None or n <= hi)


def assistant_turns(transcript: list[Message], text: str) -> list[str]:
    turns = [m.content for m in transcript if m.role == "assistant"]
    return turns if turns or not text else [text]  # a replayed response without a transcript
