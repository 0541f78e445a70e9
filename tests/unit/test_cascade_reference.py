"""The cascade's fast paths (benchmark/analysis/_css.py: rules indexed by their rightmost key,
ancestor-key masks, per-rule winners, regex splitting) against straightforward references: every
rule's every selector tried on every element with `selector_matches`, one cascade entry per
declaration, and the character-by-character splitters, on the demo pages and tricky hand-made
inputs."""

from __future__ import annotations

import random

import pytest

from benchmark.analysis import _css
from benchmark.analysis._css import Cascade, Rule, selector_matches
from benchmark.analysis.contrast import CASCADE_PROPS
from benchmark.analysis.html_extract import Document, Element, extract_html, parse_html
from benchmark.engine.demo import demo_models

Key = tuple[bool, bool, tuple[int, int, int], int, int]
Spec = tuple[int, int, int]


class _Reference:
    """The cascade by brute force: each declaration of each matching rule, with its key."""

    def __init__(self, doc: Document, rules: list[Rule]) -> None:
        self.entries: dict[int, list[tuple[Key, _css.Declaration]]] = {
            id(e): [] for e in doc.elements()
        }
        self.variants: list[tuple[Rule, Element, Spec]] = []
        self.matched: set[int] = set()
        for rule in rules:
            if rule.element is not None:
                for i, d in enumerate(rule.declarations):
                    self.entries[id(rule.element)].append(
                        ((d.important, True, (0, 0, 0), rule.order, i), d)
                    )
                continue
            for el in doc.elements():
                self._try(rule, el)

    def _try(self, rule: Rule, el: Element) -> None:
        sels = [s for s in rule.selectors if s is not None and selector_matches(s, el)]
        if not sels:
            return
        self.matched.add(id(rule))
        static = [s.specificity for s in sels if not s.variant]
        if static:
            for i, d in enumerate(rule.declarations):
                self.entries[id(el)].append(((d.important, False, max(static), rule.order, i), d))
        variant = [s.specificity for s in sels if s.variant]
        if variant:
            self.variants.append((rule, el, max(variant)))

    def winner(self, el: Element, *props: str) -> tuple[Key, _css.Declaration] | None:
        cands = [e for e in self.entries[id(el)] if e[1].prop in props]
        return max(cands, key=lambda e: e[0]) if cands else None

    def own_custom(self, el: Element) -> dict[str, str]:
        own = sorted(
            (e for e in self.entries[id(el)] if e[1].prop.startswith("--")), key=lambda e: e[0]
        )
        return {d.prop: d.value for _, d in own}


PROPS = [("color",), ("background", "background-color"), ("background", "background-image")]


def _compare(source: str) -> None:
    doc = parse_html(source)
    cascade = Cascade(doc)
    ref = _Reference(doc, cascade.rules)
    for el in doc.elements():
        for props in PROPS:
            got, want = cascade.winner(el, *props), ref.winner(el, *props)
            assert (got and (got.key, got.decl)) == want, (el.describe(), props)
        parent = cascade.custom_properties(el.parent) if el.parent is not None else {}
        assert cascade.custom_properties(el) == {**parent, **ref.own_custom(el)}
    want_variants = sorted(ref.variants, key=lambda v: v[0].order)
    assert [(r.order, id(e), s) for r, e, s in cascade.variants] == [
        (r.order, id(e), s) for r, e, s in want_variants
    ]
    unmatched = [
        r.order
        for r in cascade.rules
        if r.element is None and any(r.selectors) and id(r) not in ref.matched
    ]
    assert [r.order for r in cascade.unmatched] == unmatched
    _compare_filtered(doc, cascade)


def _wanted(d: _css.Declaration) -> bool:
    return d.prop in CASCADE_PROPS.names or d.prop.startswith("--")


def _declares(rule: Rule) -> bool:
    return any(map(_wanted, rule.declarations))


def _compare_filtered(doc: Document, full: Cascade) -> None:
    """The cascade the contrast analysis builds (only the rules declaring a property it asks
    about, with only those declarations) answers as the full one (cascade keys compared without
    the declaration's index in its rule: only its order within the rule counts, and filtering
    keeps it)."""
    part = Cascade(doc, CASCADE_PROPS)
    for el in doc.elements():
        for props in PROPS:
            got, want = part.winner(el, *props), full.winner(el, *props)
            assert (got and (got.key[:4], got.decl)) == (want and (want.key[:4], want.decl))
        assert part.custom_properties(el) == full.custom_properties(el)
    assert [(r.order, id(e), s) for r, e, s in part.variants] == [
        (r.order, id(e), s) for r, e, s in full.variants if _declares(r)
    ]
    for name in ("unmatched", "unsupported"):
        want_rules = [r for r in getattr(full, name) if _declares(r)]
        assert [(r.order, r.selector_text) for r in getattr(part, name)] == [
            (r.order, r.selector_text) for r in want_rules
        ]
    assert part.skipped == full.skipped
    kept = {r.order: r for r in part.rules}
    assert sorted(kept) == [r.order for r in full.rules if _declares(r)]
    for r in full.rules:
        if r.order in kept:
            assert kept[r.order].declarations == tuple(filter(_wanted, r.declarations))


