"""Just enough CSS to find which declarations apply to which element: stylesheet parsing,
selector matching and the cascade (for the contrast check).

Supported:
- rules at the top level of `<style>` blocks and `style=""` attributes; `!important`;
- selectors: type, `*`, `.class`, `#id`, `[attr]` and `[attr=v]` (also `~=`, `|=`, `^=`, `$=`,
  `*=`), compounds of those, the descendant (` `) and child (`>`) combinators, selector lists,
  and the structural pseudo-classes `:root`, `:first-child`, `:last-child`;
- state pseudo-classes (`:hover`, `:focus`, `:focus-visible`, `:focus-within`, `:active`,
  `:visited`, `:link`, `:checked`, `:disabled`, `:enabled`, `:target`) and pseudo-elements
  (`::before`, `::after`, `::placeholder`, `::first-line`, `::first-letter`, `::marker`,
  `::selection`): the rule is a *variant* of the elements its selector matches with them
  removed; variants do not take part in the static cascade, and a variant declaration applies
  in its state only where it beats the element's static declarations of that property;
- the cascade order: `!important`, then inline style, then specificity, then source order.

Skipped (said so in reports): at-rule blocks (`@media`, `@supports`, `@layer`, ...) because which
one applies depends on the device; nested CSS rules; sibling combinators (`+`, `~`); other
pseudo-classes (`:not()`, `:nth-child()`, `:is()`, ...); `@import`ed and linked stylesheets."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .html_extract import Document, Element

STATE_PSEUDOS = frozenset(
    [
        "hover",
        "focus",
        "focus-visible",
        "focus-within",
        "active",
        "visited",
        "link",
        "checked",
        "disabled",
        "enabled",
        "target",
        "before",
        "after",
        "placeholder",
        "first-line",
        "first-letter",
        "marker",
        "selection",
    ]
)
STRUCTURAL_PSEUDOS = frozenset({"root", "first-child", "last-child"})

_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_IMPORTANT = re.compile(r"!\s*important\s*$", re.IGNORECASE)
_COMPOUND_TOKEN = re.compile(
    r"""(?P<type>\*|[a-zA-Z][a-zA-Z0-9-]*)
      |\#(?P<id>-?[_a-zA-Z][\w-]*)
      |\.(?P<cls>-?[_a-zA-Z][\w-]*)
      |\[\s*(?P<attr>[\w-]+)\s*(?:(?P<op>[~|^$*]?=)\s*(?P<val>"[^"]*"|'[^']*'|[^\]\s]+)\s*(?:[is]\s*)?)?\]
      |(?P<colons>::?)(?P<pseudo>[a-zA-Z-]+)(?P<args>\()?""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Declaration:
    prop: str  # lower-case property name ("color", "--brand")
    value: str  # the value without `!important`, stripped
    important: bool
    source: str  # the declaration as written, e.g. "color: #777"


@dataclass(frozen=True)
class Compound:
    tag: str | None = None  # None or "*" match any element
    ids: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    attrs: tuple[tuple[str, str | None, str | None], ...] = ()  # (name, operator, value)
    pseudos: tuple[str, ...] = ()  # structural only


@dataclass(frozen=True)
class Selector:
    text: str
    parts: tuple[Compound, ...]  # left to right
    combinators: tuple[str, ...]  # between parts: " " (descendant) or ">" (child)
    variant: bool  # had state pseudo-classes / pseudo-elements (removed from `parts`)
    specificity: tuple[int, int, int]


@dataclass(frozen=True)
class Rule:
    selector_text: str
    selectors: tuple[Selector | None, ...]  # None: a selector we do not support
    declarations: tuple[Declaration, ...]
    order: int  # source order across all stylesheets
    element: Element | None = None  # set for a style="" attribute

    def get(self, *props: str) -> Declaration | None:
        """The last declaration of any of `props` (later ones override earlier ones)."""
        found = None
        for d in self.declarations:
            if d.prop in props and (found is None or d.important or not found.important):
                found = d
        return found


# --------------------------------------------------------------------------- parsing


# The characters split_top_level acts on, per separator: every other character only extends the
# current part, so scanning from one of these to the next is the same walk, char by char.
_SPLIT_STOPS = {
    sep: re.compile(r"[\"'()\[\]" + (r"\s" if sep == " " else re.escape(sep)) + "]")
    for sep in (";", ",", " ")
}


_OPENS_NESTING = re.compile(r"[\"'(\[]")


def split_top_level(text: str, sep: str) -> list[str]:
    """Split on `sep` outside parentheses, brackets and quotes (`sep` " ": any whitespace,
    as str.isspace() and the regex class \\s agree on every code point)."""
    if sep != " " and not _OPENS_NESTING.search(text):
        return text.split(sep)  # nothing opens a nesting: the walk below would split everywhere
    stops = _SPLIT_STOPS.get(sep) or re.compile(r"[\"'()\[\]" + re.escape(sep) + "]")
    parts, depth, quote, start = [], 0, "", 0
    for m in stops.finditer(text):
        ch = m.group()
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0:  # a separator
            i = m.start()
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def parse_declarations(
    block: str, names: frozenset[str] | None = None, custom: bool = True
) -> tuple[Declaration, ...]:
    """The block's declarations; with `names`, only those properties (and, when `custom`,
    custom properties), as if the others were filtered out afterwards."""
    out = []
    if "/*" in block:  # (the substitution changes nothing without a comment opener)
        block = _COMMENT.sub(" ", block)
    for raw in split_top_level(block, ";"):
        colon = raw.find(":")
        if colon < 0:
            continue
        prop = raw[:colon].strip()
        if not prop or "{" in raw or "}" in raw:
            continue
        if names is not None:
            custom_prop = prop.startswith("--")
            if (custom_prop and not custom) or (not custom_prop and prop.lower() not in names):
                continue
        value = raw[colon + 1 :]
        important = "!" in value and bool(_IMPORTANT.search(value))
        value = (_IMPORTANT.sub("", value) if important else value).strip()
        name = prop if prop.startswith("--") else prop.lower()
        out.append(Declaration(name, value, important, raw.strip()))
    return tuple(out)


# A compound of a type (or `*`) and classes only, the common case: `_COMPOUND_TOKEN` would read
# the same type and classes from it (its name patterns are these).
_PLAIN_COMPOUND = re.compile(r"(\*|[a-zA-Z][a-zA-Z0-9-]*)?((?:\.-?[_a-zA-Z][\w-]*)*)")


def _plain_compound(text: str) -> tuple[Compound, bool, tuple[int, int, int]] | None:
    m = _PLAIN_COMPOUND.fullmatch(text)
    if m is None:
        return None
    tag = m.group(1).lower() if m.group(1) else None
    classes = tuple(m.group(2).split(".")[1:])
    return Compound(tag, (), classes), False, (0, len(classes), int(tag not in (None, "*")))


def parse_compound(text: str) -> tuple[Compound, bool, tuple[int, int, int]] | None:
    """A compound selector, whether it had state pseudos, its specificity; None if unsupported."""
    plain = _plain_compound(text)
    if plain is not None:
        return plain
    tag: str | None = None
    ids: list[str] = []
    classes: list[str] = []
    attrs: list[tuple[str, str | None, str | None]] = []
    pseudos: list[str] = []
    variant = False
    a = b = c = 0
    pos = 0
    while pos < len(text):
        m = _COMPOUND_TOKEN.match(text, pos)
        if not m or (m.group("type") and pos != 0):
            return None
        pos = m.end()
        if m.group("type"):
            tag = m.group("type").lower()
            c += tag != "*"
        elif m.group("id"):
            ids.append(m.group("id"))
            a += 1
        elif m.group("cls"):
            classes.append(m.group("cls"))
            b += 1
        elif m.group("attr"):
            val = m.group("val")
            if val is not None and val[:1] in "\"'":
                val = val[1:-1]
            attrs.append((m.group("attr").lower(), m.group("op"), val))
            b += 1
        else:
            name = m.group("pseudo").lower()
            if m.group("args") or not (name in STATE_PSEUDOS or name in STRUCTURAL_PSEUDOS):
                return None
            if name in STATE_PSEUDOS:
                variant = True
            else:
                pseudos.append(name)
            if m.group("colons") == "::":
                c += 1
            else:
                b += 1
    return (
        Compound(tag, tuple(ids), tuple(classes), tuple(attrs), tuple(pseudos)),
        variant,
        (a, b, c),
    )


_COMBINATOR_RUN = re.compile(r"([\s>+~]+)")
_BRACKETS = re.compile(r"[\[\]()]")


def _plain_selector_tokens(text: str) -> list[str]:
    """`_selector_tokens` of a selector without brackets or parentheses (so nothing nests and
    every whitespace, `>`, `+` and `~` separates): a run of them between two compounds is the
    last of `>+~` in it, else a descendant space; runs at either end are dropped."""
    out: list[str] = []
    pieces = _COMBINATOR_RUN.split(text)
    for i in range(0, len(pieces), 2):
        if not pieces[i]:
            continue
        if out:
            run = pieces[i - 1]
            out.append(next((ch for ch in reversed(run) if ch in ">+~"), " "))
        out.append(pieces[i])
    return out


def _selector_tokens(text: str) -> list[str]:
    """Compounds and combinators (" ", ">", "+", "~") of a complex selector, in order."""
    if not _BRACKETS.search(text):
        return _plain_selector_tokens(text)
    out: list[str] = []
    buf, depth, quote = "", 0, ""
    pending = ""
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


def parse_selector(text: str) -> Selector | None:
    """One complex selector (no commas); None when it uses something unsupported."""
    text = text.strip()
    if text[:1] in (">", "+", "~"):
        return None  # a relative selector (CSS nesting), not valid at the top level
    tokens = _selector_tokens(text)
    parts: list[Compound] = []
    combinators: list[str] = []
    variant = False
    spec = [0, 0, 0]
    for i, tok in enumerate(tokens):
        if i % 2 == 1:
            if tok in "+~":
                return None
            combinators.append(tok)
            continue
        parsed = parse_compound(tok)
        if parsed is None:
            return None
        comp, var, (x, y, z) = parsed
        parts.append(comp)
        variant |= var
        spec = [spec[0] + x, spec[1] + y, spec[2] + z]
    if not parts or len(combinators) != len(parts) - 1:
        return None
    return Selector(text, tuple(parts), tuple(combinators), variant, (spec[0], spec[1], spec[2]))


_BRACE = re.compile(r"[{}]")


class Properties:
    """The properties a cascade is built for: `names` (lower-case) and, when `custom`, every
    custom property (`--x`). A rule declaring none of them cannot change what the cascade is
    asked, so it is dropped before its selectors are parsed or matched, and a kept rule keeps
    only those declarations (their order, all that the cascade compares, is unchanged)."""

    def __init__(self, names: frozenset[str], custom: bool) -> None:
        self.names = names
        self.custom = custom
        # Words one of the names must contain; all are ASCII and space-free, so a block whose
        # lower-cased text has none of them declares none of the names (lower() maps each
        # character on its own, and a comment, replaced by a space, cannot join two words).
        self._words = [w for w in names if not any(w != v and v in w for v in names)]

    def may_declare(self, block: str) -> bool:
        """False only if `block` surely declares none of the properties (a cheap pre-test)."""
        if self.custom and "--" in block:
            return True
        low = block.lower()
        return any(w in low for w in self._words)

    def declarations(self, block: str) -> tuple[Declaration, ...]:
        """`parse_declarations(block)` of the properties only."""
        if not self.may_declare(block):
            return ()
        return parse_declarations(block, self.names, self.custom)


@dataclass
class Stylesheet:
    rules: list[Rule] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # human-readable notes


def _matching_brace(css: str, open_pos: int) -> int:
    depth = 0
    for m in _BRACE.finditer(css, open_pos):
        if m.group() == "{":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return m.start()
    return len(css)


def _statement_end(css: str, pos: int) -> int:
    """The `;` ending an at-statement (@import, @charset) that starts at `pos`, outside quotes and
    parentheses (an @import URL may hold semicolons); -1 if a block `{` comes first."""
    depth, quote = 0, ""
    for i in range(pos, len(css)):
        ch = css[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0 and ch == ";":
            return i
        elif depth == 0 and ch == "{":
            return -1
    return -1


def parse_stylesheet(
    css: str, sheet: Stylesheet, order_start: int = 0, props: Properties | None = None
) -> int:
    """Append the top-level rules of `css` to `sheet`; returns the next source-order number.
    With `props`, rules declaring none of them are numbered but not kept."""
    css = _COMMENT.sub(lambda m: " " * len(m.group()), css)
    order = order_start
    pos = 0
    while pos < len(css):
        brace = css.find("{", pos)
        head = css[pos : brace if brace != -1 else len(css)].strip()
        semi = _statement_end(css, pos) if head.startswith("@") else -1
        if semi != -1:
            pos = semi + 1  # @import / @charset statement
            continue
        if brace == -1:
            break
        close = css.find("}", brace)
        if close != -1 and css.find("{", brace + 1, close) == -1:
            end = close  # (what _matching_brace finds when nothing nests)
        else:
            end = _matching_brace(css, brace)
        body = css[brace + 1 : end]
        if head.startswith("@"):
            name = head.split()[0] if head.split() else head
            if "color" in body or "background" in body:
                sheet.skipped.append(f"rules inside {name} blocks")
        elif "{" in body:
            sheet.skipped.append(f"nested rules inside {head!r}")
        elif head:
            decls = parse_declarations(body) if props is None else props.declarations(body)
            if decls or props is None:
                sels = tuple(parse_selector(s) for s in split_top_level(head, ","))
                sheet.rules.append(Rule(head, sels, decls, order))
            order += 1
        pos = end + 1
    return order


# --------------------------------------------------------------------------- matching


# [attr OP val] tests on the attribute's value `have` (Selectors 3, 6.3): an empty `val` never
# matches ^=, $= or *=.
_ATTR_OPS: dict[str, Callable[[str, str], bool]] = {
    "=": lambda have, val: have == val,
    "~=": lambda have, val: val in have.split(),
    "|=": lambda have, val: have == val or have.startswith(val + "-"),
    "^=": lambda have, val: bool(val) and have.startswith(val),
    "$=": lambda have, val: bool(val) and have.endswith(val),
    "*=": lambda have, val: bool(val) and val in have,
}


def _attr_matches(attr: tuple[str, str | None, str | None], el: Element) -> bool:
    name, op, val = attr
    have = el.attrs.get(name)
    if have is None:
        return False
    return op is None or val is None or _ATTR_OPS[op](have, val)


def _pseudo_matches(pseudo: str, el: Element) -> bool:
    """The structural pseudo-classes (others were parsed as variants or refused)."""
    siblings = el.parent.children if el.parent is not None else []
    if pseudo == "root":
        return el.parent is None
    if pseudo == "first-child":
        return bool(siblings) and siblings[0] is el
    if pseudo == "last-child":
        return bool(siblings) and siblings[-1] is el
    return True


def _names_match(comp: Compound, el: Element) -> bool:
    """Type, ids and classes."""
    if comp.tag not in (None, "*") and comp.tag != el.tag:
        return False
    if any(el.attrs.get("id") != i for i in comp.ids):
        return False
    classes = el.classes
    return all(c in classes for c in comp.classes)


def _compound_matches(comp: Compound, el: Element) -> bool:
    if el.tag.startswith("#"):  # the document node
        return False
    return (
        _names_match(comp, el)
        and all(_attr_matches(a, el) for a in comp.attrs)
        and all(_pseudo_matches(p, el) for p in comp.pseudos)
    )


def selector_matches(sel: Selector, el: Element) -> bool:
    """Right-to-left matching, memoised per (compound, element): linear in the tree depth, and
    recursion only as deep as the selector has compounds."""
    if len(sel.parts) == 1:  # most selectors: no combinator, nothing to memoise
        return _compound_matches(sel.parts[0], el)
    memo: dict[tuple[int, int], bool] = {}

    def match_from(idx: int, node: Element) -> bool:
        key = (idx, id(node))
        if key not in memo:
            ok = _compound_matches(sel.parts[idx], node)
            if ok and idx > 0:
                if sel.combinators[idx - 1] == ">":
                    ok = node.parent is not None and match_from(idx - 1, node.parent)
                else:
                    anc, ok = node.parent, False
                    while anc is not None and not ok:
                        ok = match_from(idx - 1, anc)
                        anc = anc.parent
            memo[key] = ok
        return memo[key]

    return match_from(len(sel.parts) - 1, el)


def _compound_key(comp: Compound) -> str:
    """The most selective key a compound requires of an element (see `_carrying`): "#id",
    ".class", "<tag", or "*" for any element."""
    if comp.ids:
        return "#" + comp.ids[0]
    if comp.classes:
        return "." + comp.classes[0]
    if comp.tag not in (None, "*"):
        return "<" + (comp.tag or "")
    return "*"


def _is_only_key(comp: Compound) -> bool:
    """Whether the compound asks nothing but its key (`p`, `.note`, `#top`, `*`): every element
    carrying the key matches it, with nothing left to test."""
    if comp.attrs or comp.pseudos:
        return False
    return len(comp.ids) + len(comp.classes) + (comp.tag not in (None, "*")) <= 1


def _carrying(key: str, every: list[Element]) -> list[Element]:
    """The elements of `every` carrying `key` ("<tag", "#id", ".class" or "*"), in order."""
    kind, name = key[:1], key[1:]
    if kind == "<":
        return [e for e in every if e.tag == name]
    if kind == "#":
        return [e for e in every if e.attrs.get("id") == name]
    if kind == ".":  # (a class name is a substring of the attribute: a cheap pre-test)
        return [e for e in every if name in e.attrs.get("class", "") and name in e.classes]
    return every


class _PageIndex:
    """The page's elements filed under the keys they carry, in document order, so a selector
    is tried only on the elements carrying its rightmost compound's key (as browsers do).
    Elements named `#...` (the document node) match no compound and are left out. A key's
    list is made when first asked for (a page's rules ask for a few keys only)."""

    def __init__(self, root: Element, elements: list[Element]) -> None:
        """`elements`: root.iter()."""
        self.root = root
        every = [e for e in elements if not e.tag.startswith("#")]
        self.by_key: dict[str, list[Element]] = {"*": every}
        self._ancestor_masks: dict[int, int] | None = None
        self._bits: dict[str, int] = {}

    def candidates(self, key: str) -> list[Element]:
        """The elements carrying `key` (each once: `class="a a"` is under ".a" once)."""
        got = self.by_key.get(key)
        if got is None:
            got = self.by_key[key] = _carrying(key, self.by_key["*"])
        return got

    def position(self) -> dict[int, int]:
        """Each element's place in document order."""
        return {id(e): i for i, e in enumerate(self.by_key["*"])}

    def need_keys(self, keys: list[str]) -> int:
        """A bit mask of `keys` (each key its own bit: exact, not a Bloom filter)."""
        mask = 0
        for k in keys:
            mask |= self._bits.setdefault(k, 1 << len(self._bits))
        return mask

    def ancestor_mask(self, el: Element) -> int:
        """The bits of the needed keys carried by some ancestor of `el` (computed once, after
        every selector's needs were registered)."""
        if self._ancestor_masks is None:
            self._ancestor_masks = self._masks()
        return self._ancestor_masks[id(el)]

    def _masks(self) -> dict[int, int]:
        """Each element's ancestors' key bits, walking the tree as `Element.iter` does (so an
        ancestor is what the children lists say)."""
        own_bits: dict[int, int] = {}
        for key, bit in self._bits.items():
            for e in self.candidates(key):
                own_bits[id(e)] = own_bits.get(id(e), 0) | bit
        out: dict[int, int] = {}
        stack: list[tuple[Element, int]] = [(self.root, 0)]
        while stack:
            el, above = stack.pop()
            out[id(el)] = above
            own = own_bits.get(id(el), 0)
            stack.extend((c, above | own) for c in el.children)
        return out


@dataclass(frozen=True)
class _Plan:
    """How to find the elements one supported selector matches."""

    sel: Selector
    key: str  # the rightmost compound's key
    only_key: bool  # a lone compound that is just its key: every candidate matches
    needs: int  # key bits the other compounds require of some ancestor

    def matches(self, index: _PageIndex) -> list[Element]:
        cands = index.candidates(self.key)
        if self.only_key:
            return cands
        if len(self.sel.parts) == 1:
            comp = self.sel.parts[0]
            return [e for e in cands if _compound_matches(comp, e)]
        needs = self.needs
        cands = [e for e in cands if not needs & ~index.ancestor_mask(e)]
        if len(self.sel.parts) == 2:
            test_last = not _is_only_key(self.sel.parts[1])
            return [e for e in cands if _two_part_matches(self.sel, e, test_last)]
        return [e for e in cands if selector_matches(self.sel, e)]


def _two_part_matches(sel: Selector, el: Element, test_last: bool) -> bool:
    """`selector_matches` for `A B` and `A > B`, without its memo (each ancestor is tried once
    anyway); `test_last` False when `el` is known to match B (it carries B's only key)."""
    if test_last and not _compound_matches(sel.parts[1], el):
        return False
    first, node = sel.parts[0], el.parent
    if sel.combinators[0] == ">":
        return node is not None and _compound_matches(first, node)
    while node is not None:
        if _compound_matches(first, node):
            return True
        node = node.parent
    return False


def _plan(sel: Selector, index: _PageIndex) -> _Plan:
    needs = [k for k in map(_compound_key, sel.parts[:-1]) if k != "*"]
    last = sel.parts[-1]
    only = len(sel.parts) == 1 and _is_only_key(last)
    return _Plan(sel, _compound_key(last), only, index.need_keys(needs))


# --------------------------------------------------------------------------- cascade

CascadeKey = tuple[bool, bool, tuple[int, int, int], int, int]


@dataclass(frozen=True)
class Applied:
    """A declaration applying to an element, with its cascade position."""

    decl: Declaration
    rule: Rule
    key: CascadeKey


def _document_rules(doc: Document, props: Properties | None) -> tuple[list[Rule], list[str]]:
    """The `<style>` blocks' rules then one rule per `style=""` attribute, in source order, and
    what the stylesheets skipped (with `props`: the rules declaring some of them)."""
    sheet = Stylesheet()
    order = 0
    for css in doc.styles:
        order = parse_stylesheet(css, sheet, order, props)
    rules = list(sheet.rules)
    for el in doc.elements():
        style = el.attrs.get("style")
        if style:
            decls = parse_declarations(style) if props is None else props.declarations(style)
            if decls or props is None:
                rules.append(Rule("[style]", (), decls, order, el))
            order += 1
    return rules, sheet.skipped


# A rule applying to an element: (rule, from a style="" attribute, specificity, the rule's
# `_best_by_prop`).
_Match = tuple[Rule, bool, tuple[int, int, int], dict[str, tuple[int, Declaration]]]


def _best_by_prop(rule: Rule) -> dict[str, tuple[int, Declaration]]:
    """Per property, the rule's declaration that wins within the rule (its last `!important`
    one, else its last one: the greatest (important, index)), with its index."""
    best: dict[str, tuple[int, Declaration]] = {}
    for i, d in enumerate(rule.declarations):
        got = best.get(d.prop)
        if got is None or d.important or not got[1].important:
            best[d.prop] = (i, d)
    return best


class Cascade:
    """Which declarations apply to each element of a document.

    Each element keeps the rules that apply to it (not every declaration): a winner is the
    greatest cascade key (important, inline, specificity, source order, index), and the keys
    are distinct (one entry per rule and element), so it is found per rule from the rule's own
    winner of the properties asked for.

    With `props`, only those properties may be asked about: the rules declaring none of them
    are left out (of `rules`, `unmatched`, `unsupported` and `variants` too)."""

    def __init__(self, doc: Document, props: Properties | None = None) -> None:
        self.doc = doc
        self.rules, self.skipped = _document_rules(doc, props)
        self._matches: dict[int, list[_Match]] = {id(e): [] for e in doc.elements()}
        # Variant rules (state pseudo-classes / pseudo-elements) and the elements they match.
        self.variants: list[tuple[Rule, Element, tuple[int, int, int]]] = []
        self.unsupported: list[Rule] = []  # no selector of the list is supported
        self._vars: dict[int, dict[str, str]] = {}
        matched = self._match(_PageIndex(doc.root, doc.elements()))
        unsupported = {id(r) for r in self.unsupported}
        # Supported selectors matching no element.
        self.unmatched: list[Rule] = [
            r
            for r in self.rules
            if r.element is None and id(r) not in unsupported and id(r) not in matched
        ]
        self.variants.sort(key=lambda v: v[0].order)

    def _match(self, index: _PageIndex) -> set[int]:
        """Apply every rule to the elements it matches; the ids of the stylesheet rules that
        matched. Rules go in source order and each rule's elements in document order, the
        order the variants are reported in."""
        plans: list[tuple[Rule, list[_Plan]]] = []
        for rule in self.rules:
            if rule.element is not None:
                best = _best_by_prop(rule)
                self._matches[id(rule.element)].append((rule, True, (0, 0, 0), best))
                continue
            supported = [s for s in rule.selectors if s is not None]
            if not supported:
                self.unsupported.append(rule)
            plans.append((rule, [_plan(s, index) for s in supported]))
        matched: set[int] = set()
        for rule, rule_plans in plans:
            hits = _rule_hits(rule_plans, index)
            if hits:
                matched.add(id(rule))
                self._apply(rule, hits)
        return matched

    def _apply(self, rule: Rule, hits: list[_Hit]) -> None:
        """A matching rule applies at its most specific static selector's specificity; a
        variant entry when a state selector matched too."""
        best = _best_by_prop(rule)
        for el, static, variant in hits:
            if static is not None:
                self._matches[id(el)].append((rule, False, static, best))
            if variant is not None:
                self.variants.append((rule, el, variant))

    def variant_decl(
        self, rule: Rule, el: Element, spec: tuple[int, int, int], *props: str
    ) -> Applied | None:
        """The variant rule's declaration of `props` if, in that state, it would beat the
        element's static declarations of them (a later `.btn.secondary` beats `.btn:hover`)."""
        decl = rule.get(*props)
        if decl is None:
            return None
        applied = Applied(decl, rule, (decl.important, False, spec, rule.order, 0))
        static = self.winner(el, *props)
        return applied if static is None or applied.key > static.key else None

    def styled(self, el: Element) -> bool:
        """Whether any rule (or style attribute) applies to `el`."""
        return bool(self._matches[id(el)])

    def winner(self, el: Element, *props: str) -> Applied | None:
        """The cascade winner among declarations of any of `props` on `el` (None: none apply)."""
        matches = self._matches[id(el)]
        if not matches:
            return None  # most elements: no rule applies
        best: tuple[CascadeKey, Declaration, Rule] | None = None  # (an Applied made once)
        for rule, inline, spec, by_prop in matches:
            for prop in props:
                got = by_prop.get(prop)
                if got is None:
                    continue
                i, d = got
                key = (d.important, inline, spec, rule.order, i)
                if best is None or key > best[0]:
                    best = (key, d, rule)
        return None if best is None else Applied(best[1], best[2], best[0])

    def _own_custom(self, el: Element) -> list[tuple[CascadeKey, Declaration]]:
        """`el`'s own custom property declarations (`--x`), in cascade order."""
        own = [
            ((d.important, inline, spec, rule.order, i), d)
            for rule, inline, spec, _ in self._matches[id(el)]
            for i, d in enumerate(rule.declarations)
            if d.prop.startswith("--")
        ]
        own.sort(key=lambda a: a[0])
        return own

    def custom_properties(self, el: Element | None) -> dict[str, str]:
        """Custom properties (`--x`) computed for `el`: inherited, then its own cascade."""
        if el is None:
            return {}
        chain: list[Element] = []
        node: Element | None = el
        while node is not None and id(node) not in self._vars:
            chain.append(node)
            node = node.parent
        inherited = self._vars[id(node)] if node is not None else {}
        for n in reversed(chain):
            own = self._own_custom(n)
            if own:
                inherited = {**inherited, **{d.prop: d.value for _, d in own}}
            self._vars[id(n)] = inherited
        return self._vars[id(el)]


# An element a rule matches, with the greatest specificity among the rule's static selectors
# and among its state (variant) selectors that match it (None: no such selector matches).
_Hit = tuple[Element, tuple[int, int, int] | None, tuple[int, int, int] | None]


def _rule_hits(plans: list[_Plan], index: _PageIndex) -> list[_Hit]:
    """The elements a rule's supported selectors match, in document order."""
    if len(plans) == 1:
        sel = plans[0].sel
        if sel.variant:
            return [(e, None, sel.specificity) for e in plans[0].matches(index)]
        return [(e, sel.specificity, None) for e in plans[0].matches(index)]
    specs: dict[int, tuple[Element, list[tuple[int, int, int]], list[tuple[int, int, int]]]] = {}
    for plan in plans:
        for e in plan.matches(index):
            _, static, variant = specs.setdefault(id(e), (e, [], []))
            (variant if plan.sel.variant else static).append(plan.sel.specificity)
    position = index.position()
    return [
        (e, max(static) if static else None, max(variant) if variant else None)
        for e, static, variant in sorted(specs.values(), key=lambda h: position[id(h[0])])
    ]
