"""WCAG 2.x contrast: CSS colour parsing, relative luminance, contrast ratio, and the
text/background colour pairs a page's CSS lets us resolve.

Colour maths (WCAG 2.2, "relative luminance" and "contrast ratio" definitions): each sRGB
channel c in [0, 1] is linearised as c/12.92 when c <= 0.04045, else ((c + 0.055)/1.055)^2.4;
L = 0.2126 R + 0.7152 G + 0.0722 B; ratio = (L_lighter + 0.05) / (L_darker + 0.05). Ratios are
compared unrounded (WCAG: 4.499:1 does not meet 4.5:1); see `format_ratio` for printing.

Colours understood: #rgb, #rgba, #rrggbb, #rrggbbaa; rgb()/rgba() and hsl()/hsla() in comma and
space syntax (numbers, percentages, `/ alpha`, hue in deg/rad/grad/turn); the 148 CSS named
colours (benchmark/data/css_named_colors.json); `transparent`; `var(--x)` and
`var(--x, fallback)`. Not understood (the pair is skipped and the report says so): system
colours, `currentColor` in backgrounds, hwb(), lab(), lch(), oklab(), oklch(), color(),
color-mix(), relative colour syntax.

Which pairs (see `analyse_contrast`): every element that shows text and whose text colour comes
from a CSS declaration (its own or inherited), against the background behind it: its own
background colour, else the nearest ancestor's, else white (the browser default page). Colours
with alpha < 1 are composited over what lies behind them. Form controls and links take their
text colour from the browser unless the CSS sets one, so they are only checked when it does;
inputs without a declared background sit on the browser's white field; a button without one has
a browser-specific face colour and is skipped. State rules (`:hover`, `:focus`, `::placeholder`,
...) are checked as variants of the elements they match. A rule with a colour that matches no
element is checked against its own background, else the page background. Not modelled:
font size (large text's 3:1 threshold is not applied: every pair must reach the minimum),
`opacity`, `@media` blocks (dark mode), text over images or gradients (skipped), `bgcolor` and
`<font color>` attributes, text shadows, positioned elements that do not sit on their
ancestors."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, TypeVar

from ._css import Applied, Cascade, Declaration, Properties, split_top_level
from .html_extract import NON_RENDERED, Document, Element, parse_html

# --------------------------------------------------------------------------- colours


@dataclass(frozen=True)
class Color:
    """sRGB colour: channels in [0, 255] (floats allowed), alpha in [0, 1]."""

    r: float
    g: float
    b: float
    a: float = 1.0

    def hex(self) -> str:
        rgb = f"{round(self.r):02x}{round(self.g):02x}{round(self.b):02x}"
        return f"#{rgb}" if self.a >= 1 else f"#{rgb}{round(self.a * 255):02x}"


WHITE = Color(255, 255, 255)
PAGE_DEFAULT = "the default page background (white)"
TRANSPARENT = Color(0, 0, 0, 0.0)


@cache
def named_colors() -> dict[str, str]:
    data = resources.files("benchmark").joinpath("data/css_named_colors.json").read_text("utf-8")
    colors: dict[str, str] = json.loads(data)["colors"]
    return colors


_HEX = re.compile(r"#([0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_FUNC = re.compile(r"(rgba?|hsla?)\(\s*(.*?)\s*\)", re.IGNORECASE | re.DOTALL)
_NUM = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)(%|deg|rad|grad|turn)?$", re.I)


def _clamp(v: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, v))


def _number(tok: str) -> tuple[float, str] | None:
    if tok.lower() == "none":
        return 0.0, ""
    m = _NUM.match(tok)
    if not m:
        return None
    return float(m.group(1)), (m.group(2) or "").lower()


def _alpha(tok: str | None) -> float | None:
    if tok is None:
        return 1.0
    n = _number(tok)
    if n is None or n[1] not in ("", "%"):
        return None
    return _clamp(n[0] / 100 if n[1] == "%" else n[0], 0.0, 1.0)


def _func_args(body: str) -> tuple[list[str], str | None] | None:
    """Split `a, b, c[, d]` or `a b c [/ d]` into the three channels and the alpha."""
    if "," in body:
        args = [a.strip() for a in body.split(",")]
        if len(args) not in (3, 4) or any(not a for a in args):
            return None
        return args[:3], (args[3] if len(args) == 4 else None)
    main, _, alpha = body.partition("/")
    args = main.split()
    if len(args) != 3 or (_ and not alpha.strip()):
        return None
    return args, (alpha.strip() or None)


def _rgb(body: str) -> Color | None:
    parsed = _func_args(body)
    if parsed is None:
        return None
    chans: list[float] = []
    for tok in parsed[0]:
        n = _number(tok)
        if n is None or n[1] not in ("", "%"):
            return None
        chans.append(_clamp(n[0] * 2.55 if n[1] == "%" else n[0], 0.0, 255.0))
    a = _alpha(parsed[1])
    return None if a is None else Color(chans[0], chans[1], chans[2], a)


def hsl_to_rgb(h: float, s: float, light: float) -> tuple[float, float, float]:
    """CSS Color 4 hslToRgb: hue in degrees, saturation and lightness in [0, 1]; -> 0..255."""
    h = h % 360

    def f(n: int) -> float:
        k = (n + h / 30) % 12
        a = s * min(light, 1 - light)
        return light - a * max(-1.0, min(k - 3, 9 - k, 1.0))

    return f(0) * 255, f(8) * 255, f(4) * 255


_ANGLE = {"": 1.0, "deg": 1.0, "rad": 180 / math.pi, "grad": 0.9, "turn": 360.0}


def _hsl(body: str) -> Color | None:
    parsed = _func_args(body)
    if parsed is None:
        return None
    (ht, st, lt), at = parsed
    h, s, lum = _number(ht), _number(st), _number(lt)
    if h is None or s is None or lum is None or h[1] not in _ANGLE:
        return None
    if s[1] not in ("%", "") or lum[1] not in ("%", ""):
        return None
    r, g, b = hsl_to_rgb(h[0] * _ANGLE[h[1]], _clamp(s[0] / 100, 0, 1), _clamp(lum[0] / 100, 0, 1))
    a = _alpha(at)
    return None if a is None else Color(r, g, b, a)


def parse_color(value: str) -> Color | None:
    """A CSS colour value (without var()), or None when not understood."""
    v = value.strip()
    low = v.lower()
    if low == "transparent":
        return TRANSPARENT
    named = named_colors().get(low)
    if named is not None:
        v = named
    m = _HEX.fullmatch(v)
    if m:
        d = m.group(1)
        if len(d) in (3, 4):
            d = "".join(ch * 2 for ch in d)
        vals = [int(d[i : i + 2], 16) for i in range(0, len(d), 2)]
        return Color(vals[0], vals[1], vals[2], vals[3] / 255 if len(vals) == 4 else 1.0)
    m = _FUNC.fullmatch(v)
    if m:
        return _rgb(m.group(2)) if m.group(1).lower().startswith("rgb") else _hsl(m.group(2))
    return None


def relative_luminance(c: Color) -> float:
    def lin(v: float) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b)


def contrast_ratio(fg: Color, bg: Color) -> float:
    """WCAG contrast ratio of two opaque colours (alpha is ignored: composite first)."""
    l1, l2 = relative_luminance(fg), relative_luminance(bg)
    hi, lo = max(l1, l2), min(l1, l2)
    return (hi + 0.05) / (lo + 0.05)


def composite(top: Color, bottom: Color) -> Color:
    """`top` painted over `bottom` (source-over, straight alpha)."""
    a = top.a + bottom.a * (1 - top.a)
    if a <= 0:
        return TRANSPARENT

    def ch(t: float, b: float) -> float:
        return (t * top.a + b * bottom.a * (1 - top.a)) / a

    return Color(ch(top.r, bottom.r), ch(top.g, bottom.g), ch(top.b, bottom.b), a)


WCAG_THRESHOLDS = (3.0, 4.5, 7.0)


def format_ratio(ratio: float) -> str:
    """`4.48:1`, rounded to two decimals as contrast checkers print it, except that a ratio just
    under a WCAG threshold is never printed as reaching it (4.4991 -> `4.499:1`, not `4.50:1`)."""
    text = f"{ratio:.2f}"
    if any(ratio < t <= float(text) for t in WCAG_THRESHOLDS):
        text = f"{math.floor(ratio * 1000) / 1000:.3f}"
    return f"{text}:1"


# --------------------------------------------------------------------------- var()

_VAR = re.compile(r"var\(\s*(--[\w-]+)\s*(,)?", re.IGNORECASE)


def resolve_vars(value: str, props: dict[str, str], depth: int = 0) -> str | None:
    """Substitute every var(--x[, fallback]); None when one cannot be resolved (or cycles)."""
    if depth > 16:
        return None
    out, pos = "", 0
    while True:
        m = _VAR.search(value, pos)
        if not m:
            return out + value[pos:]
        # Find the matching ")" of this var( to get its fallback.
        depth_p, i = 1, m.end()
        while i < len(value) and depth_p:
            depth_p += {"(": 1, ")": -1}.get(value[i], 0)
            i += 1
        if depth_p:
            return None
        fallback = value[m.end() : i - 1] if m.group(2) else None
        sub = props.get(m.group(1))
        if sub is None:
            sub = fallback
        if sub is None:
            return None
        resolved = resolve_vars(sub.strip(), props, depth + 1)
        if resolved is None:
            return None
        out += value[pos : m.start()] + resolved
        pos = i


# --------------------------------------------------------------------------- pairs

# Every property the analysis asks the cascade about (and custom properties, for var()).
CASCADE_PROPS = Properties(
    frozenset({"color", "background", "background-color", "background-image"}), custom=True
)
_IMAGE = re.compile(r"\b(url|[a-z-]*gradient|image-set|image|element|cross-fade)\(", re.I)
_RESET = frozenset({"initial", "unset", "none", "revert", "revert-layer"})
# Elements whose text colour comes from the browser, not from inheritance, unless CSS sets one.
_FIELD_TAGS = frozenset({"input", "textarea", "select"})
_NO_TEXT_INPUTS = frozenset(
    ["hidden", "checkbox", "radio", "range", "color", "file", "image", "submit", "reset", "button"]
)


_UNKNOWN = object()  # not computed yet (None is a computed text colour)
_V = TypeVar("_V")


def _outcome(compute: Callable[..., _V], *args: Any) -> _V | Unresolved:
    """compute(*args), or the Unresolved it raised: memoised like a value, raised again to
    whoever asks for it."""
    try:
        return compute(*args)
    except Unresolved as exc:
        return exc


def _top_down(memo: dict[int, Any], el: Element, compute: Callable[[Element], _V]) -> _V:
    """`memo`'s value for `el`, computing it and its uncached ancestors first (parents before
    children, without recursion: pages may nest thousands deep). An Unresolved is memoised like
    a value, and raised for every element it stands for."""
    known = memo.get(id(el), _UNKNOWN)
    if known is _UNKNOWN:
        chain: list[Element] = []
        node: Element | None = el
        while node is not None and id(node) not in memo:
            chain.append(node)
            node = node.parent
        for n in reversed(chain):
            memo[id(n)] = _outcome(compute, n)
        known = memo[id(el)]
    if isinstance(known, Unresolved):
        raise known
    return known


class _Inherit:
    """`background: inherit`: the parent's own background layer applies."""


