"""Selector matching, one compound part at a time (CSS Selectors Level 3, sections 6.1-6.6):
each row names a selector, an element of PAGE by its id, and whether a browser matches it."""

from __future__ import annotations

import pytest

from benchmark.analysis._css import parse_selector, selector_matches
from benchmark.analysis.html_extract import Element, parse_html

PAGE = """<html><body>
<div id="box" class="card wide" lang="en-GB" data-k="abc def" title="">
  <p id="first">one</p><p id="middle" class="note">two</p><p id="last">three</p>
</div>
</body></html>"""

CASES = [
    # type, universal, id, class
    ("div", "box", True),
    ("p", "box", False),
    ("*", "box", True),
    ("#box", "box", True),
    ("#other", "box", False),
    ("div#box#other", "box", False),
    (".card.wide", "box", True),
    (".card.narrow", "box", False),
    # attributes: presence and each operator
    ("[lang]", "box", True),
    ("[missing]", "box", False),
    ("[lang=en-GB]", "box", True),
    ("[lang=en]", "box", False),
    ("[data-k~=def]", "box", True),
    ("[data-k~=ab]", "box", False),
    ("[lang|=en]", "box", True),
    ("[lang|=e]", "box", False),
    ("[data-k^=abc]", "box", True),
    ("[data-k^=def]", "box", False),
    ("[data-k$=def]", "box", True),
    ("[data-k$=abc]", "box", False),
    ("[data-k*='c d']", "box", True),
    ("[data-k*=x]", "box", False),
    # an empty value never matches ^= $= *= (Selectors 3, 6.3.2)
    ("[title^='']", "box", False),
    ("[title$='']", "box", False),
    ("[title*='']", "box", False),
    ("[title='']", "box", True),
    # structural pseudo-classes
    (":root", "html", True),
    (":root", "box", False),
    ("p:first-child", "first", True),
    ("p:first-child", "middle", False),
    ("p:last-child", "last", True),
    ("p:last-child", "middle", False),
    ("html:first-child", "html", False),  # Selectors 3: the root is no child of an element
    # combinators
    ("div > p.note", "middle", True),
    ("body > p", "middle", False),
    ("body p", "middle", True),
]


def _by_id(name: str) -> Element:
    doc = parse_html(PAGE)
    if name == "html":
        return doc.root
    return next(e for e in doc.elements() if e.attrs.get("id") == name)


@pytest.mark.parametrize(("selector", "element", "matches"), CASES)
def test_selector_matching(selector: str, element: str, matches: bool) -> None:
    sel = parse_selector(selector)
    assert sel is not None, selector
    assert selector_matches(sel, _by_id(element)) is matches


def test_the_document_node_matches_nothing() -> None:
    node = Element(tag="#document", attrs={}, synthetic=True)
    for selector in ("*", ":root", "[lang]"):
        sel = parse_selector(selector)
        assert sel is not None and not selector_matches(sel, node)
