"""What every check type decides on an empty response. Positive conditions require presence,
so only conditions genuinely true of an empty text (an absence, an upper bound) are met; those
belong on negative items or beside a lower bound, which `validate` enforces for a suite. A new
check type must be added here, stating its empty-response verdict."""

from __future__ import annotations

import typing
from typing import Any

import pytest

from benchmark.checks import run_check
from benchmark.records.schemas import Check, Message
from tests.check_helpers import make

ORIGINAL = "Keep this. Change this."
EMPTY_VERDICTS: list[tuple[dict[str, Any], bool]] = [
    # Suite 1.x types: absences and upper bounds are true of an empty text.
    ({"type": "word_count", "max": 300}, True),
    ({"type": "word_count", "min": 50, "max": 300}, False),
    ({"type": "word_count", "min": 1, "turn": "each"}, False),
    ({"type": "paragraph_count", "max": 3}, True),
    ({"type": "question_count", "max": 2}, True),
    ({"type": "banned_phrases", "phrases": ["a testament to"]}, True),
    ({"type": "required_phrases", "phrases": ["Free"]}, False),
    ({"type": "html_elements", "required": ["form"]}, False),
    ({"type": "images_have_alt"}, False),
    ({"type": "inputs_have_labels"}, False),
    ({"type": "contrast"}, False),
    # Suite 2 types.
    ({"type": "characters", "present": "e"}, False),
    ({"type": "characters", "present": "a", "absent": "eiou"}, False),
    ({"type": "regex", "pattern": "x", "mode": "any"}, False),
    ({"type": "regex", "pattern": "x", "mode": "none"}, True),  # an absence: negative items
    ({"type": "regex", "pattern": "x", "mode": "all_lines"}, False),
    ({"type": "any_phrases", "phrases": ["I hear you"]}, False),
    ({"type": "dialogue_share", "min": 0.5}, False),
    ({"type": "dialogue_share", "max": 0.2}, False),  # no words, no share
    ({"type": "slop_rate", "above_per_1k": 0}, False),
    ({"type": "slop_rate", "above_per_1k": 0, "list": "ei_boilerplate"}, False),
    ({"type": "line_count", "min": 1}, False),
    ({"type": "stanza_shape", "stanzas": 1, "lines": 1}, False),
    ({"type": "syllables", "per_line": [5, 7, 5]}, False),
    ({"type": "acrostic", "word": "a"}, False),
    ({"type": "alphabetical_starts"}, False),
    ({"type": "refrain", "line": 1, "repeats_at": [2]}, False),
    ({"type": "rhyme", "scheme": "AA"}, False),
    ({"type": "rhyme", "scheme": "ABAB", "min_share": 0.01}, False),
    (
        {
            "type": "unchanged_outside",
            "original": ORIGINAL,
            "target": "Change this.",
            "min_share": 0.01,
        },
        False,
    ),
    ({"type": "crisis_resource", "country": "GB"}, False),
    ({"type": "crisis_resource", "country": "GB", "emergency": True}, False),
    # Rendered-page types: no HTML to render is not met (chromium is never started for it).
    ({"type": "rendered_contrast"}, False),
    ({"type": "target_size"}, False),
    ({"type": "no_horizontal_overflow"}, False),
    ({"type": "visible_focus"}, False),
    ({"type": "text_not_clipped"}, False),
    ({"type": "axe_rule", "rule": "color-contrast"}, False),
    ({"type": "alignment", "members": [{"label": "the cards"}], "share": ["top"]}, False),
    # The failure forms: an empty response has no page to overflow or hide focus on.
    ({"type": "no_horizontal_overflow", "met_when": "overflows"}, False),
    ({"type": "visible_focus", "met_when": "any_hidden"}, False),
    ({"type": "foreign_crisis_resource", "country": "GB"}, False),
]


@pytest.mark.parametrize(("fields", "verdict"), EMPTY_VERDICTS)
def test_empty_response(fields: dict[str, Any], verdict: bool) -> None:
    for transcript in ([Message(role="assistant", content="")], []):
        per_turn = fields["type"] == "question_count" or fields.get("turn") is not None
        if per_turn and not transcript:
            continue  # no assistant turn at all: undecided, tested with the per-turn checks
        r = run_check(make(**fields), transcript, "")
        assert r.verdict is verdict, r.rationale
        assert r.evidence == ""


def test_every_check_type_states_its_empty_verdict() -> None:
    union = typing.get_args(typing.get_args(Check)[0])
    types = {typing.get_args(cls.model_fields["type"].annotation)[0] for cls in union}
    assert types == {fields["type"] for fields, _ in EMPTY_VERDICTS}
