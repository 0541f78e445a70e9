"""Is an evidence quote really in the response? (DESIGN.md: "an ungrounded quote is flagged,
not trusted".)

A quote is grounded when, after the same normalisation of quote and response, it occurs in the
response. The normalisation forgives only what judges change without meaning to:
- runs of whitespace (spaces, tabs, newlines, non-breaking spaces) become one space, and the
  quote's ends are trimmed;
- curly, low and prime quotation marks and guillemets become ' or "; en and em dashes and
  hyphen variants become -; the ellipsis character becomes "...";
- zero-width characters and soft hyphens are removed;
- the HTML entities &lt; &gt; &amp; &quot; &apos; &nbsp; and numeric references are decoded
  (the judge sees delimiter look-alikes escaped as &lt;, and may quote HTML either way).
Case, spelling and punctuation otherwise must match. Two more forgivenesses: quotation marks the
judge wrapped around the whole quote are ignored, and a quote with "..." in it (words skipped)
is grounded when each fragment occurs in the response, in order.

`locate` returns the matching passage of the response itself (verbatim, with the response's own
quote characters and spacing), so stored evidence is a true substring of the response; an
elided quote is stored as its verbatim fragments joined by " ... "."""

from __future__ import annotations

import functools
import html
import re

_CHAR_MAP = {
    **dict.fromkeys("‘’‚‛′", "'"),
    **dict.fromkeys("“”„‟″«»", '"'),
    **dict.fromkeys("‐‑‒–—―", "-"),
    "…": "...",
    **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad", ""),
}
MAPPED_CHARS = frozenset(_CHAR_MAP)  # the characters normalisation replaces or removes
_ENTITY_SOURCE = r"&(?:lt|gt|amp|quot|apos|nbsp|#\d{1,7}|#[xX][0-9a-fA-F]{1,6});"
_OUTER_QUOTES = ('""', "''")
# What normalisation does not copy unchanged: a whitespace run, a mapped character, an entity.
# Every other run of characters is copied as it is, one original character per character.
# Exact: `\s` is str.isspace, and an entity starting at a position is decoded there, as a
# character walk would. A lone " " between two characters copied as they are (before it: not
# whitespace, mapped or an entity's closing ";"; after it: not whitespace, mapped or an "&")
# becomes itself, so it is copied too: most of a text's whitespace is such a space.
_MAPPED_CLASS = re.escape("".join(_CHAR_MAP))
_SPECIAL = re.compile(
    rf"[^\S ]\s*|[{_MAPPED_CLASS}]|{_ENTITY_SOURCE}"
    rf"| (?:\s+|(?![^\s&{_MAPPED_CLASS}])|(?<![^\s;{_MAPPED_CLASS}] ))"
)


class _Normalised:
    """The normalised text being built, with each character's original start and end offset.
    `spaced` is True while a whitespace run would add nothing: the text is empty or ends in
    the one space that stands for a run."""

    def __init__(self) -> None:
        self.chunks: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.spaced = True

    def copy(self, text: str, start: int, end: int) -> None:
        """text[start:end], which holds no whitespace and nothing that normalisation maps."""
        self.chunks.append(text[start:end])
        self.starts.extend(range(start, end))
        self.ends.extend(range(start + 1, end + 1))
        self.spaced = False

    def add(self, chars: str, start: int, end: int) -> None:
        """`chars` standing for the original characters text[start:end]."""
        for ch in chars:
            if ch.isspace():
                if self.spaced:
                    continue
                ch = " "
            self.chunks.append(ch)
            self.starts.append(start)
            self.ends.append(end)
            self.spaced = ch == " "

    def result(self) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
        text = "".join(self.chunks)
        if self.spaced and text:  # the trailing space of a final whitespace run
            return text[:-1], tuple(self.starts[:-1]), tuple(self.ends[:-1])
        return text, tuple(self.starts), tuple(self.ends)


