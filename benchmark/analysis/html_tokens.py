"""A fast tokenizer for the plain HTML most pages are written in, giving exactly the events the
standard library's `html.parser.HTMLParser` (convert_charrefs=True) gives for them, or refusing
the page (the caller then runs html.parser itself).

It accepts only constructs whose html.parser events are unambiguous: text (character references
decoded with `html.unescape`, per run between two tags, as html.parser does); start tags
`<name attr attr=value attr="v" attr='v'>` or `.../>` with an ASCII name, ASCII attribute
names, ASCII whitespace between them and bare values without quotes, `=`, `<`, `>` or
backticks; end tags `</name>`; comments `<!-- ... -->` without `--` inside; `<!doctype ...>`;
and `<script>` / `<style>` content up to a plain `</script>` / `</style>` (raw, undecoded). Any
other `<` (a stray one, `<?`, `<![CDATA[`, a bogus comment, an unusual tag or attribute, an
unclosed construct) refuses the whole page: exactness is cheaper to prove on a small language.
tests/unit/test_html_tokens.py compares the events with html.parser's on the demo corpus and on
hostile inputs."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from typing import Protocol

_WS = r"[ \t\n\r\f]"
# Possessive quantifiers: one way to read a tag, no backtracking into another reading.
_START_TAG = re.compile(
    rf"""<(?P<tag>[a-zA-Z][a-zA-Z0-9-]*+)
    (?P<attrs>(?:{_WS}++[a-zA-Z_:@][-a-zA-Z0-9_:.@]*+
        (?:{_WS}*+={_WS}*+(?:"[^"]*+"|'[^']*+'|[^\s"'=<>`]++))?)*+)
    {_WS}*+(?P<close>/?)>""",
    re.VERBOSE,
)
_ATTR = re.compile(
    rf"""{_WS}++(?P<name>[a-zA-Z_:@][-a-zA-Z0-9_:.@]*+)
    (?:{_WS}*+={_WS}*+(?:"(?P<dq>[^"]*+)"|'(?P<sq>[^']*+)'|(?P<bare>[^\s"'=<>`]++)))?""",
    re.VERBOSE,
)
_END_TAG = re.compile(r"</([a-zA-Z][a-zA-Z0-9-]*+)[ \t\n\r\f]*+>")
_DOCTYPE = re.compile(r"<!doctype[^<>]*+>", re.IGNORECASE)
_RAW_TEXT = ("script", "style")  # html.parser's CDATA_CONTENT_ELEMENTS
# Where html.parser 3.11 ends a script/style (`</\s*style\s*>`, any case), and where any reading
# of it could (`</\s*style`): the content is accepted only when both are one plain `</style>`.
_RAW_END = {t: re.compile(rf"</\s*{t}\s*>", re.IGNORECASE) for t in _RAW_TEXT}
_RAW_END_ANY = {t: re.compile(rf"</\s*{t}", re.IGNORECASE) for t in _RAW_TEXT}

Attrs = list[tuple[str, str | None]]


class Events(Protocol):
    """What receives the tokens (html.parser's handler names, with the start tag's text)."""

    def start(self, tag: str, attrs: Attrs, text: str, self_closing: bool) -> None: ...
    def end(self, tag: str) -> None: ...
    def data(self, text: str) -> None: ...


def _attrs(text: str) -> Attrs:
    """As html.parser reads them: names lower-cased, quotes removed, non-empty values decoded,
    None for an attribute without a value."""
    out: Attrs = []
    for m in _ATTR.finditer(text):
        value = m["dq"] if m["dq"] is not None else m["sq"] if m["sq"] is not None else m["bare"]
        out.append((m["name"].lower(), unescape(value) if value else value))
    return out


def _raw_text_end(source: str, tag: str, pos: int) -> int:
    r"""Where the content of a script/style opened before `pos` ends; -1 if not plainly: the
    first `</\s*style` must be where the first `</\s*style\s*>` is, and a plain `</style>`.
    Both patterns start with "</", so only the places of "</" are tried (a case-insensitive
    regex search would try every character)."""
    start, any_end = source.find("</", pos), _RAW_END_ANY[tag]
    while start >= 0 and any_end.match(source, start) is None:
        start = source.find("</", start + 1)
    if start < 0:
        return -1  # no `</\s*style`, so no `</\s*style\s*>` either
    # No `</\s*style\s*>` starts earlier (it would be a `</\s*style`): it is here or later.
    m = _RAW_END[tag].match(source, start)
    return start if m is not None and m.end() - start == len(tag) + 3 else -1


def _markup(source: str, i: int, out: Events) -> int:
    """Tokenize the construct at source[i] == "<"; its end, or -1 to refuse the page."""
    m = _START_TAG.match(source, i)
    if m is not None:
        tag = m["tag"].lower()
        attrs = m["attrs"]
        out.start(tag, _attrs(attrs) if attrs else [], m.group(), bool(m["close"]))
        if tag not in _RAW_TEXT or m["close"]:
            return m.end()
        end = _raw_text_end(source, tag, m.end())
        if end < 0:
            return -1
        if end > m.end():
            out.data(source[m.end() : end])
        out.end(tag)
        return end + len(tag) + 3
    m = _END_TAG.match(source, i)
    if m is not None:
        out.end(m[1].lower())
        return m.end()
    if source.startswith("<!--", i):
        close = source.find("-->", i + 4)
        body = source[i + 4 : close]
        if close < 0 or "--" in body or body.endswith("-") or body.startswith(">"):
            return -1
        return close + 3
    m = _DOCTYPE.match(source, i)
    return m.end() if m is not None else -1


def tokenize(source: str, out: Events) -> bool:
    """Send `source`'s events to `out`; False (part of them sent) when the page has anything
    outside the accepted language."""
    data: Callable[[str], None] = out.data
    i, n = 0, len(source)
    while i < n:
        j = source.find("<", i)
        if j < 0:
            j = n
        if j > i:
            text = source[i:j]
            data(unescape(text) if "&" in text else text)  # (unescape's own shortcut)
        if j == n:
            break
        i = _markup(source, j, out)
        if i < 0:
            return False
    return True
