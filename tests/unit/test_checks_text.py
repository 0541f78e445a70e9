"""Text checks (characters, regex, any_phrases, dialogue_share, slop_rate, per-turn word caps)
on hand-written inputs with hand-counted expectations."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from benchmark.analysis.dialogue import dialogue_count
from benchmark.analysis.regex_guard import MAX_SUBJECT
from benchmark.checks import _checks_text as checks_text
from benchmark.records.schemas import Message
from tests.check_helpers import make, run

# --------------------------------------------------------------------------- characters

LIPOGRAM_FAILURE = {"type": "characters", "present": "e"}  # negative item "Uses the letter e"
UNIVOCALIC = {"type": "characters", "present": "a", "absent": "eiou"}
PANGRAM = {"type": "characters", "present": "abcdefghijklmnopqrstuvwxyz"}


@pytest.mark.parametrize(
    ("check", "text", "verdict", "evidence"),
    [
        (LIPOGRAM_FAILURE, "", False, ""),
        (LIPOGRAM_FAILURE, "A cat sat on a mat.", False, ""),
        (LIPOGRAM_FAILURE, "A cat sat on the mat.", True, "the"),
        (LIPOGRAM_FAILURE, "Big cats; Élan vital.", True, "Élan"),  # É is an e
        (LIPOGRAM_FAILURE, "A cat, then more.", True, "then"),  # punctuation trimmed
        ({**LIPOGRAM_FAILURE, "case_sensitive": True, "present": "E"}, "the cat", False, ""),
        (
            {**LIPOGRAM_FAILURE, "case_sensitive": True, "present": "E"},
            "a cat. THE END",
            True,
            "THE",
        ),
        (UNIVOCALIC, "A cat sat; a bad man ran far.", True, "A"),
        (UNIVOCALIC, "A cat sat on a mat.", False, "on"),
        (UNIVOCALIC, "Hmm, shh.", False, ""),
        (UNIVOCALIC, "", False, ""),
        (UNIVOCALIC, "A naïf", False, "naïf"),  # ï is an i
        (PANGRAM, "The quick brown fox jumps over the lazy dog.", True, "The"),
        (PANGRAM, "The quick brown fox jumps over the lay dog.", False, ""),
        ({"type": "characters", "present": "é"}, "a cafe", False, ""),  # é matches only é
        ({"type": "characters", "present": "é"}, "a CAFÉ", True, "CAFÉ"),
    ],
)
def test_characters(check: dict[str, Any], text: str, verdict: bool, evidence: str) -> None:
    r = run(check, text)
    assert r.verdict is verdict
    assert r.evidence == evidence


def test_characters_rationale_counts_each_character() -> None:
    r = run(UNIVOCALIC, "A cat sat on a mat, so.")
    assert "'a' occurs 5x" in r.rationale
    assert "'o' occurs 2x" in r.rationale
    assert "'e' does not occur" in r.rationale
    assert r.rationale.endswith("'o' must not occur")
    r = run(PANGRAM, "The quick brown fox jumps over the lay dog.")
    assert "'z' must occur" in r.rationale


@pytest.mark.parametrize(
    "fields",
    [
        {"present": ""},
        {"present": "e e"},
        {"present": "a", "absent": "A"},  # case-insensitive: the same letter
        {"absent": "e"},  # an absence alone is true of an empty response
    ],
)
def test_characters_rejects(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        make(type="characters", **fields)


def test_characters_case_sensitive_allows_both_cases() -> None:
    c = make(type="characters", present="a", absent="A", case_sensitive=True)
    assert run(c, "a cat").verdict is True
    assert run(c, "A cat").verdict is False


# --------------------------------------------------------------------------- regex

POEM = "I remember rain\nI remember salt\n\nI remember you"


@pytest.mark.parametrize(
    ("check", "text", "verdict", "evidence"),
    [
        (
            {"pattern": r"\bnever\b", "mode": "any", "flags": ["ignorecase"]},
            "I will NEVER go",
            True,
            "NEVER",
        ),
        ({"pattern": r"\bnever\b", "mode": "any"}, "nevertheless, no", False, ""),
        ({"pattern": r"\bnever\b", "mode": "any"}, "", False, ""),
        (
            {"pattern": r"^(Love|Yours|Best),?$", "mode": "none"},
            "Dear Sam,\nSee you.\nLove,\nAnn",
            False,
            "Love,",
        ),
        (
            {"pattern": r"^(Love|Yours|Best),?$", "mode": "none"},
            "Dear Sam,\nSee you.\nAnn",
            True,
            "",
        ),
        # An absence is true of an empty response: `none` is for negative items.
        ({"pattern": r"^(Love|Yours|Best),?$", "mode": "none"}, "", True, ""),
        (
            {"pattern": r"^(Love|Yours|Best),?$", "mode": "none"},
            "See you.\r\nLove,\r\n",
            False,
            "Love,",
        ),
        ({"pattern": r"^I remember", "mode": "all_lines"}, POEM, True, ""),
        (
            {"pattern": r"^I remember", "mode": "all_lines"},
            "Here you go:\n\n" + POEM,
            False,
            "Here you go:",
        ),
        (
            {"pattern": r"^I remember", "mode": "all_lines"},
            "> I remember rain\n> I remember salt",
            True,
            "",
        ),
        (
            {"pattern": r"^I remember", "mode": "all_lines"},
            "**Memory**\n\n" + POEM,
            True,
            "",
        ),  # title
        ({"pattern": r"^I remember", "mode": "all_lines"}, "", False, ""),
        ({"pattern": r"^I remember", "mode": "all_lines"}, "\n\n* * *\n", False, ""),
        # A zero-length match quotes its line.
        ({"pattern": r"^(?!.*e)", "mode": "any"}, "the sea\nblack cat", True, "black cat"),
        ({"pattern": r"\d   # a digit", "mode": "any", "flags": ["verbose"]}, "route 9", True, "9"),
    ],
)
def test_regex(check: dict[str, Any], text: str, verdict: bool, evidence: str) -> None:
    r = run({"type": "regex", **check}, text)
    assert r.verdict is verdict
    assert r.evidence == evidence


def test_regex_counts_matching_lines() -> None:
    r = run(
        {"type": "regex", "pattern": "^I remember", "mode": "all_lines"},
        "I remember\nthen\nI remember",
    )
    assert r.rationale.startswith("2 of 3 line(s) match /^I remember/")
    assert "not line(s) 2" in r.rationale
    r = run({"type": "regex", "pattern": "cat", "mode": "any"}, "cat\ndog\ncat")
    assert r.rationale.startswith("2 line(s) match /cat/")


def test_regex_matches_long_lines_sentence_by_sentence() -> None:
    filler = "Words go on and on. " * 30  # 600 characters on one line
    r = run({"type": "regex", "pattern": "needle", "mode": "any"}, filler + "Here is the needle.")
    assert r.verdict is True and r.evidence == "needle"
    assert "cut" not in r.rationale
    one_sentence = "word " * 130 + "needle."  # a 657-character sentence: cut at MAX_SUBJECT
    r = run({"type": "regex", "pattern": "needle", "mode": "any"}, one_sentence)
    assert r.verdict is False
    assert f"cut to {MAX_SUBJECT}" in r.rationale


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        ("(", "not a valid regular expression"),
        ("(a+)+$", "nested repetition"),
        (r"(\w+\s?)*$", "nested repetition"),
        (r"(?:x(?:ab)*)+", "nested repetition"),
        ("(a|ab)*c", "alternation inside a repeated group"),
        ("(cat|dog)+", "alternation inside a repeated group"),
    ],
)
def test_regex_rejects_bad_and_exponential_patterns(pattern: str, why: str) -> None:
    with pytest.raises(ValidationError) as err:
        make(type="regex", pattern=pattern, mode="any")
    assert err.value.errors()[0]["loc"][-1] == "pattern"
    assert why in str(err.value)


@pytest.mark.parametrize(
    "pattern",
    [r"(ab)+", r"(?:ab){2}", r"^\w+ \w+$", r"[ab]+c", r"(a{2})+", r"(?:\s|,)*x", r"(cat|dog)s?"],
)
def test_regex_accepts_bounded_patterns(pattern: str) -> None:
    make(type="regex", pattern=pattern, mode="any")


def test_regex_polynomial_backtracking_is_bounded_by_the_subject_cap() -> None:
    """`.*a.*b` is allowed (no nesting) but cubic in the subject's length: on one 20,000-
    character line it would run for minutes uncapped; cut to MAX_SUBJECT it is quick."""
    seen: list[int] = []
    real_compile = checks_text.compile_guarded

    def spying_compile(pattern: str, flags: int) -> Any:
        compiled = real_compile(pattern, flags)

        class Spy:
            def search(self, subject: str) -> Any:
                seen.append(len(subject))
                return compiled.search(subject)

        return Spy()

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(checks_text, "compile_guarded", spying_compile)
        r = run({"type": "regex", "pattern": ".*a.*b", "mode": "any"}, "a" * 20_000)
    assert r.verdict is False
    assert seen and max(seen) <= MAX_SUBJECT  # the cubic pattern never sees the long line
    assert f"cut to {MAX_SUBJECT}" in r.rationale


# --------------------------------------------------------------------------- any_phrases

STOCK = {"type": "any_phrases", "phrases": ["a testament to", "tapestry of"]}


@pytest.mark.parametrize(
    ("text", "verdict", "evidence"),
    [
        ("", False, ""),
        ("She kept walking.", False, ""),
        ("A rich tapestry of sound, a testament to craft.", True, "tapestry of"),
        ("It was A Testament\nTo courage.", True, "A Testament\nTo"),
        ("contestament to nothing", False, ""),
    ],
)
def test_any_phrases(text: str, verdict: bool, evidence: str) -> None:
    r = run(STOCK, text)
    assert r.verdict is verdict
    assert r.evidence == evidence


def test_any_phrases_rejects_a_blank_phrase() -> None:
    with pytest.raises(ValidationError):
        make(type="any_phrases", phrases=["ok", "  "])


# --------------------------------------------------------------------------- dialogue


@pytest.mark.parametrize(
    ("text", "words", "dialogue"),
    [
        ("", 0, 0),
        ('"Come in," she said. "Sit."', 5, 3),
        ("“Hello there,” he said.", 4, 2),
        ("‘Come here,’ she said.", 4, 2),
        ("'Come here,' she said.", 4, 2),
        ("The dogs' bowls don't matter.", 5, 0),  # apostrophes open nothing
        ("— Where are you going?\nShe did not answer.", 8, 4),
        ("–Ven —dijo ella.", 3, 3),  # the tag on a dash-led line counts as dialogue
        ("- Where are you going?\nShe did not answer.", 8, 0),  # a list item
        ("«Ven aquí», dijo ella.", 4, 2),
        ("„Komm her“, sagte sie.", 4, 2),
        ("「来て」と彼女は言った。", 1, 1),  # no spaces: one word, which starts inside 「」
        # Speech running on over a paragraph: the open quotation ends with its paragraph.
        ('"I went to the shore.\n\n"And then I came back," she said.', 12, 10),
        ('He said "no\n\nway" twice.', 5, 1),  # a quotation never crosses a blank line
    ],
)
def test_dialogue_count(text: str, words: int, dialogue: int) -> None:
    count = dialogue_count(text)
    assert (count.words, count.dialogue) == (words, dialogue)


MOSTLY_DIALOGUE = {"type": "dialogue_share", "min": 0.5}


@pytest.mark.parametrize(
    ("check", "text", "verdict"),
    [
        (MOSTLY_DIALOGUE, '"Come in," she said. "Sit."', True),  # 3/5
        ({"type": "dialogue_share", "min": 0.7}, '"Come in," she said. "Sit."', False),
        (MOSTLY_DIALOGUE, "“Hello there,” he said.", True),  # 2/4, the bound is inclusive
        (MOSTLY_DIALOGUE, "She walked home alone.", False),
        (MOSTLY_DIALOGUE, "", False),
        ({"type": "dialogue_share", "max": 0.1}, "She walked home alone.", True),
        # No words, no share: not met whatever the bounds.
        ({"type": "dialogue_share", "max": 0.1}, "", False),
        ({"type": "dialogue_share", "max": 0.1}, "* * *", False),
    ],
)
def test_dialogue_share(check: dict[str, Any], text: str, verdict: bool) -> None:
    r = run(check, text)
    assert r.verdict is verdict
    assert r.evidence == ""


def test_dialogue_share_rationale() -> None:
    r = run(MOSTLY_DIALOGUE, '"Come in," she said. "Sit."')
    assert r.rationale.startswith("3 of 5 words (60.0%) are dialogue")
    assert "at least 50% required" in r.rationale


@pytest.mark.parametrize("fields", [{}, {"min": 0.6, "max": 0.4}, {"min": 1.5}, {"max": -0.1}])
def test_dialogue_share_rejects(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        make(type="dialogue_share", **fields)


# --------------------------------------------------------------------------- slop rate

FILLER = " word" * 97  # with a three-word phrase: 100 words


@pytest.mark.parametrize(
    ("check", "text", "verdict", "evidence"),
    [
        # elara (name, 3) + delved (delv*, 3) + tapestry (tapestr*, 3) = 9 in 5 words: 1,800/1k
        ({"above_per_1k": 1000}, "Elara delved into the tapestry.", True, "Elara"),
        ({"above_per_1k": 1800}, "Elara delved into the tapestry.", False, "Elara"),
        # "a testament to" (3) in 100 words: 30 per 1,000; the threshold is strict
        ({"above_per_1k": 30}, "a testament to" + FILLER, False, "a testament to"),
        ({"above_per_1k": 29.9}, "a testament to" + FILLER, True, "a testament to"),
        ({"above_per_1k": 0}, "She kept walking.", False, ""),
        ({"above_per_1k": 0}, "", False, ""),
        # min_weight: 9 weighted in 5 words is far over any rate, but a short form may ask
        # for more than one or two stock phrases before the rate counts
        ({"above_per_1k": 5, "min_weight": 9}, "Elara delved into the tapestry.", True, "Elara"),
        ({"above_per_1k": 5, "min_weight": 9.5}, "Elara delved into the tapestry.", False, "Elara"),
        ({"above_per_1k": 5, "min_weight": 6}, "a testament to" + FILLER, False, "a testament to"),
        # EI list: "i hear you" (2) + "your feelings are * valid" (3, the longest match at
        # "your", so "completely valid" inside it is not counted again) = 5 in 8 words: 625/1k
        (
            {"above_per_1k": 600, "list": "ei_boilerplate"},
            "I hear you. Your feelings are completely valid.",
            True,
            "I hear you",
        ),
        (
            {"above_per_1k": 625, "list": "ei_boilerplate"},
            "I hear you. Your feelings are completely valid.",
            False,
            "I hear you",
        ),
        # curly apostrophe folded: "you're not alone" (2) in 3 words: 666.7/1k
        (
            {"above_per_1k": 600, "list": "ei_boilerplate"},
            "You’re not alone.",
            True,
            "You’re not alone",
        ),
        ({"above_per_1k": 0, "list": "ei_boilerplate"}, "The vet called at noon.", False, ""),
    ],
)
def test_slop_rate(check: dict[str, Any], text: str, verdict: bool, evidence: str) -> None:
    r = run({"type": "slop_rate", **check}, text)
    assert r.verdict is verdict
    assert r.evidence == evidence


def test_slop_rate_rationale_names_the_list_version_rate_and_hits() -> None:
    r = run({"type": "slop_rate", "above_per_1k": 10}, "a testament to" + FILLER)
    assert r.rationale.startswith("slop list version 1 (slop_phrases.yaml): 1 hit(s) of total")
    assert "in 100 words = 30.0 per 1,000 words" in r.rationale
    assert "'a testament to' 1x (weight 3)" in r.rationale
    assert "0 words = 0.0 per 1,000" in run({"type": "slop_rate", "above_per_1k": 1}, "").rationale
    r = run({"type": "slop_rate", "above_per_1k": 5, "min_weight": 6}, "a testament to" + FILLER)
    assert "the item needs more than 5 and a total weight of 6" in r.rationale


def test_slop_rate_uses_the_list_diversity_reports() -> None:
    """The same file and the same counting as `musebench diversity`: its slop_per_1k is the
    check's rate."""
    from benchmark.analysis.diversity.slop import DEFAULT_SLOP_LIST, load_slop_list, slop_summary
    from benchmark.analysis.diversity.tokens import tokenise
    from benchmark.checks._checks_text import PHRASE_LISTS

    assert PHRASE_LISTS["slop"] == DEFAULT_SLOP_LIST
    text = "Maybe, just maybe, Kael would delve into a symphony of shivers down her spine."
    expected = slop_summary(load_slop_list(), [text], tokenise([text]))["slop_per_1k"]
    r = run({"type": "slop_rate", "above_per_1k": 0}, text)
    assert f"= {expected:.1f} per 1,000 words" in r.rationale


@pytest.mark.parametrize(("version", "ok"), [(1, True), (None, True), ("1", False), (True, False)])
def test_slop_list_version(tmp_path: Any, version: Any, ok: bool) -> None:
    from benchmark.analysis.diversity.slop import SlopListError, load_slop_list

    path = tmp_path / "list.yaml"
    head = "" if version is None else f"version: {json.dumps(version)}\n"
    path.write_text(head + 'phrases:\n  - {text: "a b", weight: 1}\n', encoding="utf-8")
    if ok:
        assert load_slop_list(path).version == version
    else:
        with pytest.raises(SlopListError, match="version: expected an integer"):
            load_slop_list(path)


@pytest.mark.parametrize("fields", [{"above_per_1k": -1}, {"above_per_1k": 1, "list": "other"}, {}])
def test_slop_rate_rejects(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        make(type="slop_rate", **fields)


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
