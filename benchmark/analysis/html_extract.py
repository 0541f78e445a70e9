"""Finding the HTML in a model's response and parsing it into a small element tree.

Where the HTML is (first rule that applies):
1. the first fenced code block whose info string is `html` (```html or ~~~html, any case);
2. else the first fenced block of any language that *looks like HTML*;
3. else the whole response, if it looks like HTML;
4. else there is no HTML (the HTML checks are then not met).

"Looks like HTML" means: a `<!doctype html>`, or at least one element written with both its
start tag and a matching end tag (`<p ...>...</p>`). A lone `<div>` mentioned in prose is not
enough. A fence left unclosed (a truncated answer) runs to the end of the text, as in
CommonMark. The extracted source is always a verbatim slice of the response, so anything quoted
from it (a start tag, a CSS declaration) is a verbatim substring of the response too.

The tree is built from the standard library's `html.parser` events (for plain pages, from
html_tokens' tokenizer, which gives the same events faster) plus the few HTML5 tree-building
rules that matter for styling, not the full algorithm: void elements never take children; an
end tag closes up to the nearest open element of that name (stray end tags are ignored); a
block-level start tag closes an open `<p>`, and a new `<li>`, `<option>`, `<dt>`/`<dd>`, `<tr>`
or `<td>`/`<th>` closes its open sibling. Missing `<html>` and `<body>` wrappers are added, as
browsers do, so that `html`, `body` and `:root` selectors match fragments too. Not modelled:
foster parenting in tables, the adoption agency for misnested formatting tags, `<head>`
inference for elements outside it."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

from .html_tokens import tokenize

_FENCE_OPEN = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\s`]*)[^\n]*$")
_DOCTYPE = re.compile(r"<!doctype\s+html", re.IGNORECASE)
_ELEMENT_PAIR = re.compile(
    r"<([a-zA-Z][a-zA-Z0-9-]*)\b[^<>]*>.*?</\1\s*>", re.DOTALL | re.IGNORECASE
)

VOID_ELEMENTS = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)
# A start tag of one of these closes an open <p> (HTML's "close a p element"), as browsers do.
_CLOSES_P = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "details",
        "div",
        "dl",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "ul",
    ]
)
_P_ONLY = frozenset({"p"})
_P_SCOPE = frozenset({"button", "table", "td", "th", "caption", "template", "object"})
# A start tag closes an open sibling of these names, unless a container comes first.
_CLOSES_SIBLING: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "li": (frozenset({"li"}), frozenset({"ul", "ol", "menu"})),
    "option": (frozenset({"option"}), frozenset({"select", "datalist", "optgroup"})),
    "dt": (frozenset({"dt", "dd"}), frozenset({"dl"})),
    "dd": (frozenset({"dt", "dd"}), frozenset({"dl"})),
    "tr": (frozenset({"tr", "td", "th"}), frozenset({"table", "thead", "tbody", "tfoot"})),
    "td": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
    "th": (frozenset({"td", "th"}), frozenset({"tr", "table"})),
}
# Elements whose content is never rendered as text.
NON_RENDERED = frozenset(
    ["head", "style", "script", "template", "title", "noscript", "meta", "link"]
)


@dataclass(frozen=True)
class FencedBlock:
    info: str  # the language word after the fence, lower-cased ("" when none)
    content: str
    start: int  # offset of the opening fence in the text
    end: int  # offset just past the closing fence (or the end of the text)


# Line breaks str.splitlines knows besides "\n": without them, lines are what "\n" separates.
_OTHER_LINE_BREAKS = re.compile("[\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
# Where a line may open a fence (what _FENCE_OPEN requires of a line's start).
_FENCE_START = re.compile(r"^ {0,3}(?:`{3}|~{3})", re.MULTILINE)


def fenced_blocks(text: str) -> list[FencedBlock]:
    """Fenced code blocks (``` or ~~~), in order; an unclosed fence runs to the end."""
    if "```" not in text and "~~~" not in text:
        return []  # no line can open a fence (most prose answers): skip the line walk
    if _OTHER_LINE_BREAKS.search(text) is None:
        return _fenced_blocks_lf(text)
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    blocks: list[FencedBlock] = []
    i = 0
    while i < len(lines):
        m = _FENCE_OPEN.match(lines[i].rstrip("\r\n"))
        if not m:
            i += 1
            continue
        start = i
        fence = m.group("fence")
        close = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        i += 1
        while i < len(lines) and not close.match(lines[i].rstrip("\r\n")):
            i += 1
        content = "".join(lines[start + 1 : i])
        i = min(i + 1, len(lines))  # skip the closing fence (or stop at the end)
        info = m.group("info").lower()
        blocks.append(FencedBlock(info, content, offsets[start], offsets[i]))
    return blocks


def _fenced_blocks_lf(text: str) -> list[FencedBlock]:
    """`fenced_blocks` of a text whose only line break is "\n", by regex searches for the
    lines that can open or close a fence instead of a walk over every line (`^` and `$` of
    re.MULTILINE are the line starts and ends "\n" makes)."""
    blocks: list[FencedBlock] = []
    pos = 0  # a line start
    while True:
        m = _FENCE_START.search(text, pos)
        if m is None:
            return blocks
        start = m.start()
        line_end = text.find("\n", start)
        after = len(text) if line_end < 0 else line_end + 1  # the next line's start
        opening = _FENCE_OPEN.match(text[start : after if line_end < 0 else line_end])
        if opening is None:
            pos = after
            continue
        fence = opening.group("fence")
        close = re.compile(
            rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.MULTILINE
        ).search(text, after)
        if close is None:  # unclosed: runs to the end
            content, end = text[after:], len(text)
        else:
            close_end = text.find("\n", close.end())
            content, end = (
                text[after : close.start()],
                (len(text) if close_end < 0 else close_end + 1),
            )
        blocks.append(FencedBlock(opening.group("info").lower(), content, start, end))
        pos = end
        if pos >= len(text):
            return blocks


def looks_like_html(text: str) -> bool:
    return bool(_DOCTYPE.search(text) or _ELEMENT_PAIR.search(text))


def extract_html(text: str) -> str | None:
    """The HTML source in a response (a verbatim slice of it), or None when there is none."""
    blocks = fenced_blocks(text)
    for b in blocks:
        if b.info == "html":
            return b.content
    for b in blocks:
        if looks_like_html(b.content):
            return b.content
    return text if looks_like_html(text) else None


# --------------------------------------------------------------------------- element tree


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str]
    start_tag: str = ""  # verbatim start tag as written ("" for wrappers we added)
    parent: Element | None = None
    children: list[Element] = field(default_factory=list)
    text: str = ""  # direct text content (character references decoded)
    synthetic: bool = False
    # (a plain slot, not functools.cached_property: Python 3.11's takes a lock per element)
    _classes: list[str] | None = field(default=None, init=False, repr=False)

    @property
    def classes(self) -> list[str]:
        """The class names (computed once: the CSS matcher asks for them per selector tried,
        and nothing changes an element's attributes after parsing). Callers must not modify
        the list."""
        got = self._classes
        if got is None:
            got = self._classes = self.attrs.get("class", "").split()
        return got

    @property
    def has_text(self) -> bool:
        return bool(self.text.strip())

    def iter(self) -> list[Element]:
        """This element and all its descendants, in document order (iterative: pages nested
        thousands deep must not hit the recursion limit)."""
        out: list[Element] = []
        stack = [self]
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(reversed(node.children))
        return out

    def ancestors(self) -> list[Element]:
        out: list[Element] = []
        node = self.parent
        while node is not None:
            out.append(node)
            node = node.parent
        return out

    def describe(self) -> str:
        """A short CSS-like label for messages: `p.note#intro`."""
        label = self.tag
        if "id" in self.attrs:
            label += "#" + self.attrs["id"]
        label += "".join("." + c for c in self.classes)
        return label


