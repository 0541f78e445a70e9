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
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|apos|nbsp|#\d{1,7}|#[xX][0-9a-fA-F]{1,6});")
_OUTER_QUOTES = ('""', "''")


@functools.lru_cache(maxsize=256)
def normalise(text: str) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
    """The normalised text and, for each of its characters, the start and end offsets of the
    original characters it came from. Cached: every item of a judge answer is grounded in the
    same response, and the character walk is the costly part of parsing an answer."""
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
        for ch in _CHAR_MAP.get(raw, raw) if len(raw) == 1 else raw:
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
