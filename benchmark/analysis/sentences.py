"""Sentences, defined once for the checks that count or compare them.

A sentence ends after a run of ".", "!", "?" or "…" (with any closing quotes or brackets that
follow) when whitespace and then anything but a lower-case letter comes next, or the end of the
text; and at every line break, so a heading, a list item or a line of verse is a sentence of its
own. So '"Really?" she asked.' is one sentence, and a full stop inside a number ("3.5") or a web
address ends none. Nor does a full stop after a common abbreviation ("Mr.", "Dr.", "e.g.",
"etc."). Sentences without a letter or digit ("* * *", "---") are dropped. Each sentence is a
verbatim slice of the text, surrounding whitespace trimmed."""

from __future__ import annotations

import re

_END = re.compile(r"""[.!?…。！？]+["'”’»)\]*_]*(?=\s|$)|\n""")
_WORD_BEFORE = re.compile(r"""[\w.]+$""")
_HAS_ALNUM = re.compile(r"[^\W_]")
# Lower-case, without the final full stop. "No." is left out: it is more often a whole sentence.
_ABBREVIATIONS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "mx",
        "dr",
        "st",
        "jr",
        "sr",
        "prof",
        "rev",
        "capt",
        "lt",
        "col",
        "gen",
        "sgt",
        "mt",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "cf",
        "approx",
    }
)


def _abbreviation_before(text: str, dot: int) -> bool:
    m = _WORD_BEFORE.search(text, 0, dot)
    return m is not None and m.group().lower() in _ABBREVIATIONS


def _lower_next(text: str, at: int) -> bool:
    """Whether the text goes on, on the same line, with a lower-case letter."""
    rest = text[at : at + 80].lstrip(" \t")
    return bool(rest) and rest[0].islower()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of `text`, in order."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _END.finditer(text):
        mark = m.group()
        if mark == "\n":
            end = m.start()
        elif (mark == "." and _abbreviation_before(text, m.start())) or _lower_next(text, m.end()):
            continue
        else:
            end = m.end()
        spans.append((start, end))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        piece = text[s:e]
        if not _HAS_ALNUM.search(piece):
            continue
        lead = len(piece) - len(piece.lstrip())
        out.append((s + lead, s + len(piece.rstrip())))
    return out


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]
