"""The revision check (unchanged_outside) and the sentence splitter it shares with
alphabetical_starts, on hand-written documents with hand-counted expectations."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from benchmark.analysis.sentences import sentences
from tests.check_helpers import make, run

# --------------------------------------------------------------------------- sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("One. Two! Three? Four", ["One.", "Two!", "Three?", "Four"]),
        ("Mr. Ode came at 3.5 p.m. today.", ["Mr. Ode came at 3.5 p.m. today."]),
        ("See e.g. the map. Then go.", ["See e.g. the map.", "Then go."]),
        ('"Really?" she asked. "Yes."', ['"Really?" she asked.', '"Yes."']),
        ("He left… She stayed.", ["He left…", "She stayed."]),
        ("Visit x.com/a.b today. Ok.", ["Visit x.com/a.b today.", "Ok."]),
        ("A heading\nThe text. More", ["A heading", "The text.", "More"]),
        ("First.\n\n* * *\n\n(Second.) Third.", ["First.", "(Second.)", "Third."]),
        ("**Bold.** Plain.", ["**Bold.**", "Plain."]),
        ("Line one\r\nLine two", ["Line one", "Line two"]),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    got = sentences(text)
    assert got == expected
    assert all(s in text for s in got)


# --------------------------------------------------------------------------- unchanged_outside

# Five sentences ("Mr. Ode" does not end one); the target is the third, so four are kept.
ORIGINAL = (
    "The bakery opens at six. Mara kneads the dough by hand. Her brother sweeps the floor. "
    "The first customer is always Mr. Ode. He buys one roll."
)
TARGET = "Her brother sweeps the floor."
EDITED = ORIGINAL.replace(TARGET, "Her brother mops the floor and hums.")


def keep(min_share: float) -> dict[str, Any]:
    return {
        "type": "unchanged_outside",
        "original": ORIGINAL,
        "target": TARGET,
        "min_share": min_share,
    }


@pytest.mark.parametrize(
    ("min_share", "text", "verdict", "evidence"),
    [
        (1.0, EDITED, True, ""),
        (1.0, ORIGINAL, True, ""),  # the edit not made: for the judged items to catch
        (1.0, "Here is the revised text:\n\n```\n" + EDITED + "\n```\nLet me know!", True, ""),
        (1.0, EDITED.replace(". ", ".\n\n").replace("Mara ", "Mara  "), True, ""),  # whitespace
        (0.75, EDITED.replace("the dough by", "dough by"), True, "Mara kneads dough by hand."),
        (0.8, EDITED.replace("the dough by", "dough by"), False, "Mara kneads dough by hand."),
        # An insertion inside a kept sentence changes it.
        (
            1.0,
            EDITED.replace("dough by", "dough slowly by"),
            False,
            "Mara kneads the dough slowly by hand.",
        ),
        (1.0, EDITED.replace("at six.", "at six!"), False, "The bakery opens at six!"),
        # A deleted sentence has no replacement to quote.
        (0.75, EDITED.replace(" He buys one roll.", ""), True, ""),
        (1.0, EDITED.replace(" He buys one roll.", ""), False, ""),
        # Only "by" survives, so what stands in the first kept sentence's place is the words
        # before it.
        (
            0.25,
            "Bread is made here daily by two siblings, for a loyal regular.",
            False,
            "Bread is made here daily",
        ),
        (0.25, "", False, ""),
    ],
)
def test_unchanged_outside(min_share: float, text: str, verdict: bool, evidence: str) -> None:
    r = run(keep(min_share), text)
    assert r.verdict is verdict
    assert r.evidence == evidence


def test_unchanged_outside_rationale() -> None:
    r = run(keep(0.8), EDITED.replace("the dough by", "dough by"))
    assert r.rationale == (
        "3 of 4 sentence(s) outside the target unchanged (75%); at least 80% required; "
        "first changed: 'Mara kneads the dough by hand.'"
    )
    r = run(keep(0.8), EDITED.replace(" He buys one roll.", ""))
    assert r.rationale.endswith("first changed: 'He buys one roll.', deleted")


def test_unchanged_outside_a_full_rewrite_quotes_what_replaced_the_first_kept_sentence() -> None:
    rewrite = "Opening time is six. By hand, Mara works the dough. Her brother mops."
    r = run(keep(0.5), rewrite)
    assert r.verdict is False
    assert r.rationale.startswith("0 of 4 sentence(s)")
    assert r.evidence and r.evidence in rewrite


def test_unchanged_outside_folds_quote_style() -> None:
    original = "Mara’s oven is old. It hums. Ode says “fine” daily."
    c = {"type": "unchanged_outside", "original": original, "target": "It hums.", "min_share": 1}
    assert run(c, 'Mara\'s oven is old. It rattles. Ode says "fine" daily.').verdict is True


def test_unchanged_outside_target_inside_a_sentence_excludes_that_sentence() -> None:
    c = {**keep(1.0), "target": "sweeps"}  # a word: its whole sentence may change
    assert run(c, EDITED).verdict is True


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"target": "not in it"}, "does not occur"),
        ({"original": "Go. Go.", "target": "Go."}, "occurs 2 times"),
        ({"target": ORIGINAL}, "nothing to keep"),
        ({"min_share": 0}, "greater than 0"),
        ({"min_share": 1.5}, "less than or equal to 1"),
    ],
)
def test_unchanged_outside_rejects(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as err:
        make(**{**keep(1.0), **fields})
    assert message in str(err.value)
