"""Checks on the response's text. So far: per-turn word caps (word_count with a `turn`)."""

from __future__ import annotations

from .check_base import CheckResult, assistant_turns, bounds, select_turns, within
from .schemas import Message, WordCountCheck
from .text_units import words


def word_count_per_turn(check: WordCountCheck, transcript: list[Message], text: str) -> CheckResult:
    """word_count with a `turn`: the named assistant turns, each within the bounds."""
    assert check.turn is not None
    turns = assistant_turns(transcript, text)
    chosen = select_turns(check.turn, len(turns))
    if isinstance(chosen, str):
        return CheckResult(None, "", f"{chosen}, so there is no turn to count words in")
    parts, ok = [], True
    for i in chosen:
        n = len(words(turns[i]))
        good = within(n, check.min, check.max)
        ok = ok and good
        parts.append(f"assistant turn {i + 1}: {n} words" + ("" if good else " ✗"))
    return CheckResult(ok, "", "; ".join(parts) + f" ({bounds(check.min, check.max)} per turn)")
