"""A small CSS selector language matched against the rendered page's recorded elements
(checks.render.records.ElementBox, or anything shaped like it: `Element`), so a rubric item can name the elements it is about and the facts stay
independent of any suite (no re-render when an item changes).

Grammar (a subset of CSS Selectors 4, checked when the suite loads):
    list      := complex ("," complex)*
    complex   := compound (" " compound)*         descendant combinator only
    compound  := (tag | "*")? (#id | .class | [attr] | [attr=value] | [attr="value"])*
Tag names and attribute names are matched case-insensitively; ids, classes and values exactly.
No child combinator (`>`): the recorded parent is the nearest *rendered* ancestor, so `>` could
not be told apart from a descendant whose parent has no box (`display: contents`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol


class Element(Protocol):
    """What matching reads of a recorded element (the renderer's Element has it): the
    analysis layer sits below the renderer, so it names the shape, not the class."""

    @property
    def tag(self) -> str: ...
    @property
    def id(self) -> str: ...
    @property
    def classes(self) -> Sequence[str]: ...
    @property
    def attrs(self) -> Mapping[str, str]: ...
    @property
    def parent(self) -> int | None: ...


_NAME = r"-?[A-Za-z_][\w-]*"
_PART = re.compile(
    rf"""\#(?P<id>{_NAME})
      | \.(?P<cls>{_NAME})
      | \[\s*(?P<attr>{_NAME})\s*(?:=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>{_NAME}))\s*)?\]""",
    re.VERBOSE,
)
_TAG = re.compile(rf"\*|{_NAME}")


@dataclass(frozen=True)
class Compound:
    tag: str | None = None
    ids: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    attrs: tuple[tuple[str, str | None], ...] = ()

    def matches(self, el: Element) -> bool:
        if self.tag is not None and el.tag.lower() != self.tag:
            return False
        if any(el.id != i for i in self.ids):
            return False
        if any(c not in el.classes for c in self.classes):
            return False
        for name, value in self.attrs:
            got = _attr(el, name)
            if got is None or (value is not None and got != value):
                return False
        return True


def _attr(el: Element, name: str) -> str | None:
    if name == "id":
        return el.id or None
    if name == "class":
        return " ".join(el.classes) or None
    return el.attrs.get(name)


Complex = tuple[Compound, ...]


def _compound(text: str, whole: str) -> Compound:
    m = _TAG.match(text)
    tag = None
    pos = 0
    if m:
        tag = None if m.group() == "*" else m.group().lower()
        pos = m.end()
    ids: list[str] = []
    classes: list[str] = []
    attrs: list[tuple[str, str | None]] = []
    while pos < len(text):
        p = _PART.match(text, pos)
        if p is None:
            raise ValueError(
                f"{whole!r}: cannot read {text[pos:]!r} (supported: tag, *, #id, .class, "
                "[attr], [attr=value], descendant spaces, commas)"
            )
        if p["id"]:
            ids.append(p["id"])
        elif p["cls"]:
            classes.append(p["cls"])
        else:
            value = next((v for v in (p["dq"], p["sq"], p["bare"]) if v is not None), None)
            attrs.append((p["attr"].lower(), value))
        pos = p.end()
    if not text:
        raise ValueError(f"{whole!r}: an empty selector")
    return Compound(tag, tuple(ids), tuple(classes), tuple(attrs))


_PIECE = re.compile(r"\s+|(?:\[[^\]]*\]|[^\s\[\]])+")


def _pieces(part: str, whole: str) -> list[str]:
    """The compounds of one complex selector: split at spaces outside [attr="a b"]."""
    out, pos = [], 0
    while pos < len(part):
        m = _PIECE.match(part, pos)
        if m is None:
            raise ValueError(f"{whole!r}: cannot read {part[pos:]!r} (an unclosed '['?)")
        if m.group().strip():
            out.append(m.group())
        pos = m.end()
    return out


def parse(selector: str) -> list[Complex]:
    """The selector list, or ValueError saying what cannot be read."""
    out = []
    for part in selector.split(","):
        # Spaces inside [attr="a b"] are not combinators: split outside brackets only.
        pieces = _pieces(part, selector)
        if not pieces:
            raise ValueError(f"{selector!r}: an empty selector in the list")
        if any(">" in p or "+" in p or "~" in p or ":" in p for p in pieces if "[" not in p):
            raise ValueError(
                f"{selector!r}: only descendant combinators (spaces) are supported, "
                "no '>', '+', '~' or pseudo-classes"
            )
        out.append(tuple(_compound(p, selector) for p in pieces))
    return out


def select(selector: str, boxes: Sequence[Element]) -> list[int]:
    """Indexes (in document order) of the elements of `boxes` that `selector` matches."""
    complexes = parse(selector)
    return [i for i in range(len(boxes)) if any(_matches(c, i, boxes) for c in complexes)]


def _matches(complex_: Complex, i: int, boxes: Sequence[Element]) -> bool:
    if not complex_[-1].matches(boxes[i]):
        return False
    # Each earlier compound must match some ancestor, in order (greedy from the nearest one:
    # enough, since a descendant combinator only asks for *some* ancestor).
    want = len(complex_) - 2
    node = boxes[i].parent
    while want >= 0 and node is not None:
        if complex_[want].matches(boxes[node]):
            want -= 1
        node = boxes[node].parent
    return want < 0


def ancestors(i: int, boxes: Sequence[Element]) -> list[int]:
    """The recorded ancestors of element `i`, nearest first."""
    out = []
    node = boxes[i].parent
    while node is not None:
        out.append(node)
        node = boxes[node].parent
    return out