TRICKY = [
    # duplicate classes, ids, universal, selector lists mixing static and state selectors
    """<style>.a{color:#111} .a.a{color:#222} #x{color:#333} *{background:#fff}
    p, p:hover {color:red} .b:focus, .b {background:blue} p::before{color:#000}</style>
    <div class="a a" id=x><p class="b">t</p><p class="a b" id="y">u</p></div>""",
    # descendant and child chains, keys present on some ancestors only, deep nesting
    """<style>.card p{color:#444} .card > p{color:#555} body div span{color:#666}
    section .x .y{color:#777} div>div>span{color:#888} .missing span{color:#999}
    html body{color:#aaa} :root{--c:#bbb} .y{color:var(--c)}</style>
    <section><div class="card"><p>a</p><div><p>b</p><span class="x"><b class=y>c</b></span>
    </div></div></section>"""
    + "<div>" * 50
    + "<span>deep</span>",
    # !important, inline styles, source order, one rule static and state on one element
    """<style>a{color:#123 !important} a{color:#456} .l{color:#789 !important; color:#abc}
    a:hover, a{background:#def} a.l:hover{color:#fed} [data-x]{color:#010} [data-x=v]{color:#020}
    p:first-child{color:#030} p:last-child{color:#040} :root{--v:#050} p{--v:#060}
    </style><p><a class=l href=# style="color:#070; background:#080 !important" data-x=v>l</a></p>
    <p style="--v:#090">x</p>""",
    # a property declared twice in one rule: the later wins, unless the earlier is !important
    """<style>.d{color:#111; color:#222; background:#333; background-color:#444; --k:#1; --k:#2}
    .e{color:#555 !important; color:#666; background-image:none; background:#777}</style>
    <p class="d e">x</p><p class=d style="color:#888; color:#999">y</p>""",
    # unsupported selectors, sibling combinators, nothing matching
    """<style>p + p{color:#111} li:nth-child(2){color:#222} .none{color:#333}
    p ~ p, p{color:#444} > p{color:#555} p{}</style><p>a</p><p>b</p>""",
    # rules the contrast cascade drops or trims: no colour property (`border-color` and a
    # comment only look like one), upper case and a Kelvin sign that lower-case to one, a rule
    # of custom properties only, style attributes with and without one
    """<style>.a{border-color:red; margin:0} .b{/* color: red */ padding:1px} .c{COLOR:#111}
    .d{Background-Color:#222; width:1px} .e{BACKGROUND:#333} .f{--g:#444} .h{color:var(--g)}
    .a:hover{border-color:blue} .b:hover{color:#555} .none{margin:0} .none2{color:#666}
    li:nth-child(2){border-color:red} li:nth-child(3){color:#777}</style>
    <div class="a f" style="margin:0"><p class="b h" style="padding:0; color:#888">x</p>
    <p class="c d e" style="--g:#999; margin:0">y</p></div>""",
]


def _demo_pages() -> list[str]:
    pages = {extract_html(r.text or "") for m in demo_models() for r in m.records}
    return sorted(p for p in pages if p)


@pytest.mark.parametrize("source", TRICKY)
def test_tricky_pages_cascade_as_the_brute_force_reference(source: str) -> None:
    _compare(source)


def test_demo_pages_cascade_as_the_brute_force_reference() -> None:
    pages = _demo_pages()
    assert len(pages) >= 30
    for page in pages:
        _compare(page)


# --------------------------------------------------------------------------- splitting


def _split_reference(text: str, sep: str) -> list[str]:
    """split_top_level as first written: a walk over every character."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and (ch == sep or (sep == " " and ch.isspace())):
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _tokens_reference(text: str) -> list[str]:
    """_selector_tokens as first written: a walk over every character."""
    out: list[str] = []
    buf, depth, quote, pending = "", 0, "", ""
    for ch in text:
        if quote:
            buf += ch
            quote = "" if ch == quote else quote
        elif ch in "\"'" and depth:
            buf += ch
            quote = ch
        elif ch in "[(":
            depth += 1
            buf += ch
        elif ch in "])":
            depth = max(0, depth - 1)
            buf += ch
        elif depth == 0 and (ch.isspace() or ch in ">+~"):
            if buf:
                out.append(buf)
                buf = ""
                pending = " "
            if ch in ">+~":
                pending = ch
        else:
            if pending and out:
                out.append(pending)
            pending = ""
            buf += ch
    if buf:
        out.append(buf)
    return out


SPLIT_CASES = [
    "color: rgba(0, 0, 0, .5); background: url('a;b.png') no-repeat",
    'content: "a;b"; x: [a;b]; y: (a;(b;c));',
    "a: ); b: (( ; c",  # unbalanced
    "a\u00a0b\u2003c\td",  # unicode whitespace
    ".a > .b  +  .c ~ .d",
    ".a >> .b",
    "  > a",
    "a >",
    "a [x='1 2'] b",
    ".x\t)> ]",
    "p:is(.a, .b) span",
    "",
]


def _random_texts() -> list[str]:
    rng = random.Random(15)
    alphabet = [*"ab;,:()[]\"' \t\n>+~.#*-", "\u00a0", "rgba(0,0,0,.5)", "!important"]
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14))) for _ in range(3000)]


@pytest.mark.parametrize("sep", [";", ",", " "])
def test_split_top_level_as_the_character_walk(sep: str) -> None:
    for text in [*SPLIT_CASES, *_random_texts()]:
        assert _css.split_top_level(text, sep) == _split_reference(text, sep), text


def test_selector_tokens_as_the_character_walk() -> None:
    for text in [*SPLIT_CASES, *_random_texts()]:
        assert _css._selector_tokens(text) == _tokens_reference(text), text
