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
        out = r"(?<!\w)" + out
    if stripped[-1:].isalnum() or stripped[-1:] == "_":
        out += r"(?!\w)"
    return re.compile(out, re.IGNORECASE)


def phrase_hits(phrases: list[str], text: str) -> list[tuple[int, str, str, int]]:
    """(offset of the first hit, phrase, the text it matched, number of hits) for every phrase
    that occurs, first occurrence first."""
    found = []
    for phrase in phrases:
        hits = list(phrase_pattern(phrase).finditer(text))
        if hits:
            found.append((hits[0].start(), phrase, hits[0].group(), len(hits)))
    return sorted(found)


def listed_hits(found: list[tuple[int, str, str, int]]) -> str:
    return ", ".join(f"{p!r} ({n}x)" for _, p, _, n in found)
