"""Reading the pairwise judge's structured answer, criterion by criterion.

A criterion whose entry is missing or malformed (a winner other than A/B/tie, a margin other
than 1-3, a reason that is not a string) has no verdict and an error saying why; the runner
asks again for those criteria alone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from ..providers.base import Completion
from .records import Winner

WINNERS = ("A", "B", "tie")


@dataclass(frozen=True)
class CriterionVerdict:
    criterion: str
    winner: Winner | None
    margin: int | None
    reason: str
    error: str | None

    @property
    def malformed(self) -> bool:
        return self.error is not None


def _one(criterion: str, entry: Any) -> CriterionVerdict:
    if not isinstance(entry, dict):
        return CriterionVerdict(criterion, None, None, "", "no verdict for this criterion")
    reason = entry.get("reason")
    winner = entry.get("winner")
    margin = entry.get("margin")
    reason_text = reason if isinstance(reason, str) else ""
    if winner not in WINNERS:
        return CriterionVerdict(
            criterion, None, None, reason_text, f"winner {winner!r} not A/B/tie"
        )
    if isinstance(margin, bool) or not isinstance(margin, int) or not 1 <= margin <= 3:
        return CriterionVerdict(criterion, None, None, reason_text, f"margin {margin!r} not 1-3")
    if not isinstance(reason, str):
        return CriterionVerdict(criterion, None, None, "", "reason is not a string")
    return CriterionVerdict(criterion, cast(Winner, winner), margin, reason, None)


def parse_comparison(completion: Completion, criteria: list[str]) -> list[CriterionVerdict]:
    data = completion.structured
    if not isinstance(data, dict):
        return [
            CriterionVerdict(c, None, None, "", "answer was not a JSON object") for c in criteria
        ]
    return [_one(c, data.get(c)) for c in criteria]
