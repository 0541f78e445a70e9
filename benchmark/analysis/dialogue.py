"""Which words of a text are dialogue: inside quotation marks, or on a dash-led line.

- Quotation marks: straight double quotes ("...", opening only at a line's start or after a
  space, bracket or dash, so a stray closing one opens nothing), curly double quotes (“...”),
  low-high quotes („...“ and „...”), guillemets («...» and ‹...›), corner brackets (「...」,
  『...』), and single quotes (‘...’ or '...') that open after a non-letter and close before
  one, so the apostrophes of "don't" and "the dogs' bowls" never open one. A quotation never crosses a
  blank line; one still open at the end of its paragraph (the convention for speech that runs
  on into the next paragraph) runs to that paragraph's end.
- A line whose first non-space character is an em dash, en dash or horizontal bar (— – ―) is
  dialogue to its end, as in the dash-led dialogue of French, Spanish or Joyce. Its speech tag
  ("—Ven —dijo ella.") is counted as dialogue too: a few words, against a share. A hyphen-led
  line is a markdown list item, not dialogue.
- A *word* is a word of benchmark.analysis.text_units; it is dialogue when its first letter or digit lies
  inside a quotation or a dash-led line. Scare quotes count as quotations: the share is meant for
  telling a mostly-dialogue story from a mostly-narrated one, not for exact counts."""

from __future__ import annotations

import re
from dataclasses import dataclass

_PARAGRAPH = re.compile(r"(?:[^\n]|\n(?![ \t\f\v]*\n))+")
_OPENERS = {
    '"': '"',
    "“": "”",
    "„": "“”",
    "«": "»",
    "‹": "›",
    "「": "」",
    "『": "』",
}
_BEFORE_STRAIGHT = " \t\n([{—–-"  # what may precede a straight double quote that opens
_SINGLE = re.compile(r"(?<!\w)['‘](?:[^'‘’\n]|(?<=\w)['’](?=\w))+?['’](?!\w)")
_DASH_LINE = re.compile(r"^[ \t]*[—–―].*$", re.MULTILINE)
_TOKEN = re.compile(r"\S+")
_ALNUM = re.compile(r"[^\W_]")


def dialogue_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the text's quotations and dash-led lines (may overlap)."""
    spans: list[tuple[int, int]] = []
    for para in _PARAGRAPH.finditer(text):
        closers, opened = "", -1
        for i in range(para.start(), para.end()):
            ch = text[i]
            if opened < 0 and ch in _OPENERS:
                if ch == '"' and i > para.start() and text[i - 1] not in _BEFORE_STRAIGHT:
                    continue  # a closing straight quote with nothing open: a stray
                closers, opened = _OPENERS[ch], i
            elif opened >= 0 and ch in closers:
                spans.append((opened, i + 1))
                opened = -1
        if opened >= 0:
            spans.append((opened, para.end()))
    spans += [m.span() for m in _SINGLE.finditer(text)]
    spans += [m.span() for m in _DASH_LINE.finditer(text)]
    return spans


@dataclass(frozen=True)
class DialogueCount:
    words: int
    dialogue: int

    @property
    def share(self) -> float | None:
        return self.dialogue / self.words if self.words else None


def dialogue_count(text: str) -> DialogueCount:
    inside = bytearray(len(text))
    for s, e in dialogue_spans(text):
        inside[s:e] = b"\x01" * (e - s)
    total = spoken = 0
    for tok in _TOKEN.finditer(text):
        first = _ALNUM.search(tok.group())
        if first is None:
            continue
        total += 1
        spoken += inside[tok.start() + first.start()]
    return DialogueCount(total, spoken)
