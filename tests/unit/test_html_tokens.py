"""The fast HTML tokenizer (benchmark/analysis/html_tokens.py) gives exactly html.parser's events
for every page it accepts (differential: the demo corpus and hostile hand-made inputs), refuses
what it does not model, and the trees built either way are the same."""

from __future__ import annotations

import random
from html.parser import HTMLParser

import pytest

from benchmark.analysis import html_extract, html_tokens
from benchmark.analysis.html_extract import Element, extract_html, parse_html
from benchmark.analysis.html_tokens import Attrs, tokenize
from benchmark.engine.demo import demo_models

Event = tuple[object, ...]


class _Recorder:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def start(self, tag: str, attrs: Attrs, text: str, self_closing: bool) -> None:
        self.events.append(("start", tag, attrs, text, self_closing))

    def end(self, tag: str) -> None:
        self.events.append(("end", tag))

    def data(self, text: str) -> None:
        self.events.append(("data", text))


class _Reference(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[Event] = []

    def handle_starttag(self, tag: str, attrs: Attrs) -> None:
        self.events.append(("start", tag, attrs, self.get_starttag_text(), False))

    def handle_startendtag(self, tag: str, attrs: Attrs) -> None:
        self.events.append(("start", tag, attrs, self.get_starttag_text(), True))

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", tag))

    def handle_data(self, data: str) -> None:
        self.events.append(("data", data))


def _reference(source: str) -> list[Event]:
    parser = _Reference()
    parser.feed(source)
    parser.close()
    return parser.events


def _fast(source: str) -> list[Event] | None:
    rec = _Recorder()
    return rec.events if tokenize(source, rec) else None


def _demo_pages() -> list[str]:
    pages = {extract_html(r.text or "") for m in demo_models() for r in m.records}
    return sorted(p for p in pages if p)


def test_demo_pages_give_html_parsers_events() -> None:
    pages = _demo_pages()
    accepted = [p for p in pages if _fast(p) is not None]
    assert len(pages) >= 30 and len(accepted) >= 0.9 * len(pages)  # the fast path is used
    for page in accepted:
        assert _fast(page) == _reference(page)


ACCEPTED = [
    '<!DOCTYPE html><html lang="en"><body class="a  b" id=top><p>x &amp; y &lt z</p></body>',
    "<P CLASS='Note' Data-X=\"1\">Upper</P>",
    '<img src=a.png alt=""><br/><br /><input disabled><hr/>',
    "<a href=x/y/>bare value ending in a slash</a>",
    '<div title="a > b" data-v=\'it"s\'>quoted markup</div>',
    "<p>one<!-- a comment - with dashes --> two</p>",
    "<style>p > a { color: red } /* </p> */</style><script>if (a < b && c) x = '</div>'</script>",
    "<STYLE>p{}</STYLE><style media=x>b{}</Style>",
    "<style/>not raw text<script/>",
    "<p>&#39;&#x41;&nbsp&amp;&unknown; &</p>",
    "<a title=\"a &amp; b\" href=x&amp;y data-e=''>entities in attributes</a>",
    "<a\thref=x\ntitle = 'y' >tabs</a>",
    "<p>unclosed <b>bold <i>italic",
    "</stray><p>end tags for nothing</div>",
    "<a @click=go :key=k x.y=1>framework attributes</a>",
    "text only &amp; no tags",
]


@pytest.mark.parametrize("source", ACCEPTED)
def test_accepted_inputs_give_html_parsers_events(source: str) -> None:
    events = _fast(source)
    assert events is not None, "the fast tokenizer should accept this"
    assert events == _reference(source)


REFUSED = [
    "a < b",  # a stray "<"
    "<p>x</p><",  # a "<" at the very end
    "<![CDATA[x]]>",
    "<?xml version='1.0'?>",
    "<!bogus>",
    "<!-->",
    "<!--->",
    "<!-- a -- b -->",
    "<!-- a --->",
    "<!-- unclosed",
    "<style>p{}",  # unclosed style: html.parser drops it
    "<style>a</ style>b</style>",
    "<style>a</style >b</style>",
    "<script>x</scripts></script>",
    "<a b=>",
    "<a b==c>",
    "<a b=c=d>",
    "<a b=`c`>",
    '<a b="1"c="2">',
    "<a b/c>",
    "<p/ >",
    "<x\u00a0y>",
    "<x\vy>",
    "<a:b>",
    "</a b>",
    "</>",
    "<p",  # unclosed start tag
    '<p title="x',
]


@pytest.mark.parametrize("source", REFUSED)
def test_refused_inputs_fall_back_to_html_parser(source: str) -> None:
    assert _fast(source) is None
    assert _tree(parse_html(source).root) == _tree(_parse_with_html_parser(source))


def _tree(el: Element) -> list[object]:
    """An element's whole content, iteratively (hostile pages nest deeply)."""
    out: list[object] = []
    stack = [el]
    while stack:
        node = stack.pop()
        out.append((node.tag, node.attrs, node.start_tag, node.text, node.synthetic))
        out.append(len(node.children))
        stack.extend(reversed(node.children))
    return out


def _parse_with_html_parser(source: str) -> Element:
    real = html_extract.tokenize
    html_extract.tokenize = lambda _source, _out: False  # type: ignore[assignment]
    try:
        return parse_html(source).root
    finally:
        html_extract.tokenize = real


@pytest.mark.parametrize("source", [*ACCEPTED, *REFUSED, *_demo_pages()[:40]])
def test_trees_are_the_same_either_way(source: str) -> None:
    fast, slow = parse_html(source), _parse_with_html_parser(source)
    assert _tree(fast.root) == _tree(slow)


def _raw_text_end_reference(source: str, tag: str, pos: int) -> int:
    """_raw_text_end as first written: two regex searches."""
    m = html_tokens._RAW_END[tag].search(source, pos)
    if m is None or m.end() - m.start() != len(tag) + 3:
        return -1
    first = html_tokens._RAW_END_ANY[tag].search(source, pos)
    return m.start() if first is not None and first.start() == m.start() else -1


def test_raw_text_end_as_the_regex_searches() -> None:
    rng = random.Random(15)
    pieces = ["<", "/", "</", "style", "STYLE", "Style", "script", " ", "\n", ">", "a", "<</"]
    pieces += ["</style>", "</ style>", "</style >", "</script\t>", "</styles>"]
    found = 0
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        for tag in ("style", "script"):
            for pos in range(min(len(text), 3) + 1):
                want = _raw_text_end_reference(text, tag, pos)
                assert html_tokens._raw_text_end(text, tag, pos) == want, (text, tag, pos)
                found += want >= 0
    assert found > 1000  # the plain ends were met, not only refusals
