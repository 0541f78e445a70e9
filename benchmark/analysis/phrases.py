"""How a phrase of a check (banned_phrases, required_phrases, any_phrases) matches a text."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=4096)  # a suite's phrases are few and checked on every response
def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """Case-insensitive, word-bounded, tolerant of whitespace runs and curly/straight quotes."""
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
        # "(?<!\w)" + out, with the look-behind moved past the first character (re.escape
        # keeps a letter, digit or "_" as it is): "no word character before the first one"
        # either way, but a match attempt now fails on the first character, which the regex
        # engine finds with a fast scan, before any look-behind is tried.
        out = out[0] + r"(?<!\w[\s\S])" + out[1:]
    if stripped[-1:].isalnum() or stripped[-1:] == "_":
        out += r"(?!\w)"
    return re.compile(out, re.IGNORECASE)


# The non-ASCII characters that re.IGNORECASE matches to an ASCII character (Python's case
# folding; tests/test_phrases_prefilter.py recomputes it over every code point).
ASCII_CASE_TWINS = frozenset("\u0130\u0131\u017f\u212a")  # İ ı ſ K (Kelvin)


@lru_cache(maxsize=4096)
def literal_runs(phrase: str) -> tuple[str, ...] | None:
    """The lowercased runs of an ASCII phrase that its pattern matches character for
    character (the parts between whitespace and quotes); None for a non-ASCII phrase."""
    if not phrase.isascii():
        return None
    runs, run = [], ""
    for ch in phrase.strip():
        if ch.isspace() or ch in "'\"":
            runs.append(run)
            run = ""
        else:
            run += ch.lower()
    return tuple(r for r in [*runs, run] if r)


def _may_occur(phrase: str, lowered: str | None) -> bool:
    """False only when the phrase cannot match: a run of it is not in the lowercased text.
    Exact for an ASCII phrase in a text without ASCII_CASE_TWINS (`lowered` None otherwise):
    its pattern matches such a text's characters only where they are ASCII and equal to the
    run's ignoring case, and lowercasing keeps those characters together."""
    if lowered is None:
        return True
    runs = literal_runs(phrase)
    return runs is None or all(map(lowered.__contains__, runs))


def _lowered(text: str) -> str | None:
    """The text lowercased for _may_occur, or None when it holds an ASCII_CASE_TWINS character
    (an ASCII text holds none; otherwise four substring searches, not a walk over the text)."""
    if not text.isascii() and any(twin in text for twin in ASCII_CASE_TWINS):
        return None
    return text.lower()


@lru_cache(maxsize=4096)
def leading_run(phrase: str) -> str | None:
    """The first literal run of an ASCII phrase that starts with it (not with a quote)."""
    runs = literal_runs(phrase)
    if not runs or phrase.strip()[:1] in "'\"":
        return None
    return runs[0]


def _matches(phrase: str, text: str, lowered: str | None, first: bool) -> list[re.Match[str]]:
    """pattern.finditer(text) (only the first match when `first`). Where _may_occur is exact
    and the phrase starts with a literal run, a match can start only where the lowercased text
    holds that run (the same offsets: lowercasing kept the length, so each character stayed one
    character), so the regex is tried only there, with match() (whose look-behind still sees
    the characters before the offset), resuming after each match as finditer does."""
    pattern = phrase_pattern(phrase)
    run = leading_run(phrase)
    if lowered is None or run is None or len(lowered) != len(text):
        if not first:
            return list(pattern.finditer(text))
        found = pattern.search(text)
        return [found] if found else []
    hits: list[re.Match[str]] = []
    at = lowered.find(run)
    while at >= 0:
        m = pattern.match(text, at)
        if m is None:
            at = lowered.find(run, at + 1)
            continue
        hits.append(m)
        if first:
            break
        at = lowered.find(run, m.end())
    return hits


def missing_phrases(phrases: list[str], text: str) -> list[str]:
    """The phrases that do not occur in `text`, in the given order (a phrase's regex is run
    only when its literal runs all occur: _may_occur)."""
    lowered = _lowered(text)
    return [p for p in phrases if not (_may_occur(p, lowered) and _matches(p, text, lowered, True))]


def phrase_hits(phrases: list[str], text: str) -> list[tuple[int, str, str, int]]:
    """(offset of the first hit, phrase, the text it matched, number of hits) for every phrase
    that occurs, first occurrence first. A phrase is searched for (a regex per phrase, the
    checks' dear part on long texts) only when its literal runs all occur (_may_occur)."""
    lowered = _lowered(text)
    found = []
    for phrase in phrases:
        if not _may_occur(phrase, lowered):
            continue
        hits = _matches(phrase, text, lowered, False)
        if hits:
            found.append((hits[0].start(), phrase, hits[0].group(), len(hits)))
    return sorted(found)


def listed_hits(found: list[tuple[int, str, str, int]]) -> str:
    return ", ".join(f"{p!r} ({n}x)" for _, p, _, n in found)
