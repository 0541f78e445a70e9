"""What every check runner shares: the result type, evidence hygiene, bounds, turn selection.

Kept apart from `benchmark.checks` so that the runner modules by kind (checks_form,
checks_text, checks_revision) can use it while `checks` imports them to register their runners."""

from __future__ import annotations

from dataclasses import dataclass

from ..records.schemas import Message

# "each" (every assistant turn must satisfy the check), "any" (at least one must: for failure
# items such as "A reply asks three or more questions"), "first", "last", or a 0-based index
# (negative from the end).
TurnSpec = str | int


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
    """The model's assistant turns (a fixed-history task's given ones are not the model's)."""
    turns = [m.content for m in transcript if m.role == "assistant" and not m.given]
    return turns if turns or not text else [text]  # a replayed response without a transcript


def select_turns(turn: TurnSpec, n_turns: int) -> list[int] | str:
    """The 0-based indices of the assistant turns `turn` names, or why there are none."""
    if n_turns == 0:
        return "the response has no assistant turn"
    if turn in ("each", "any"):
        return list(range(n_turns))
    if turn == "first":
        return [0]
    if turn == "last":
        return [n_turns - 1]
    assert isinstance(turn, int)
    idx = turn if turn >= 0 else n_turns + turn
    if not 0 <= idx < n_turns:
        named = f"assistant turn {turn + 1}" if turn >= 0 else f"assistant turn index {turn}"
        return f"the check names {named} but the response has {n_turns} assistant turn(s)"
    return [idx]


def combine_turns(turn: TurnSpec, goods: list[bool]) -> bool:
    """The check's verdict from the chosen turns' verdicts: "any" needs one, the others all."""
    return any(goods) if turn == "any" else all(goods)


def turn_scope(turn: TurnSpec) -> str:
    return "in at least one turn" if turn == "any" else "per turn"
