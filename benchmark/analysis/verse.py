"""The lines and stanzas of a poem in a response, defined once for every form check.

- A *line* is a line of the response that contains a letter or digit. Everything in the
  response counts, so chatter ("Here is your sonnet:") is a line and breaks an exact count:
  inside or outside a fenced block alike (a fenced poem's chatter is reported in rationales).
- Not lines: blank lines; lines with no letter or digit (scene breaks such as "* * *" or
  "---"); fence delimiters, even with a language tag ("```text"); markdown headings
  ("# Rain", "## II"); and a *title*, the first line when it is wholly bold or italic
  ("**Rain**", "*Rain*") and a blank line follows it. A plain-text title cannot be told from a
  one-line stanza, so it counts as a line: prompts that need an exact count ask for no title.
- A *stanza* is a maximal run of consecutive lines; anything that is not a line (a blank line,
  a scene break, a heading, a fence) ends one.
- For analysis (first letters, syllables, refrains) a line is *cleaned*: blockquote markers
  (">"), a list marker ("- ", "1. ") and a trailing "\\" hard break are removed. Evidence always
  quotes the line as written."""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^\s*(?:```|~~~)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s|$)")
_BLOCKQUOTE = re.compile(r"^(?:\s*>)+\s*")
_LIST_MARKER = re.compile(r"^(?:[-*+]|\d{1,3}[.)])\s+")
_EMPHASISED = re.compile(r"^(\*\*|__|\*|_)(?=\S).*(?<=\S)\1$")
_HAS_ALNUM = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class VerseLine:
    text: str  # as written (surrounding whitespace trimmed): a substring of the response
    clean: str  # markdown around it removed, for analysis
    number: int  # 1-based position among the poem's lines
    stanza: int  # 1-based
    fenced: bool  # inside a fenced block


@dataclass(frozen=True)
class Verse:
    lines: tuple[VerseLine, ...]
    title: str | None
    has_fence: bool

    @property
    def stanzas(self) -> list[list[VerseLine]]:
        out: list[list[VerseLine]] = []
        for line in self.lines:
            if not out or out[-1][-1].stanza != line.stanza:
                out.append([])
            out[-1].append(line)
        return out

    @property
    def unfenced(self) -> list[VerseLine]:
        """The lines outside fenced blocks when the response has one: chatter, usually."""
        return [line for line in self.lines if not line.fenced] if self.has_fence else []

    def describe(self) -> str:
        """A summary for rationales: line and stanza counts, the title and chatter."""
        shape = "+".join(str(len(s)) for s in self.stanzas) or "0"
        parts = [f"{len(self.lines)} line(s) in {len(self.stanzas)} stanza(s) ({shape})"]
        if self.title is not None:
            parts.append(f"title {self.title!r} not counted")
        outside = self.unfenced
        if outside:
            parts.append(f"{len(outside)} of them outside the fenced block")
        return "; ".join(parts)


def clean_line(raw: str) -> str:
    line = _BLOCKQUOTE.sub("", raw.strip())
    line = _LIST_MARKER.sub("", line)
    return line.rstrip("\\").rstrip()


@dataclass(frozen=True)
class _Raw:
    offset: int
    text: str
    kind: str  # "line" | "fence" | "heading" | "title" | "gap"
    fenced: bool


def _classify(text: str) -> list[_Raw]:
    out: list[_Raw] = []
    offset = 0
    in_fence = False
    for raw in text.split("\n"):  # a "\r" before it is whitespace, trimmed with the rest
        if _FENCE.match(raw):
            kind = "fence"
            in_fence = not in_fence
        elif _HEADING.match(_BLOCKQUOTE.sub("", raw)):
            kind = "heading"
        elif _HAS_ALNUM.search(raw):
            kind = "line"
        else:
            kind = "gap"
        out.append(_Raw(offset, raw, kind, in_fence))
        offset += len(raw) + 1
    first = next((i for i, r in enumerate(out) if r.kind == "line"), None)
    if (
        first is not None
        and first + 1 < len(out)
        and out[first + 1].kind == "gap"
        and _EMPHASISED.match(clean_line(out[first].text))
    ):
        r = out[first]
        out[first] = _Raw(r.offset, r.text, "title", r.fenced)
    return out


def parse_verse(text: str) -> Verse:
    raws = _classify(text)
    lines: list[VerseLine] = []
    stanza, previous_was_line = 0, False
    for r in raws:
        if r.kind != "line":
            previous_was_line = False
            continue
        if not previous_was_line:
            stanza += 1
        previous_was_line = True
        lines.append(
            VerseLine(r.text.strip(), clean_line(r.text), len(lines) + 1, stanza, r.fenced)
        )
    title = next((r.text.strip() for r in raws if r.kind == "title"), None)
    return Verse(tuple(lines), title, any(r.kind == "fence" for r in raws))


def verse_mask(text: str) -> str:
    """`text` with what is not part of the poem (fences, headings, the title) blanked out, same
    length and line breaks kept: for checks that split the poem's text into sentences."""
    parts = []
    for r in _classify(text):
        parts.append(r.text if r.kind in ("line", "gap") else " " * len(r.text))
    return "\n".join(parts)