class Unresolved(Exception):
    """A colour we cannot determine; the message says why (it appears in the report)."""


@dataclass(frozen=True)
class ContrastPair:
    text: str  # the text colour declaration, as written
    background: str  # the background declaration as written, or the default used
    fg: Color  # composited text colour
    bg: Color  # composited opaque background
    ratio: float
    where: str  # the element (or selector) the pair was found on


@dataclass(frozen=True)
class ContrastReport:
    pairs: list[ContrastPair]  # distinct pairs, in document order
    skipped: list[str]  # what could not be resolved, and why

    def worst(self) -> ContrastPair | None:
        return min(self.pairs, key=lambda p: p.ratio) if self.pairs else None


@dataclass(frozen=True)
class _Fg:
    decl: Declaration
    color: Color


@dataclass(frozen=True)
class _Bg:
    source: str
    color: Color  # opaque


class _Resolver:
    def __init__(self, cascade: Cascade) -> None:
        self.cascade = cascade
        self._fg: dict[int, _Fg | Unresolved | None] = {}
        self._bg: dict[int, _Bg | Unresolved] = {}
        self._layer: dict[int, tuple[str, Color] | Unresolved | None] = {}
        self._colors: dict[str, Color | None] = {}  # parse_color, per page
        self._shorthand: dict[str, Color | None] = {}  # a `background` value's colour
        self._made_fg: dict[tuple[int, int], _Fg] = {}
        self._made_bg: dict[tuple[str, int], tuple[Color, _Bg]] = {}

    def resolve_all(self, elements: list[Element]) -> None:
        """What `fg` and `bg` memoise, for every element of `elements` but the leaves that
        show no text (document order: a parent before its children, so each is one step from
        its parent's). An element that no rule applies to, not a form control or button, takes
        its parent's values as they are: `_compute_fg` and `_own_layer` would find no winner,
        so `fg` inherits (None for a link) and the layer is transparent, leaving the parent's
        background (or the parent's exception, raised again)."""
        fgs, bgs, layers = self._fg, self._bg, self._layer
        styled = self.cascade.styled
        for el in elements:
            if not el.children and not _shows_text(el):
                continue  # no pair reads it (one that asks, a state rule's, computes it then)
            parent = el.parent
            if parent is None or id(parent) not in bgs:
                self._resolve_one(el)
                continue
            tag = el.tag
            if tag in _FIELD_TAGS or tag == "button" or styled(el):
                self._step(el, parent)
                continue
            key, above = id(el), id(parent)
            fgs[key] = None if tag == "a" and "href" in el.attrs else fgs[above]
            layers[key] = None
            bgs[key] = bgs[above]

    def _resolve_one(self, el: Element) -> None:
        for compute in (self.fg, self.bg):
            with suppress(Unresolved):  # (memoised: raised again to whoever asks)
                compute(el)

    def _step(self, el: Element, parent: Element) -> None:
        """`_resolve_one` for an element whose parent is resolved: `fg`, `layer` and `bg`
        would each compute `el` alone and find the parent's values in their memos."""
        key = id(el)
        self._fg[key] = _outcome(self._compute_fg, el)
        layer = _outcome(self._own_layer, el, None)
        if isinstance(layer, _Inherit):
            layer = self._layer[id(parent)]
        self._layer[key] = layer
        if isinstance(layer, Unresolved):
            self._bg[key] = layer
            return
        self._bg[key] = _outcome(self._stack, layer, parent)

    def static_pair(self, el: Element) -> tuple[_Fg, _Bg] | None:
        """`el`'s text colour and background, after `resolve_all`: None when its text colour
        is the browser's (`fg` None); Unresolved raised as `fg`, then `bg`, would raise it."""
        fg = self._fg[id(el)]
        if fg is None:
            return None
        if isinstance(fg, Unresolved):
            raise fg
        bg = self._bg[id(el)]
        if isinstance(bg, Unresolved):
            raise bg
        return fg, bg

    def _value(self, decl: Declaration, el: Element | None) -> str:
        if "(" not in decl.value or _VAR.search(decl.value) is None:
            return decl.value.strip()  # no var(): resolve_vars would return it as it is
        value = resolve_vars(decl.value, self.cascade.custom_properties(el))
        if value is None:
            raise Unresolved(f"{decl.source!r}: a var() without a value or fallback")
        return value.strip()

    def _color_of(self, decl: Declaration, el: Element | None) -> Color:
        value = self._value(decl, el)
        if value in self._colors:
            color = self._colors[value]
        else:
            color = self._colors[value] = parse_color(value)
        if color is None:
            raise Unresolved(f"{decl.source!r}: colour not understood")
        return color

    # -- text colour
    def fg(self, el: Element | None) -> _Fg | None:
        """The text colour of `el` from CSS (None: the browser's default). Computed top-down
        over the uncached ancestors, without recursion (pages may nest thousands deep)."""
        if el is None:
            return None
        return _top_down(self._fg, el, self._compute_fg)

    def _compute_fg(self, el: Element) -> _Fg | None:
        won = self.cascade.winner(el, "color")
        if won is not None:
            return self.fg_from(won.decl, el)
        if el.tag in _FIELD_TAGS or el.tag == "button" or (el.tag == "a" and "href" in el.attrs):
            return None  # the browser's field/button/link colour, not inherited
        return self.fg(el.parent)

    def fg_from(self, decl: Declaration, el: Element | None) -> _Fg | None:
        low = decl.value.strip().lower()
        if low in ("inherit", "unset", "currentcolor"):
            return self.fg(el.parent) if el is not None else None
        if low in _RESET:
            return None
        color = self._color_of(decl, el)
        # One _Fg per declaration and colour (equal values: sharing them lets _Findings.add
        # recognise a repeated pair by identity; the key's objects live as long as the page).
        made = self._made_fg.get((id(decl), id(color)))
        if made is None:
            made = self._made_fg[id(decl), id(color)] = _Fg(decl, color)
        return made

    # -- background
    def layer(self, el: Element, override: Applied | None = None) -> tuple[str, Color] | None:
        """The background colour `el` paints itself (None: transparent); `background: inherit`
        chains are followed in a loop and memoised, not recursed."""
        inheriting: list[Element] = []  # elements whose layer is their parent's
        node: Element | None = el
        result: tuple[str, Color] | Unresolved | None = None
        while node is not None:
            if id(node) in self._layer and (node is not el or override is None):
                result = self._layer[id(node)]
                break
            got = _outcome(self._own_layer, node, override if node is el else None)
            if not isinstance(got, _Inherit):
                result = got
                if node is not el or override is None:
                    self._layer[id(node)] = got
                break
            inheriting.append(node)
            node = node.parent
        for n in inheriting:
            if n is not el or override is None:
                self._layer[id(n)] = result
        if isinstance(result, Unresolved):
            raise result
        return result

    def _own_layer(
        self, el: Element, override: Applied | None
    ) -> tuple[str, Color] | _Inherit | None:
        won = override or self.cascade.winner(el, "background", "background-color")
        image = override
        if image is None or image.decl.prop == "background-color":
            image = self.cascade.winner(el, "background", "background-image")
        if image is not None:
            val = self._value(image.decl, el)
            if image.decl.prop == "background-image":
                if val.lower() not in _RESET:
                    raise Unresolved(f"{image.decl.source!r}: text over an image or gradient")
            elif _IMAGE.search(val):
                raise Unresolved(f"{image.decl.source!r}: text over an image or gradient")
        if won is None:
            if el.tag in _FIELD_TAGS:
                return "the browser's default field background (white)", WHITE
            if el.tag == "button":
                raise Unresolved(
                    f"<button> ({el.describe()}) without a declared background: "
                    "the browser's button face colour varies"
                )
            return None
        decl = won.decl
        value = self._value(decl, el)
        low = value.lower()
        if low in _RESET:
            return None
        if low == "inherit":
            return _Inherit()
        if decl.prop == "background":
            if value in self._shorthand:
                color = self._shorthand[value]
            else:
                colors = [c for c in map(parse_color, split_top_level(value, " ")) if c is not None]
                color = self._shorthand[value] = colors[-1] if colors else None
            if color is None:
                return None  # the shorthand without a colour resets it to transparent
            return decl.source, color
        return decl.source, self._color_of(decl, el)

    def bg(self, el: Element, override: Applied | None = None) -> _Bg:
        """The opaque colour behind `el`'s text: its own layer composited over what is behind
        it (its parent's background, and so on up to the white page). Memoised and computed
        top-down over uncached ancestors, so deep pages stay linear and recursion-free."""
        if override is not None:
            return self._stack(self.layer(el, override), el.parent)
        return _top_down(self._bg, el, lambda n: self._stack(self.layer(n), n.parent))

    def _stack(self, layer: tuple[str, Color] | None, parent: Element | None) -> _Bg:
        if layer is not None and layer[1].a >= 1:
            # One _Bg per source and colour, as for _Fg (the colour kept alive with it).
            c = layer[1]
            known = self._made_bg.get((layer[0], id(c)))
            if known is not None:
                return known[1]
            made = _Bg(layer[0], Color(c.r, c.g, c.b))
            self._made_bg[layer[0], id(c)] = (c, made)
            return made
        behind = self.bg(parent) if parent is not None else _Bg(PAGE_DEFAULT, WHITE)
        if layer is None or layer[1].a <= 0:
            return behind
        c = composite(layer[1], behind.color)
        return _Bg(layer[0], Color(c.r, c.g, c.b))