def _decoded(entity: str) -> str:
    """What an entity contributes: html.unescape's decoding, mapped when it is one character
    (a numeric reference it does not decode, e.g. of non-ASCII digits, is kept verbatim)."""
    raw = html.unescape(entity)
    return _CHAR_MAP.get(raw, raw) if len(raw) == 1 else raw


@functools.lru_cache(maxsize=256)
def normalise(text: str) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
    """The normalised text and, for each of its characters, the start and end offsets of the
    original characters it came from. Cached: every item of a judge answer is grounded in the
    same response. One regex scan finds what changes; the runs between are copied whole."""
    out = _Normalised()
    pos = 0
    for m in _SPECIAL.finditer(text):
        start, end = m.span()
        if start > pos:
            out.copy(text, pos, start)
        first = text[start]
        if first.isspace():
            out.add(" ", start, start + 1)  # a run stands for its first character
        elif first == "&":
            out.add(_decoded(m.group()), start, end)
        else:
            out.add(_CHAR_MAP[first], start, end)
        pos = end
    if pos < len(text):
        out.copy(text, pos, len(text))
    return out.result()


_ENTITY = re.compile(_ENTITY_SOURCE)
_ENTITY_REACH = 9  # an entity is at most 10 characters ("&#x10FFFF;"), "&" first


def _entity_across(text: str, start: int, end: int) -> bool:
    """Whether an entity the normalisation decodes in `text` starts before `start` or `end`
    and ends after it. Those entities are exactly _ENTITY's matches: one holds no "&" but its
    first character, so no match starts inside another."""
    lo = max(0, start - _ENTITY_REACH)
    if text.find("&", lo, end) < 0:
        return False
    return any(
        m.start() < at < m.end()
        for m in _ENTITY.finditer(text, lo, end + _ENTITY_REACH + 1)
        for at in (start, end)
    )


def grounded_verbatim(quote: str, response: str) -> bool:
    """True only if `locate(quote, response)` finds the quote, decided without normalising the
    response: the quote occurs verbatim, no entity of the response crosses either end of that
    occurrence, and the quote normalises to something. Normalisation reads a text as single
    characters and entities; with none crossing the ends, the response's tokens there are the
    quote's own, each becomes what it becomes in the quote alone, and whitespace differs only
    by a space the response may add before or after: so the normalised quote occurs in the
    normalised response. False decides nothing (locate must look)."""
    at = response.find(quote)
    if at < 0 or _entity_across(response, at, at + len(quote)):
        return False
    first = quote[:1]
    if first.strip() and first != "&" and first not in MAPPED_CHARS:
        return True  # a first character normalisation keeps as it is
    return bool(normalise(quote)[0])


def _find_fragments(
    fragments: list[str], norm: str, starts: tuple[int, ...], ends: tuple[int, ...], text: str
) -> list[str] | None:
    found, pos = [], 0
    for frag in fragments:
        idx = norm.find(frag, pos)
        if idx < 0:
            return None
        found.append(text[starts[idx] : ends[idx + len(frag) - 1]])
        pos = idx + len(frag)
    return found


def locate(quote: str, response: str) -> str | None:
    """The response's own passage matching `quote`, or None when the quote is ungrounded.
    An empty quote is not located (there is nothing to ground): callers treat it separately."""
    q, _, _ = normalise(quote)
    if not q:
        return None
    norm, starts, ends = normalise(response)
    candidates = [q]
    if len(q) > 2 and q[0] + q[-1] in _OUTER_QUOTES:
        candidates.append(q[1:-1].strip())
    for cand in candidates:
        whole = _find_fragments([cand], norm, starts, ends, response) if cand else None
        if whole is not None:
            return whole[0]
    for cand in candidates:
        fragments = [f.strip() for f in cand.split("...")]
        fragments = [f for f in fragments if f]
        if len(fragments) > 1 or (fragments and "..." in cand):
            parts = _find_fragments(fragments, norm, starts, ends, response)
            if parts is not None:
                return " ... ".join(parts)
    return None