@dataclass
class Document:
    root: Element  # the <html> element (possibly synthetic)
    styles: list[str]  # contents of <style> blocks, in order, verbatim

    # The tree is only read after parsing, so its element list is walked once.
    _elements: list[Element] | None = field(default=None, init=False, repr=False, compare=False)

    def elements(self) -> list[Element]:
        """Every element, in document order (a new list each call)."""
        if self._elements is None:
            self._elements = self.root.iter()
        return list(self._elements)

    def find_all(self, tag: str) -> list[Element]:
        return [e for e in self.elements() if e.tag == tag and not e.synthetic]


class _Tree:
    """Builds the element tree from tokenizer events (see the module docstring's rules)."""

    def __init__(self) -> None:
        self.top = Element(tag="#document", attrs={}, synthetic=True)
        self.stack: list[Element] = [self.top]
        self.styles: list[str] = []
        self.open_tags: Counter[str] = Counter()
        self._in_style = False

    def _new(self, tag: str, attrs: list[tuple[str, str | None]], text: str) -> Element:
        el = Element(
            tag=tag,
            attrs={k.lower(): (v if v is not None else "") for k, v in attrs},
            start_tag=text,
            parent=self.stack[-1],
        )
        self.stack[-1].children.append(el)
        return el

    def _pop_from(self, i: int) -> None:
        for el in self.stack[i:]:
            self.open_tags[el.tag] -= 1
        del self.stack[i:]

    def _close_open(self, names: frozenset[str], boundary: frozenset[str]) -> None:
        if not any(self.open_tags[n] > 0 for n in names):
            return  # the common case, answered without scanning a deep stack
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag in names:
                self._pop_from(i)
                return
            if self.stack[i].tag in boundary:
                return

    def start(
        self, tag: str, attrs: list[tuple[str, str | None]], text: str, self_closing: bool
    ) -> None:
        """A start tag (`self_closing`: written `<tag/>`, which opens nothing)."""
        if self_closing:
            self._new(tag, attrs, text)
            return
        if tag in _CLOSES_P:
            self._close_open(_P_ONLY, _P_SCOPE)
        if tag in _CLOSES_SIBLING:
            self._close_open(*_CLOSES_SIBLING[tag])
        el = self._new(tag, attrs, text)
        if tag not in VOID_ELEMENTS:
            self.stack.append(el)
            self.open_tags[tag] += 1
        if tag == "style":
            self._in_style = True
            self.styles.append("")

    def end(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False
        if self.open_tags[tag] <= 0:
            return  # a stray end tag
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                self._pop_from(i)
                return

    def data(self, data: str) -> None:
        if self._in_style:
            self.styles[-1] += data
        self.stack[-1].text += data


class _HtmlParserEvents(HTMLParser):
    """html.parser's events, sent to a _Tree: for pages the fast tokenizer refuses."""

    def __init__(self, tree: _Tree) -> None:
        super().__init__(convert_charrefs=True)
        self.tree = tree

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tree.start(tag, attrs, self.get_starttag_text() or "", False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tree.start(tag, attrs, self.get_starttag_text() or "", True)

    def handle_endtag(self, tag: str) -> None:
        self.tree.end(tag)

    def handle_data(self, data: str) -> None:
        self.tree.data(data)


def _build_tree(source: str) -> _Tree:
    """The tree of `source`: by the fast tokenizer when it accepts the page (the same events as
    html.parser), else by html.parser."""
    tree = _Tree()
    if tokenize(source, tree):
        return tree
    tree = _Tree()
    parser = _HtmlParserEvents(tree)
    parser.feed(source)
    parser.close()
    return tree


def _wrap(parent: Element, tag: str, children: list[Element]) -> Element:
    el = Element(tag=tag, attrs={}, parent=parent, children=children, synthetic=True)
    for c in children:
        c.parent = el
    return el


def parse_html(source: str) -> Document:
    """Parse HTML source into a Document whose root is an `<html>` element (added if absent)."""
    builder = _build_tree(source)
    top = builder.top
    html = next((c for c in top.children if c.tag == "html"), None)
    if html is None:
        html = _wrap(top, "html", top.children)
        html.text, top.children = top.text, [html]
    if not any(c.tag == "body" for c in html.children):
        head = [c for c in html.children if c.tag == "head"]
        rest = [c for c in html.children if c.tag != "head"]
        body = _wrap(html, "body", rest)
        # Text outside any element renders inside the (implied) body.
        body.text, html.text = html.text, ""
        html.children = [*head, body]
    html.parent = None
    return Document(root=html, styles=builder.styles)
