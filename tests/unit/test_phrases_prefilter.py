"""phrase_hits skips a phrase's regex when a literal run of it is not in the lowercased text;
these tests hold it to the plain search (every phrase's regex run) on adversarial texts."""

from __future__ import annotations

import random
import re
import sys

from benchmark.analysis.phrases import (
    ASCII_CASE_TWINS,
    literal_runs,
    missing_phrases,
    phrase_hits,
    phrase_pattern,
)


def plain_hits(phrases: list[str], text: str) -> list[tuple[int, str, str, int]]:
    found = []
    for phrase in phrases:
        hits = list(phrase_pattern(phrase).finditer(text))
        if hits:
            found.append((hits[0].start(), phrase, hits[0].group(), len(hits)))
    return sorted(found)


def test_case_twins_are_every_non_ascii_character_ignorecase_matches_to_ascii() -> None:
    ascii_class = re.compile("[" + re.escape("".join(map(chr, range(128)))) + "]", re.I)
    twins = {chr(c) for c in range(128, sys.maxunicode + 1) if ascii_class.fullmatch(chr(c))}
    assert twins == ASCII_CASE_TWINS
    # ... and literals (not only a class) match them so: "k" finds the Kelvin sign.
    assert re.search("k", "\u212a", re.I) and re.search("s", "\u017f", re.I)


def test_literal_runs() -> None:
    assert literal_runs("  Don't  STOP ") == ("don", "t", "stop")
    assert literal_runs('a "quoted" word') == ("a", "quoted", "word")
    assert literal_runs("café") is None  # not ASCII: always searched
    assert literal_runs("'") == ()


PHRASES = [
    "tapestry",
    "delve into",
    "don't stop",
    "It's worth noting",
    '"quoted words"',
    "k-pop",
    "skill",
    "a",
    "...",
    "café au lait",
    "  spaced   out ",
    "I",
]
PIECES = [
    "Tapestry",
    "TAPESTRY",
    "tape stry",
    "delve\n\tinto",
    "Delve  Into",
    "don’t stop",
    "DON'T STOP",
    "it‘s worth noting",
    "“quoted words”",
    '"Quoted Words"',
    "K-POP",
    "\u212a-pop",
    "\u017fkill",
    "SKILL",
    "İ",
    "ı",
    "i",
    "I",
    "a",
    "A",
    "...",
    "café au lait",
    "CAFÉ AU LAIT",
    "spaced out",
    "SPACED\u00a0OUT",
    "—",
    "é",
    " ",
    "\n",
    "x",
    "_",
    "-",
]


def test_prefiltered_hits_equal_the_plain_search() -> None:
    rng = random.Random(15)
    for _ in range(4000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 14)))
        assert phrase_hits(PHRASES, text) == plain_hits(PHRASES, text), text


def test_prefiltered_missing_phrases_equal_the_plain_search() -> None:
    rng = random.Random(16)
    for _ in range(4000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 14)))
        plain = [p for p in PHRASES if not phrase_pattern(p).search(text)]
        assert missing_phrases(PHRASES, text) == plain, text


def reference_pattern(phrase: str) -> re.Pattern[str]:
    """phrase_pattern as first written (musebench main 7569bd7): the look-behind in front."""
    out = ""
    for ch in phrase.strip():
        if ch.isspace():
            if not out.endswith(r"\s+"):
                out += r"\s+"
        elif ch in "'‘’":
            out += "['‘’]"
        elif ch in '"“”':
            out += '["“”]'
        else:
            out += re.escape(ch)
    stripped = phrase.strip()
    if stripped[:1].isalnum() or stripped[:1] == "_":
        out = r"(?<!\w)" + out
    if stripped[-1:].isalnum() or stripped[-1:] == "_":
        out += r"(?!\w)"
    return re.compile(out, re.IGNORECASE)


def test_phrase_pattern_matches_as_the_reference_pattern() -> None:
    rng = random.Random(17)
    phrases = [*PHRASES, "_x", "é", "a b", "1", "x_"]
    assert phrase_pattern("a b").pattern == r"a(?<!\w[\s\S])\s+b(?!\w)"
    for _ in range(4000):
        text = "".join(
            rng.choice([*PIECES, "_", "1", "é", "_x"]) for _ in range(rng.randint(0, 14))
        )
        for p in phrases:
            got = [m.span() for m in phrase_pattern(p).finditer(text)]
            assert got == [m.span() for m in reference_pattern(p).finditer(text)], (p, text)


def test_phrase_pattern_matches_as_the_reference_pattern_on_the_demo_corpus() -> None:
    from benchmark.engine.demo import demo_models
    from benchmark.suite import load_suite

    phrases = sorted(
        {
            p
            for t in load_suite().tasks
            for it in t.items
            if it.check is not None
            for p in getattr(it.check, "phrases", [])
        }
    )
    assert len(phrases) > 50
    for text in {r.text for m in demo_models() for r in m.records}:
        for p in phrases:
            got = [m.span() for m in phrase_pattern(p).finditer(text)]
            assert got == [m.span() for m in reference_pattern(p).finditer(text)], p


# Phrases whose leading run recurs inside and next to their matches, so that the regex tried
# only where the lowercased text holds the leading run must resume exactly as finditer does.
OVERLAPPING = ["na na", "aa", "aa a", "abab", "'tis", '"na', "na'", "ab-ab", "i i", "k", "s s"]
OVERLAP_PIECES = ["na", "NA", " ", "a", "A", "b", "ab", "'", "tis", '"', "-", "\u212a", "İ", "é"]


def test_hits_resume_after_each_match_as_finditer_does() -> None:
    rng = random.Random(18)
    for _ in range(6000):
        text = "".join(rng.choice(OVERLAP_PIECES) for _ in range(rng.randint(0, 16)))
        assert phrase_hits(OVERLAPPING, text) == plain_hits(OVERLAPPING, text), text
        plain = [p for p in OVERLAPPING if not phrase_pattern(p).search(text)]
        assert missing_phrases(OVERLAPPING, text) == plain, text
    assert phrase_hits(["na na"], "na na na na") == [(0, "na na", "na na", 2)]
    assert phrase_hits(["aa"], "aaa aa") == [(4, "aa", "aa", 1)]


def test_hits_equal_the_plain_search_on_the_demo_corpus() -> None:
    from benchmark.engine.demo import demo_models
    from benchmark.suite import load_suite

    phrases = sorted(
        {
            p
            for t in load_suite().tasks
            for it in t.items
            if it.check is not None
            for p in getattr(it.check, "phrases", [])
        }
    )
    n_hits = 0
    for text in {r.text for m in demo_models() for r in m.records}:
        found = phrase_hits(phrases, text)
        assert found == plain_hits(phrases, text)
        assert missing_phrases(phrases, text) == [
            p for p in phrases if not phrase_pattern(p).search(text)
        ]
        n_hits += len(found)
    assert n_hits > 20
