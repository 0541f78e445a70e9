"""Text checks on hand-written inputs with hand-counted expectations: per-turn word caps."""

from __future__ import annotations

from typing import Any

import pytest

from benchmark.schemas import Message
from tests.check_helpers import make, run

# --------------------------------------------------------------------------- per-turn words

T3 = "one two three"
T5 = "one two three four five"


def convo(*assistant: str) -> tuple[list[Message], str]:
    msgs = []
    for i, a in enumerate(assistant):
        msgs += [Message(role="user", content=f"user {i}"), Message(role="assistant", content=a)]
    return msgs, "\n\n".join(assistant)


@pytest.mark.parametrize(
    ("turn", "lo", "hi", "turns", "verdict"),
    [
        ("each", None, 4, [T3, T5], False),
        ("each", None, 5, [T3, T5], True),
        ("first", None, 4, [T3, T5], True),
        ("last", None, 4, [T3, T5], False),
        (1, None, 4, [T3, T5], False),
        (-2, None, 4, [T3, T5], True),
        (0, 4, None, [T3, T5], False),
        ("each", 1, None, ["", T3], False),
        (5, None, 4, [T3, T5], None),  # no such turn: undecided, like question_count
    ],
)
def test_word_count_per_turn(
    turn: Any, lo: int | None, hi: int | None, turns: list[str], verdict: bool | None
) -> None:
    transcript, text = convo(*turns)
    r = run({"type": "word_count", "min": lo, "max": hi, "turn": turn}, text, transcript)
    assert r.verdict is verdict
    assert r.evidence == ""


def test_word_count_per_turn_rationale() -> None:
    transcript, text = convo(T3, T5)
    r = run({"type": "word_count", "max": 4, "turn": "each"}, text, transcript)
    assert r.rationale == (
        "assistant turn 1: 3 words; assistant turn 2: 5 words ✗ (at most 4 per turn)"
    )


def test_word_count_without_turn_is_unchanged() -> None:
    """No `turn`: the whole response (8 words here), with today's rationale to the letter."""
    transcript, text = convo(T3, T5)
    check = make(type="word_count", max=4)
    assert check.turn is None
    assert check.model_dump(mode="json") == {"type": "word_count", "min": None, "max": 4}
    r = run(check, text, transcript)
    assert r.verdict is False
    assert r.rationale == "8 words; at most 4 required"
