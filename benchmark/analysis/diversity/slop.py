"""The slop index: weighted hits of over-used machine phrases and stock names per 1,000 words.

The list is data (benchmark/data/slop_phrases.yaml, whose header says how weights were
chosen and how entries match). slop_per_1k = 1000 * sum over hits of the entry's weight /
number of word tokens (tokens.words) in the texts."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ...errors import UsageError
from .slop_scan import phrase_entries_per_text
from .tokens import WORD_RE, TokenisedTexts

STEP_CACHE_LIMIT = 100_000  # tokens remembered per trie node
DEFAULT_SLOP_LIST = Path(__file__).resolve().parents[2] / "data" / "slop_phrases.yaml"


class SlopListError(UsageError):
    """A slop list file that cannot be read or has a malformed entry."""


@dataclass(frozen=True)
class SlopEntry:
    text: str
    weight: float
    kind: str  # "phrase" | "name"


Part = tuple[str, str]  # ("word", w) | ("prefix", p) | ("any", "")


@dataclass
class _Node:
    """A trie over phrase patterns: one step per token, so a text is scanned once and the
    many entries sharing a first word ("a testament to", "a beacon of") cost one lookup."""

    words: dict[str, _Node] = field(default_factory=dict)
    prefixes: dict[str, _Node] = field(default_factory=dict)
    any: _Node | None = None
    entry: int | None = None  # a phrase ends here
    # token -> the nodes it leads to: texts repeat their words, and trying every prefix
    # pattern on every token was most of the scan's cost.
    _steps: dict[str, tuple[_Node, ...]] = field(default_factory=dict, repr=False, compare=False)

    def child(self, kind: str, value: str) -> _Node:
        if kind == "any":
            self.any = self.any or _Node()
            return self.any
        table = self.words if kind == "word" else self.prefixes
        return table.setdefault(value, _Node())

    def steps(self, tok: str) -> tuple[_Node, ...]:
        """The children a token matches: its word, the prefixes it starts with, and '*'."""
        found = self._steps.get(tok)
        if found is None:
            word = self.words.get(tok)
            found = (
                *([word] if word is not None else []),
                *(node for prefix, node in self.prefixes.items() if tok.startswith(prefix)),
                *([self.any] if self.any is not None else []),
            )
            if len(self._steps) >= STEP_CACHE_LIMIT:
                self._steps.clear()  # bounded memory in a long-lived process
            self._steps[tok] = found
        return found


@dataclass(frozen=True)
class SlopList:
    entries: list[SlopEntry]
    trie: _Node
    name_re: re.Pattern[str] | None
    name_index: dict[str, int]
    version: int | None = None  # the file's `version:`, recorded where the list scores items


def _phrase_parts(text: str, where: str) -> tuple[Part, ...]:
    parts: list[Part] = []
    for tok in text.lower().split():
        if tok == "*":
            parts.append(("any", ""))
        elif WORD_RE.fullmatch(tok.removesuffix("*")):
            stem = tok.removesuffix("*")
            parts.append(("prefix", stem) if tok.endswith("*") else ("word", stem))
        else:
            raise SlopListError(f"{where}: {tok!r} is not a word, a word ending in '*', or '*'")
    if not parts or parts[0][0] == "any":
        raise SlopListError(f"{where}: must start with a word")
    return tuple(parts)


def load_slop_list(path: str | Path | None = None) -> SlopList:
    """The parsed slop list. Parsed once per file version (path, size, mtime): a board build
    measures hundreds of runs and parsing the YAML would otherwise cost a sixth of each."""
    src = Path(path) if path is not None else DEFAULT_SLOP_LIST
    try:
        stat = src.stat()
    except OSError as err:
        raise SlopListError(f"{src}: cannot read the slop list ({err.strerror})") from None
    return _parse_slop_list(src, (src.resolve(), stat.st_size, stat.st_mtime_ns))


def _read_doc(src: Path) -> dict[str, Any]:
    """The list file's mapping (it must hold `phrases` and/or `names`)."""
    try:
        doc: Any = yaml.safe_load(src.read_text(encoding="utf-8"))
    except OSError as err:
        raise SlopListError(f"{src}: cannot read the slop list ({err.strerror})") from None
    except yaml.YAMLError as err:
        raise SlopListError(f"{src}: not valid YAML ({str(err).splitlines()[0]})") from None
    if not isinstance(doc, dict) or not ({"phrases", "names"} & doc.keys()):
        raise SlopListError(f"{src}: expected a mapping with 'phrases' and/or 'names' lists")
    return doc


def _list_version(src: Path, doc: dict[str, Any]) -> int | None:
    version = doc.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise SlopListError(f"{src}: version: expected an integer")
    return version


def _entry_fields(item: Any, where: str) -> tuple[str, float]:
    """An entry's stripped text and its weight (a positive number, not a bool)."""
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise SlopListError(f"{where}.text: expected a string")
    weight = item.get("weight")
    if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
        raise SlopListError(f"{where}.weight: expected a positive number")
    return item["text"].strip(), float(weight)


def _add_phrase(trie: _Node, text: str, where: str, idx: int) -> None:
    node = trie
    for part_kind, value in _phrase_parts(text, f"{where}.text"):
        node = node.child(part_kind, value)
    if node.entry is not None:
        raise SlopListError(f"{where}.text: same pattern as an earlier entry")
    node.entry = idx