def _shows_text(el: Element) -> bool:
    if el.tag in _FIELD_TAGS:
        return el.tag != "input" or el.attrs.get("type", "text").lower() not in _NO_TEXT_INPUTS
    return el.has_text


def _rendered_ids(elements: list[Element]) -> set[int]:
    """Ids of elements outside <head>, <style>, <script> and the like (document order lets a
    parent be decided before its children)."""
    hidden: set[int] = set()
    for el in elements:
        if el.tag in NON_RENDERED or (el.parent is not None and id(el.parent) in hidden):
            hidden.add(id(el))
    return {id(e) for e in elements} - hidden


@dataclass
class _Findings:
    """The pairs found so far (one per distinct declaration pair and colours) and what was
    skipped, each said once."""

    pairs: dict[tuple[str, str, str, str], ContrastPair] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    _added: dict[tuple[int, int], tuple[_Fg, _Bg]] = field(default_factory=dict)

    def add(self, fg: _Fg, bg: _Bg, where: str | Callable[[], str]) -> None:
        """The pair, unless an equal one was found before (a callable `where` is asked only
        then: most elements repeat a pair already found). The same two objects (kept in
        `_added`, so their ids stay theirs) make the same pair: nothing more to do."""
        if (id(fg), id(bg)) in self._added:
            return
        self._added[id(fg), id(bg)] = (fg, bg)
        fg_color = composite(fg.color, bg.color) if fg.color.a < 1 else fg.color
        key = (fg.decl.source, bg.source, fg_color.hex(), bg.color.hex())
        if key not in self.pairs:
            ratio = contrast_ratio(fg_color, bg.color)
            self.pairs[key] = ContrastPair(
                fg.decl.source,
                bg.source,
                fg_color,
                bg.color,
                ratio,
                where if isinstance(where, str) else where(),
            )

    def note(self, msg: str) -> None:
        if msg not in self.skipped:
            self.skipped.append(msg)

    @contextmanager
    def unless_unresolved(self) -> Iterator[None]:
        """Run the block; a colour it cannot resolve is noted as skipped instead."""
        try:
            yield
        except Unresolved as exc:
            self.note(str(exc))


