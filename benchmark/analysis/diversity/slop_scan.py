"""The slop phrases of many texts at once, found with numpy over the token ids.

The same hits as `slop.phrase_matches` run on each text (a test compares them): every
position where an entry matches is found by walking the trie breadth-first over arrays of
candidate positions, one array per trie node (a node's positions are those whose tokens so far
match its path), and then the hits are chosen as phrase_matches chooses them: left to right,
the longest entry at a position (ties: the earlier entry), the scan resuming after it. Nothing
is remembered between calls: each run's vocabulary is looked at afresh."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import numpy as np
import numpy.typing as npt

from .tokens import IntArray, TokenisedTexts


class _Node(Protocol):
    """The slop list's trie node (slop._Node), as the scan reads it; a Protocol, because
    slop imports this module."""

    @property
    def words(self) -> Mapping[str, _Node]: ...
    @property
    def prefixes(self) -> Mapping[str, _Node]: ...
    @property
    def any(self) -> _Node | None: ...
    @property
    def entry(self) -> int | None: ...


class _RunVocab:
    """The token ids a pattern part accepts, in one run's vocabulary."""

    def __init__(self, tt: TokenisedTexts) -> None:
        self.index = tt.vocab
        words = list(tt.vocab)
        # Tokens hold no newline, so "\n" + prefix found in the newline-joined vocabulary marks
        # exactly the words that start with the prefix; `line_start[i]` is word i's newline.
        self.joined = "\n" + "\n".join(words)
        lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
        self.line_start = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]]).astype(np.int64)
        self._masks: dict[str, npt.NDArray[np.bool_]] = {}

    def word(self, word: str) -> int | None:
        return self.index.get(word)

    def prefix_mask(self, prefix: str) -> npt.NDArray[np.bool_]:
        """Boolean per vocabulary id: the word starts with `prefix`."""
        mask = self._masks.get(prefix)
        if mask is None:
            starts, needle = [], "\n" + prefix
            at = self.joined.find(needle)
            while at >= 0:
                starts.append(at)
                at = self.joined.find(needle, at + 1)
            mask = np.zeros(len(self.line_start), dtype=bool)
            mask[np.searchsorted(self.line_start, np.array(starts, dtype=np.int64))] = True
            self._masks[prefix] = mask
        return mask


def _children(
    node: _Node, vocab: _RunVocab, toks: IntArray
) -> list[tuple[_Node, npt.NDArray[np.bool_]]]:
    """Each child of `node` with the mask of the tokens `toks` it accepts (none: left out)."""
    out: list[tuple[_Node, npt.NDArray[np.bool_]]] = []
    for word, child in node.words.items():
        v = vocab.word(word)
        if v is not None:
            out.append((child, toks == v))
    for prefix, child in node.prefixes.items():
        out.append((child, vocab.prefix_mask(prefix)[toks]))
    if node.any is not None:
        out.append((node.any, np.ones(len(toks), dtype=bool)))
    return out


def _all_matches(root: _Node, tt: TokenisedTexts) -> tuple[IntArray, IntArray, IntArray]:
    """(start position, number of tokens, entry) of every entry matching anywhere, unordered.
    Positions index the flat token array; a match never crosses into the next text."""
    vocab = _RunVocab(tt)
    ids, text_of = tt.ids, tt.text_of
    n = len(ids)
    found: list[tuple[IntArray, int, int]] = []
    # (node, starts of the positions whose first `depth` tokens follow the node's path, depth)
    stack: list[tuple[_Node, IntArray, int]] = []
    # The first step looks only at the positions whose token starts some entry ("a", "the",
    # "delve"): most tokens start none, and masks over every position per child cost more.
    first = _children(root, vocab, np.arange(len(vocab.line_start), dtype=np.int64))
    can_start = np.zeros(len(vocab.line_start), dtype=bool)
    for _, accepted in first:
        can_start |= accepted
    cand = np.flatnonzero(can_start[ids])
    cand_ids = ids[cand]
    for child, accepted in first:
        chosen = cand[accepted[cand_ids]]
        if len(chosen):
            stack.append((child, chosen, 1))
    while stack:
        node, starts, depth = stack.pop()
        if node.entry is not None:
            found.append((starts, depth, node.entry))
        if not (node.words or node.prefixes or node.any):
            continue
        nxt = starts + depth
        keep = nxt < n
        starts, nxt = starts[keep], nxt[keep]
        keep = text_of[nxt] == text_of[starts]  # a phrase stays inside one text
        starts, nxt = starts[keep], nxt[keep]
        if not len(starts):
            continue
        for child, accepted in _children(node, vocab, ids[nxt]):
            chosen = starts[accepted]
            if len(chosen):
                stack.append((child, chosen, depth + 1))
    if not found:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    return (
        np.concatenate([s for s, _, _ in found]),
        np.concatenate([np.full(len(s), d, dtype=np.int64) for s, d, _ in found]),
        np.concatenate([np.full(len(s), e, dtype=np.int64) for s, _, e in found]),
    )


def phrase_entries_per_text(root: _Node, tt: TokenisedTexts) -> list[list[int]]:
    """Per text, the entry of each phrase hit in text order: phrase_matches' hits."""
    start, length, entry = _all_matches(root, tt)
    order = np.lexsort((entry, -length, start))  # by position, longest first, then entry
    per_text: list[list[int]] = [[] for _ in range(tt.n_texts)]
    text_of = tt.text_of[start[order]].tolist()
    free = 0  # matches stay inside their text, so one left-to-right scan serves all texts
    for s, ln, e, t in zip(
        start[order].tolist(), length[order].tolist(), entry[order].tolist(), text_of, strict=True
    ):
        if s >= free:
            per_text[t].append(e)
            free = s + ln
    return per_text
