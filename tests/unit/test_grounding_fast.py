"""grounding.normalise scans for what it changes and copies the runs between; these tests hold
it (and locate, which maps matches back through its offsets) to the plain character walk it
replaced, kept here as the reference, over the demo corpus and hostile texts."""

from __future__ import annotations

import html
import random
import re
import sys

import pytest

from benchmark.engine.demo import demo_models
from benchmark.engine.judging import grounding
from benchmark.engine.judging.grounding import MAPPED_CHARS, grounded_verbatim, locate, normalise

_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|apos|nbsp|#\d{1,7}|#[xX][0-9a-fA-F]{1,6});")
_MAP = grounding._CHAR_MAP


def reference_normalise(text: str) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
    """The character walk (musebench main 7569bd7), verbatim."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    while i < len(text):
        m = _ENTITY.match(text, i)
        if m:
            raw, j = html.unescape(m.group()), m.end()
        else:
            raw, j = text[i], i + 1
        for ch in _MAP.get(raw, raw) if len(raw) == 1 else raw:
            if ch.isspace():
                if out and out[-1] != " ":
                    out.append(" ")
                    starts.append(i)
                    ends.append(j)
            else:
                out.append(ch)
                starts.append(i)
                ends.append(j)
        i = j
    if out and out[-1] == " ":
        out.pop()
        starts.pop()
        ends.pop()
    return "".join(out), tuple(starts), tuple(ends)


def reference_locate(quote: str, response: str) -> str | None:
    """grounding.locate over reference_normalise (locate's own steps, restated)."""
    q = reference_normalise(quote)[0]
    if not q:
        return None
    norm, starts, ends = reference_normalise(response)

    def find(fragments: list[str]) -> list[str] | None:
        found, pos = [], 0
        for frag in fragments:
            idx = norm.find(frag, pos)
            if idx < 0:
                return None
            found.append(response[starts[idx] : ends[idx + len(frag) - 1]])
            pos = idx + len(frag)
        return found

    candidates = [q]
    if len(q) > 2 and q[0] + q[-1] in ('""', "''"):
        candidates.append(q[1:-1].strip())
    for cand in candidates:
        whole = find([cand]) if cand else None
        if whole is not None:
            return whole[0]
    for cand in candidates:
        fragments = [f.strip() for f in cand.split("...") if f.strip()]
        if len(fragments) > 1 or (fragments and "..." in cand):
            parts = find(fragments)
            if parts is not None:
                return " ... ".join(parts)
    return None


def test_whitespace_pattern_is_str_isspace() -> None:
    """The scan finds whitespace runs with `\\s`: it must be exactly str.isspace."""
    space = re.compile(r"\s")
    for c in range(sys.maxunicode + 1):
        ch = chr(c)
        assert bool(space.match(ch)) == ch.isspace(), hex(c)


def test_hand_computed() -> None:
    assert normalise("  a \u00a0\tb  ") == ("a b", (2, 3, 6), (3, 4, 7))
    assert normalise("x&amp;y") == ("x&y", (0, 1, 6), (1, 6, 7))
    assert normalise("a…b") == ("a...b", (0, 1, 1, 1, 2), (1, 2, 2, 2, 3))
    assert normalise("“q”\u200b") == ('"q"', (0, 1, 2), (1, 2, 3))
    assert normalise("a&nbsp; b") == ("a b", (0, 1, 8), (1, 7, 9))
    assert normalise("&#1;") == ("", (), ())  # html.unescape drops an invalid code point
    assert normalise("&#\u0661;") == ("&#\u0661;", (0,) * 4, (4,) * 4)  # kept whole
    assert locate("The “dog” —  ran", 'x the "dog" - ran. The "dog" -\n ran!') == (
        'The "dog" -\n ran'
    )


PIECES = [
    "a",
    "Word",
    "ß",
    "SS",
    "İ",
    "i̇",
    "e\u0301",
    "é",
    "ﬁ",
    " ",
    "  ",
    "\t",
    "\n\n",
    "\u00a0",
    "\u2003",
    "\u3000",
    "\u2028",
    "\x1c",
    "\x85",
    "\u200b",
    "\u00ad",
    "\ufeff",
    "…",
    "...",
    ". . .",
    "“",
    "”",
    "‘",
    "’",
    "«",
    "»",
    '"',
    "'",
    "—",
    "–",
    "-",
    "&",
    "&amp;",
    "&lt;",
    "&nbsp;",
    "&#8217;",
    "&#x2026;",
    "&#160;",
    "&#1;",
    "&#0;",
    "&#x80;",
    "&#xD800;",
    "&#99999999;",
    "&#\u0663;",
    "&am",
    "p;",
    "&#",
    "x41;",
    ";",
    "a ;",
    "&QUOT;",
    "😀",
]


def _fuzz(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(PIECES) for _ in range(n))


def test_normalise_equals_the_character_walk_on_hostile_texts() -> None:
    rng = random.Random(7569)
    for _ in range(6000):
        text = _fuzz(rng, rng.randint(0, 16))
        assert normalise(text) == reference_normalise(text), repr(text)
    for ch in [*MAPPED_CHARS, *(p for p in PIECES if len(p) == 1)]:
        for text in (ch, f" {ch} ", f"a{ch}b", ch * 3):
            assert normalise(text) == reference_normalise(text), repr(text)


def test_locate_equals_the_reference_on_hostile_texts() -> None:
    rng = random.Random(15)
    for _ in range(3000):
        response = _fuzz(rng, rng.randint(0, 20))
        quote = (
            _fuzz(rng, rng.randint(0, 5))
            if rng.random() < 0.5
            else response[rng.randint(0, len(response)) :][: rng.randint(0, 12)]
        )
        for q in (quote, f"“{quote}”", f"{quote[:3]}…{quote[3:]}"):
            assert locate(q, response) == reference_locate(q, response), (q, response)


def _demo_texts() -> list[str]:
    return [r.text for m in demo_models() for r in m.records]


@pytest.fixture(scope="module")
def demo_texts() -> list[str]:
    texts = _demo_texts()
    assert len(texts) > 100
    return texts


def test_normalise_equals_the_character_walk_on_the_demo_corpus(demo_texts: list[str]) -> None:
    for text in demo_texts:
        assert normalise(text) == reference_normalise(text)
        normalise.cache_clear()


def test_locate_equals_the_reference_on_demo_quotes(demo_texts: list[str]) -> None:
    """Quotes cut from each response (some restyled as a judge might), and from another."""
    from leaderboard.rederive import quote_found

    rng = random.Random(2)
    styles = [
        lambda q: q,
        lambda q: f'"{q}"',
        lambda q: q.replace("'", "’").replace('"', "“"),
        lambda q: " ".join(q.split()).upper(),
        lambda q: q[: len(q) // 3] + " ... " + q[2 * len(q) // 3 :],
        lambda q: q.replace(" ", "\u00a0", 2).replace("-", "—"),
    ]
    for n, text in enumerate(demo_texts):
        other = demo_texts[(n * 7 + 1) % len(demo_texts)]
        for _ in range(4):
            start = rng.randint(0, max(0, len(text) - 1))
            quote = rng.choice(styles)(text[start : start + rng.randint(1, 80)])
            for response in (text, other):
                expected = reference_locate(quote, response)
                assert locate(quote, response) == expected, quote
                assert quote_found(quote, response) is (expected is not None), quote
        normalise.cache_clear()


def test_a_verbatim_quote_is_grounded_as_locate_grounds_it() -> None:
    """grounded_verbatim (re-derivation's shortcut) never says "found" where the reference
    would not: quotes cut verbatim from hostile texts, often across an entity's edge."""
    from leaderboard.rederive import quote_found

    assert grounded_verbatim("rock", "rock &amp; roll")
    assert not grounded_verbatim("amp", "rock &amp; roll")  # inside an entity
    assert not grounded_verbatim("x20;lamp", "a&#x20;lamp")  # one reaching in from before
    assert not grounded_verbatim("a &l", "a &lt;")  # one reaching out past the end
    assert not grounded_verbatim(" \u200b ", "a \u200b b")  # normalises to nothing
    rng = random.Random(16)
    shortcuts = 0
    for _ in range(6000):
        response = _fuzz(rng, rng.randint(1, 20))
        start = rng.randint(0, len(response) - 1)
        quote = response[start : start + rng.randint(1, 14)]
        expected = reference_locate(quote, response) is not None
        if grounded_verbatim(quote, response):
            shortcuts += 1
            assert expected, (quote, response)
        assert quote_found(quote, response) is expected, (quote, response)
        normalise.cache_clear()
    assert shortcuts > 3000