def _element_pairs(
    elements: list[Element], rendered: set[int], res: _Resolver, found: _Findings
) -> None:
    """Each rendered element showing text, in its static state."""
    for el in elements:
        if id(el) not in rendered or not _shows_text(el):
            continue
        try:  # (found.unless_unresolved() inlined: this loop runs per element)
            pair = res.static_pair(el)
            if pair is not None:
                found.add(pair[0], pair[1], el.describe)
        except Unresolved as exc:
            found.note(str(exc))


def _variant_pairs(cascade: Cascade, rendered: set[int], res: _Resolver, found: _Findings) -> None:
    """Each state rule (`:hover`, `::placeholder`, ...) on the rendered elements it matches,
    where it changes a colour."""
    for rule, el, spec in cascade.variants:
        if id(el) not in rendered:
            continue
        color = cascade.variant_decl(rule, el, spec, "color")
        back = cascade.variant_decl(rule, el, spec, "background", "background-color")
        if color is None and back is None:
            continue  # the state changes no colour, or the element's own rules win
        with found.unless_unresolved():
            fg = res.fg_from(color.decl, el) if color is not None else res.fg(el)
            if fg is not None:
                found.add(fg, res.bg(el, back), f"{rule.selector_text} ({el.describe()})")


def _unmatched_pairs(
    doc: Document, cascade: Cascade, body: Element, res: _Resolver, found: _Findings
) -> None:
    """Each rule with a colour that matches no element (or whose selector is not supported),
    against its own background, else the page's."""
    for rule in cascade.unmatched + cascade.unsupported:
        color_decl = rule.get("color")
        if color_decl is None:
            continue
        bg_decl = rule.get("background", "background-color")
        if rule in cascade.unsupported and bg_decl is None:
            found.note(f"{rule.selector_text!r}: selector not supported, background unknown")
            continue
        with found.unless_unresolved():
            fg = res.fg_from(color_decl, doc.root)
            override = Applied(bg_decl, rule, (True, True, (0, 0, 0), 0, 0)) if bg_decl else None
            if fg is not None:
                found.add(fg, res.bg(body, override), f"{rule.selector_text} (matches no element)")


def analyse_contrast(html_source: str, doc: Document | None = None) -> ContrastReport:
    """Every resolvable text/background pair in an HTML page, with its contrast ratio. `doc`:
    the page already parsed (`parse_html(html_source)`; it is only read)."""
    doc = doc if doc is not None else parse_html(html_source)
    cascade = Cascade(doc, CASCADE_PROPS)
    res = _Resolver(cascade)
    found = _Findings(skipped=[f"{n} (skipped: depends on the device)" for n in cascade.skipped])
    elements = doc.elements()
    rendered = _rendered_ids(elements)
    body = next((e for e in elements if e.tag == "body"), doc.root)
    res.resolve_all(elements)
    _element_pairs(elements, rendered, res, found)
    _variant_pairs(cascade, rendered, res, found)
    _unmatched_pairs(doc, cascade, body, res, found)
    return ContrastReport(list(found.pairs.values()), found.skipped)
