"""How a phrase of a check (banned_phrases, required_phrases, any_phrases) matches a text."""

from __future__ import annotations

import re


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