def _add_name(name_index: dict[str, int], text: str, where: str, idx: int) -> None:
    if not re.fullmatch(r"\w+", text):
        raise SlopListError(f"{where}.text: a name is one word, got {text!r}")
    if text in name_index:
        raise SlopListError(f"{where}.text: {text!r} is listed twice")
    name_index[text] = idx


@lru_cache(maxsize=8)
def _parse_slop_list(src: Path, version: tuple[Path, int, int]) -> SlopList:
    """`version` is only the cache key: the file's real path, size and mtime."""
    doc = _read_doc(src)
    list_version = _list_version(src, doc)
    entries: list[SlopEntry] = []
    trie = _Node()
    name_index: dict[str, int] = {}
    for kind, key in (("phrase", "phrases"), ("name", "names")):
        items = doc.get(key) or []
        if not isinstance(items, list):
            raise SlopListError(f"{src}: {key}: expected a list")
        for i, item in enumerate(items):
            where = f"{src}: {key}[{i}]"
            text, weight = _entry_fields(item, where)
            if kind == "phrase":
                _add_phrase(trie, text, where, len(entries))
            else:
                _add_name(name_index, text, where, len(entries))
            entries.append(SlopEntry(text=text, weight=weight, kind=kind))
    return SlopList(entries, trie, _name_pattern(name_index), name_index, list_version)


def _name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """Whole-word names, longest first: the matches of r"\b(?:Elara|...)\b", found faster.
    A leading \b keeps the regex engine from skipping to the names' first letters, so each
    name checks the start boundary itself, with a lookbehind after its first letter ("not a
    word character before E"), which is the same test since a name starts with one. Names are
    grouped by first letter (in longest-first order within a group): at a position only the
    names starting with its letter can match, so the first that matches is the same one."""
    ordered = sorted(names, key=len, reverse=True)
    if not ordered:
        return None
    by_first: dict[str, list[str]] = {}
    for name in ordered:
        by_first.setdefault(name[0], []).append(re.escape(name[1:]))
    alts = (
        f"{re.escape(first)}(?<!\\w{re.escape(first)})(?:{'|'.join(rests)})"
        for first, rests in by_first.items()
    )
    return re.compile("(?:" + "|".join(alts) + r")\b")


def _longest_match(root: _Node, tokens: Sequence[str], start: int) -> tuple[int, int] | None:
    """(entry, length) of the longest phrase starting at `start` (ties: the earlier entry)."""
    best: tuple[int, int] | None = None
    end = len(tokens)
    stack = [(root, start)]
    while stack:  # the hot loop of the slop scan: plain appends, no generator
        node, j = stack.pop()
        if node.entry is not None:
            length = j - start
            if best is None or (length, -node.entry) > (best[1], -best[0]):
                best = (node.entry, length)
        if j < end:
            for nxt in node.steps(tokens[j]):
                stack.append((nxt, j + 1))
    return best


def phrase_matches(
    slop: SlopList, tokens: Sequence[str], starts: Iterable[int] | None = None
) -> list[tuple[int, int, int]]:
    """(entry index, first token, number of tokens) of each phrase hit, in text order. Hits do
    not overlap: scanning left to right, the longest entry matching at a position is counted
    and the scan resumes after it. `starts`: the positions whose token can start an entry,
    when already known."""
    found: list[tuple[int, int, int]] = []
    root = slop.trie
    if starts is None:  # only positions whose token can start an entry are examined
        starts = [i for i, t in enumerate(tokens) if root.steps(t)]
    free = 0
    for i in starts:
        if i < free:
            continue
        match = _longest_match(root, tokens, i)
        if match is not None:
            found.append((match[0], i, match[1]))
            free = i + match[1]
    return found


def slop_hits(
    slop: SlopList, text: str, tokens: Sequence[str], starts: Iterable[int] | None = None
) -> Counter[int]:
    """Entry index -> number of hits (phrases, see phrase_matches, and names) in one text."""
    hits: Counter[int] = Counter(entry for entry, _, _ in phrase_matches(slop, tokens, starts))
    if slop.name_re is not None:
        for m in slop.name_re.finditer(text):
            hits[slop.name_index[m.group(0)]] += 1
    return hits


def slop_summary(
    slop: SlopList, texts: Sequence[str], tt: TokenisedTexts, top: int = 10
) -> dict[str, Any]:
    """slop_per_1k over the texts (tokenised as `tt`), and the top entries by weighted hits."""
    n_words = int(tt.lengths.sum())
    in_texts: Counter[int] = Counter()
    # Every hit in the order slop_hits gives them, text after text (phrases, then names):
    # `count` and the weighted sum over it are then built in the same order as before.
    in_order: list[int] = []
    phrases = phrase_entries_per_text(slop.trie, tt)
    for text, entries in zip(texts, phrases, strict=True):
        if slop.name_re is not None:
            entries.extend(slop.name_index[name] for name in slop.name_re.findall(text))
        in_order.extend(entries)
        in_texts.update(set(entries))
    count = Counter(in_order)
    weighted = sum(slop.entries[i].weight * c for i, c in count.items())
    ranked = sorted(count, key=lambda i: (-slop.entries[i].weight * count[i], slop.entries[i].text))
    return {
        "slop_per_1k": 1000.0 * weighted / n_words if n_words else None,
        "top_slop": [
            {
                "text": slop.entries[i].text,
                "kind": slop.entries[i].kind,
                "weight": slop.entries[i].weight,
                "hits": count[i],
                "texts": in_texts[i],
            }
            for i in ranked[:top]
        ],
    }
