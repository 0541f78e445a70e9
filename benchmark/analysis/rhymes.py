"""Rhyme: the sound a line ends on, and which lines of a rhyme group share one.

- A line's *end word* is its last word, split as benchmark.analysis.syllables splits words (letters with
  internal apostrophes; hyphens split, so "moon-white" ends on "white"), accents folded, case
  ignored: punctuation and markdown at the line's end ("TONIGHT!**", "gone —") do not matter.
- A word's *rhyme sounds* come from the CMU Pronouncing Dictionary: for each of its
  pronunciations, the last vowel with primary or secondary stress and every phone after it,
  stress marks dropped ("night" AY T, "master" AE S T ER, "yesterday" EY, whose last syllable
  carries secondary stress). A pronunciation with no stressed vowel ("the") starts at its last
  vowel. A "'s" possessive the dictionary lacks is the word's sounds plus S, Z or IH Z (after a
  voiceless consonant, a voiced sound, a sibilant); a final apostrophe is dropped ("keys'").
- Two different words *rhyme* (perfect rhyme) when they share a sound, over any of their
  pronunciations: "wind" rhymes with "kind" and with "sinned", "again" with "pen" and with
  "rain". Homophones and rich rhymes count ("night" / "knight", "light" / "delight"); the same
  word does not rhyme with itself, and eye rhymes do not count ("love" / "move").
- A word the dictionary lacks is matched on spelling, and named in the rationale so a reader can
  check it: its *spelling rhyme* is its last vowel group (a, e, i, o, u, y) and the letters after
  it, where a final "e" after a consonant is not a group of its own ("glimmerfane" -ane, "blorp"
  -orp, "table" -able); it rhymes with a word of the same spelling rhyme ("glimmerfane" with
  "lane", not with "rain"). A number in digits rhymes with nothing: write numbers in words.

A *rhyme group* is the lines a scheme gives one letter. It rhymes on one sound. The candidates
are every dictionary sound of its words and the spelling rhyme of each word the dictionary lacks;
the lines *on* a dictionary sound are those whose word has it, plus those whose unknown word has
the spelling rhyme of a dictionary word on it ("glimmerfane" joins "lane" and "main" on EY N);
the lines on a spelling rhyme are the unknown words that have it. A word rhymed with itself
earns nothing: of the lines ending on one word only the first counts, unless the word ends a
*refrain*, a line repeated whole in the group (the same words, case and punctuation ignored):
then every refrain line counts and the word's other lines do not. So a villanelle's refrains
return on their word, and may both end on one word ("a second ago" / "an hour ago"), while
"ago" on a line that is not a refrain, or a varied refrain, is no rhyme. Lines that all end on
one word make no rhyme at all. The group's sound is the candidate with the most lines that
count (the first in line order on a tie); its other lines are *off* the scheme. A group of k
lines needs k - 1 rhymes and has n - 1, n being the lines that count."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from .letters import fold_accents
from .syllables import pronunciations

# ("cmu", "AY T"): a dictionary sound; ("spelling", "ane"): the spelling rhyme of unknown words.
Sound = tuple[str, str]

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*|\d+")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})
_VOWEL_GROUP = re.compile(r"[aeiouy]+")
_SIBILANTS = {"S", "Z", "SH", "ZH", "CH", "JH"}
_VOICELESS = {"P", "T", "K", "F", "TH"}


@dataclass(frozen=True)
class EndWord:
    written: str  # as in the line
    key: str  # folded, lower case: what "the same word" compares
    sounds: frozenset[str]  # dictionary sounds ("AY T"); empty when unknown
    spelling: str | None  # spelling rhyme; None for a number

    @property
    def known(self) -> bool:
        return bool(self.sounds)


def rhyme_part(phones: str) -> str:
    """The last stressed vowel of one pronunciation and the phones after it, stress dropped."""
    ph = phones.split()
    vowels = [i for i, p in enumerate(ph) if p[-1].isdigit()]
    stressed = [i for i in vowels if ph[i][-1] in "12"]
    start = (stressed or vowels or [0])[-1]
    return " ".join(p.rstrip("012") for p in ph[start:])


def spelling_rhyme(word: str) -> str | None:
    """The spelling rule for words the dictionary lacks (see the module docstring)."""
    if word.isdigit():
        return None
    w = re.sub(r"[^a-z]", "", fold_accents(word).lower())
    groups = list(_VOWEL_GROUP.finditer(w))
    if len(groups) > 1 and groups[-1].group() == "e" and groups[-1].end() == len(w):
        groups.pop()  # "fane": the final e after a consonant is silent
    return w[groups[-1].start() :] if groups else w


def _possessive_ending(last_phone: str) -> str:
    if last_phone in _SIBILANTS:
        return " IH Z"
    return " S" if last_phone in _VOICELESS else " Z"


@lru_cache(maxsize=4096)
def word_sounds(key: str) -> frozenset[str]:
    """The dictionary sounds of a folded, lower-case word (empty when the dictionary lacks it)."""
    table = pronunciations()
    found = table.get(key)
    if found is not None:
        return frozenset(rhyme_part(p) for p in found)
    if key.endswith("'s") and key[:-2] in table:
        return frozenset(
            rhyme_part(p) + _possessive_ending(p.split()[-1].rstrip("012")) for p in table[key[:-2]]
        )
    return frozenset()


def end_word(line: str) -> EndWord | None:
    """The last word of a line (None when it has none)."""
    words = _WORD.findall(line.translate(_APOSTROPHES))
    if not words:
        return None
    written = words[-1]
    key = fold_accents(written).lower()
    return EndWord(written, key, word_sounds(key), spelling_rhyme(key))


def rhymes(a: EndWord, b: EndWord) -> bool:
    """Whether two end words rhyme: different words sharing a sound (spelling when one of them
    is not in the dictionary)."""
    if a.key == b.key:
        return False
    if a.known and b.known:
        return bool(a.sounds & b.sounds)
    return a.spelling is not None and a.spelling == b.spelling


def describe_sound(sound: Sound) -> str:
    kind, value = sound
    return value if kind == "cmu" else f"-{value} (spelling)"


@dataclass(frozen=True)
class RhymeLine:
    number: int  # the line's number in the poem
    text: str  # as written
    word: EndWord | None
    repeat_key: str  # equal for two lines that repeat each other (a refrain)


@dataclass(frozen=True)
class GroupRhyme:
    lines: tuple[RhymeLine, ...]
    sound: Sound | None  # None: no line has a sound (numbers only)
    counted: tuple[RhymeLine, ...]  # the lines on the sound that count

    @property
    def needed(self) -> int:
        return len(self.lines) - 1

    @property
    def found(self) -> int:
        return max(0, len(self.counted) - 1)

    @property
    def off(self) -> list[RhymeLine]:
        return [ln for ln in self.lines if ln not in self.counted]


def on_sound(sound: Sound, lines: Sequence[RhymeLine]) -> list[RhymeLine]:
    """The lines whose end word is on `sound` (before the same-word rule)."""
    kind, value = sound
    words = [(ln, ln.word) for ln in lines if ln.word is not None]
    if kind == "spelling":
        return [ln for ln, w in words if not w.known and w.spelling == value]
    known = {w.spelling for _, w in words if value in w.sounds}
    return [
        ln
        for ln, w in words
        if value in w.sounds or (not w.known and w.spelling is not None and w.spelling in known)
    ]


def _counting(on: list[RhymeLine]) -> tuple[RhymeLine, ...]:
    """The same-word rule: every refrain line counts; a word that ends no refrain counts on its
    first line only; nothing rhymes when every line left ends on one word."""
    repeats = Counter(ln.repeat_key for ln in on)
    counted = [ln for ln in on if repeats[ln.repeat_key] > 1]
    words = {ln.word.key for ln in counted if ln.word is not None}
    for ln in on:
        if ln.word is not None and ln.word.key not in words:
            counted.append(ln)
            words.add(ln.word.key)
    counted.sort(key=lambda ln: ln.number)
    return tuple(counted if len(words) > 1 else counted[:1])


def candidates(lines: Sequence[RhymeLine]) -> list[Sound]:
    out: list[Sound] = []
    for ln in lines:
        w = ln.word
        if w is None:
            continue
        if w.known:
            out += [("cmu", s) for s in sorted(w.sounds)]
        elif w.spelling is not None:
            out.append(("spelling", w.spelling))
    return list(dict.fromkeys(out))


def group_rhyme(lines: Sequence[RhymeLine]) -> GroupRhyme:
    best: GroupRhyme = GroupRhyme(tuple(lines), None, ())
    for sound in candidates(lines):
        counted = _counting(on_sound(sound, lines))
        if best.sound is None or len(counted) > len(best.counted):
            best = GroupRhyme(tuple(lines), sound, counted)
    return best


def shares_sound(earlier: GroupRhyme, later: GroupRhyme) -> bool:
    """Whether `later`'s rhyming lines are all on `earlier`'s sound: two letters, one sound."""
    if earlier.sound is None or later.sound is None or not earlier.found or not later.found:
        return False
    on = on_sound(earlier.sound, [*earlier.counted, *later.counted])
    return all(ln in on for ln in later.counted)


def scheme_groups(lines: Sequence[RhymeLine], letters: str) -> dict[str, GroupRhyme]:
    """letter -> its group's rhyme, in order of first use, for one letter per line."""
    by_letter: dict[str, list[RhymeLine]] = {}
    for ln, letter in zip(lines, letters, strict=True):
        by_letter.setdefault(letter, []).append(ln)
    return {letter: group_rhyme(group) for letter, group in by_letter.items()}
