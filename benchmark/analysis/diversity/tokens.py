"""Word tokenisation shared by every lexical metric, and exact integer ids for n-grams.

One tokeniser for all metrics so that distinct-n, self-BLEU, TF-IDF and the slop rate count
the same words: lowercase, maximal runs of word characters keeping internal apostrophes
("don't", "o'clock"); punctuation and whitespace are dropped. Curly apostrophes are folded
to straight ones first so that "don’t" and "don't" are one word."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

WORD_RE = re.compile(r"\w+(?:'\w+)*")
_CURLY = ("’", "‘", "ʼ")
_APOSTROPHES = str.maketrans(dict.fromkeys(_CURLY, "'"))

IntArray = npt.NDArray[np.int64]


def _fold(text: str) -> str:
    """Curly apostrophes made straight, then lowercased. `str.translate` with a dict table
    walks the text in Python-level steps; three C-level replaces give the same string, and
    most texts need none of them."""
    for ch in _CURLY:
        if ch in text:
            text = text.replace(ch, "'")
    return text.lower()


# The fast path of `words` (same tokens, about a third of the time). On ASCII text \w is
# [A-Za-z0-9_], so the tokens are the runs of those characters joined by apostrophes that have
# a word character on both sides: every other character becomes a space (bytes.translate,
# lowercasing on the way), so does every other apostrophe, and str.split cuts the tokens.
_ASCII_WORD = b"abcdefghijklmnopqrstuvwxyz0123456789_"
_ASCII_TABLE = bytes(
    c if c in _ASCII_WORD or c == ord("'") else c + 32 if 65 <= c <= 90 else ord(" ")
    for c in range(256)
)
_LONE_APOSTROPHE = re.compile(r"'(?:(?![a-z0-9_])|(?<![a-z0-9_]'))")  # no word char after/before
_NON_ASCII_NON_WORD = re.compile(r"[^\x00-\x7f\w]")  # "—", "“", "£", emoji; not "é"


def _ascii_spaced(text: str) -> str:
    """An ASCII `text` with every character outside WORD_RE's tokens (of text.lower()) made a
    space, the tokens lowercased: its str.split() is WORD_RE.findall(text.lower())."""
    spaced = text.encode("ascii").translate(_ASCII_TABLE).decode("ascii")
    if "'" in spaced:
        spaced = _LONE_APOSTROPHE.sub(" ", spaced)  # decided on the neighbours before the sub
    return spaced


# The same for text that keeps non-ASCII word characters ("café"): in UTF-8 they are bytes
# of 0x80 and above, which the table keeps as they are, and ASCII bytes never occur inside
# them, so the ASCII bytes are translated as in `_ascii_spaced`. Afterwards every character is
# a word character, an apostrophe or a space, so "not a word character" is [ '] (or the end).
_UTF8_TABLE = bytes(c if c >= 0x80 else _ASCII_TABLE[c] for c in range(256))
_LONE_APOSTROPHE_UTF8 = re.compile(r"'(?:(?![^ '])|(?<![^ ']'))")


def _letter_spaced(spaced: str) -> str:
    """_ascii_spaced for a text whose only non-ASCII characters are word characters (no word
    character is whitespace, so splitting still cuts at the spaces only)."""
    out = spaced.encode("utf-8").translate(_UTF8_TABLE).decode("utf-8")
    if "'" in out:
        out = _LONE_APOSTROPHE_UTF8.sub(" ", out)
    return out


def _spaced(text: str) -> str:
    """The folded `text` with every character outside a token made a space: the tokens are
    its space-separated runs, and the only whitespace in it is " "."""
    if text.isascii():  # no curly apostrophe to fold; lowercasing is the table's A-Z -> a-z
        return _ascii_spaced(text)
    # To WORD_RE every character that is neither a word character nor an apostrophe is
    # alike, so non-ASCII ones ("—", "“", emoji) may become spaces; non-ASCII letters stay.
    spaced = _NON_ASCII_NON_WORD.sub(" ", _fold(text))
    return _ascii_spaced(spaced) if spaced.isascii() else _letter_spaced(spaced)


def words(text: str) -> list[str]:
    """The word tokens of `text` (lowercased): WORD_RE over the folded text."""
    return _spaced(text).split()


def word_spans(text: str) -> tuple[list[str], list[tuple[int, int]] | None]:
    """The tokens of `words(text)` and their (start, end) offsets in `text`, for quoting a hit.
    Offsets are None when lower-casing changed the text's length ("İ" becomes two characters),
    which would shift them."""
    folded = _fold(text)
    found = list(WORD_RE.finditer(folded))
    spans = [m.span() for m in found] if len(folded) == len(text) else None
    return [m.group() for m in found], spans


@dataclass(frozen=True)
class TokenisedTexts:
    """Texts as one flat array of vocabulary ids, with the text each position belongs to."""

    ids: IntArray  # vocabulary id per token position, all texts concatenated
    text_of: IntArray  # index of the text each position belongs to
    lengths: IntArray  # tokens per text
    vocab: dict[str, int]  # in id order

    @property
    def n_texts(self) -> int:
        return len(self.lengths)

    @cached_property
    def tokens(self) -> list[list[str]]:
        """Each text's tokens, words(text), from the ids (made when first asked for: the
        headline report never needs them as strings)."""
        flat = np.array(list(self.vocab), dtype=object)[self.ids].tolist()
        ends = np.cumsum(self.lengths).tolist()
        return [flat[end - n : end] for n, end in zip(self.lengths.tolist(), ends, strict=True)]


def tokenise(texts: list[str]) -> TokenisedTexts:
    """The texts' tokens as ids numbered in order of first appearance (as a dict's setdefault
    over the tokens numbers them). Arrow splits the spaced texts and numbers the tokens in C++
    (its dictionary_encode numbers values in order of first appearance), so no Python string
    is made per token: making and hashing them was most of tokenising."""
    spaced = [_spaced(t).strip() for t in texts]
    filled = [i for i, s in enumerate(spaced) if s]  # "" would split into one empty token
    lengths = np.zeros(len(texts), dtype=np.int64)
    ids: IntArray = np.zeros(0, dtype=np.int64)
    vocab: dict[str, int] = {}
    if filled:
        # Only " " separates tokens, and runs of it are one cut (the texts are stripped).
        lists = pc.ascii_split_whitespace(pa.array([spaced[i] for i in filled], pa.large_string()))
        lengths[filled] = pc.list_value_length(lists).to_numpy()
        encoded = pc.dictionary_encode(pc.list_flatten(lists))
        ids = encoded.indices.to_numpy().astype(np.int64)
        vocab = {w: i for i, w in enumerate(encoded.dictionary.to_pylist())}
    return TokenisedTexts(
        ids=ids,
        text_of=np.repeat(np.arange(len(texts), dtype=np.int64), lengths),
        lengths=lengths,
        vocab=vocab,
    )


def sorted_unique(values: IntArray) -> IntArray:
    """np.unique by sorting: numpy 2's default hash-based unique is ~10x slower on int64."""
    if not len(values):
        return values
    ordered = np.sort(values)
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def ngram_ids(tt: TokenisedTexts, max_n: int) -> list[tuple[IntArray, IntArray]]:
    """For n = 1..max_n: (text index, n-gram id) of every n-gram occurrence.

    Ids are exact: the id of an n-gram numbers the distinct pairs (id of its first n-1 words,
    id of its last word) in order of first appearance, so equal ids mean equal n-grams and the
    ids of order n are dense in [0, number of distinct n-grams). N-grams never cross a text
    boundary."""
    out: list[tuple[IntArray, IntArray]] = []
    n_pos = len(tt.ids)
    cur = tt.ids.copy()  # id of the n-gram starting at each position (-1: none)
    out.append((tt.text_of, cur.copy()))
    width = int(tt.ids.max()) + 1 if n_pos else 1
    for n in range(2, max_n + 1):
        nxt = np.full(n_pos, -1, dtype=np.int64)
        if n_pos >= n:
            start = np.arange(n_pos - n + 1)
            last = start + n - 1
            ok = (cur[start] >= 0) & (tt.text_of[start] == tt.text_of[last])
            start = start[ok]
            if len(start):
                pair = cur[start] * width + tt.ids[start + n - 1]
                nxt[start] = pd.factorize(pair)[0]  # hashing: faster than np.unique's sort
        cur = nxt
        valid = cur >= 0
        out.append((tt.text_of[valid], cur[valid]))
    return out
