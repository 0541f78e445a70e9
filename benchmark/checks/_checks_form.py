"""Checks on a poem's form: line count, stanza shape, syllables, acrostic, alphabetical
starts, refrain, rhyme. Lines and stanzas are those of benchmark.analysis.verse; sentences those of
benchmark.analysis.sentences; syllables those of benchmark.analysis.syllables; rhymes those of benchmark.analysis.rhymes.

Each runner takes (check, transcript, text) and returns a CheckResult whose verdict is True when
the item's text is true; evidence is a verbatim substring of `text` (the first line that breaks
the form) or ""."""

from __future__ import annotations

import math
import re
import string
from collections.abc import Callable
from typing import Any

from ..analysis.letters import base_letter, first_letter_or_digit
from ..analysis.rhymes import (
    GroupRhyme,
    RhymeLine,
    describe_sound,
    end_word,
    scheme_groups,
    shares_sound,
)
from ..analysis.sentences import sentence_spans
from ..analysis.syllables import line_syllables
from ..analysis.verse import VerseLine, parse_verse, verse_mask
from ..records.check_models import (
    AcrosticCheck,
    AlphabeticalStartsCheck,
    LineCountCheck,
    RefrainCheck,
    RhymeCheck,
    StanzaShapeCheck,
    SyllablesCheck,
)
from ..records.schemas import Message
from ._check_base import CheckResult, bounds, verbatim, within


def _line_count(check: LineCountCheck, transcript: list[Message], text: str) -> CheckResult:
    verse = parse_verse(text)
    n = len(verse.lines)
    ok = within(n, check.min, check.max)
    evidence = verse.lines[check.max].text if check.max is not None and n > check.max else ""
    rationale = f"{verse.describe()}; {bounds(check.min, check.max)} lines required"
    return CheckResult(ok, verbatim(evidence, text), rationale)


def _stanza_shape(check: StanzaShapeCheck, transcript: list[Message], text: str) -> CheckResult:
    verse = parse_verse(text)
    want = check.lines if isinstance(check.lines, list) else [check.lines] * check.stanzas
    got = [len(s) for s in verse.stanzas]
    rationale = f"{verse.describe()}; {check.stanzas} stanza(s) of {'+'.join(map(str, want))}"
    if got == want:
        return CheckResult(True, "", rationale + " required: met")
    evidence = ""
    for stanza, n, w in zip(verse.stanzas, got, want, strict=False):
        if n != w:  # the first stanza of the wrong length: quote its first line
            evidence = stanza[0].text
            break
    else:
        if len(got) > len(want):
            evidence = verse.stanzas[len(want)][0].text
    return CheckResult(False, verbatim(evidence, text), rationale + " required: not met")


def _syllables(check: SyllablesCheck, transcript: list[Message], text: str) -> CheckResult:
    lines = list(parse_verse(text).lines)
    if check.line_range is not None:
        first, last = check.line_range
        if len(lines) < last:
            return CheckResult(
                False,
                "",
                f"the poem has {len(lines)} line(s); the check needs lines {first}-{last}",
            )
        lines = lines[first - 1 : last]
    if not lines:
        return CheckResult(False, "", "the response has no lines to count syllables in")
    if len(check.per_line) > 1 and len(lines) != len(check.per_line):
        return CheckResult(
            False,
            "",
            f"{len(lines)} line(s) where the check gives counts for {len(check.per_line)}",
        )
    targets = check.per_line if len(check.per_line) > 1 else check.per_line * len(lines)
    tol = f"±{check.tolerance}" if check.tolerance else ""
    parts, failing, unknown = [], [], []
    for line, target in zip(lines, targets, strict=True):
        count = line_syllables(line.clean)
        good = count.low - check.tolerance <= target <= count.high + check.tolerance
        if not good:
            failing.append(line)
        parts.append(f"line {line.number}: {count.span()} ({target}{tol})" + ("" if good else " ✗"))
        unknown += [f"{w.word!r} {w.low}" for w in count.unknown]
    rationale = "; ".join(parts)
    if unknown:
        rationale += ". Not in the CMU dictionary, counted by rule: " + ", ".join(unknown)
    evidence = failing[0].text if failing else ""
    return CheckResult(not failing, verbatim(evidence, text), rationale)


def _initial(unit: str) -> str:
    """The base letter a line or sentence starts with ("" for a digit or nothing)."""
    found = first_letter_or_digit(unit)
    return base_letter(found[1]) if found else ""


def _initials_check(
    units: list[tuple[str, str]], expected: str, what: str, text: str
) -> tuple[bool, str, str]:
    """(met, evidence, rationale) for units, each (cleaned, as written), whose initials must
    spell `expected` exactly."""
    initials = [_initial(clean) for clean, _ in units]
    got = "".join(c or "·" for c in initials).upper()
    rationale = f"{len(units)} {what}(s) with initials {got or '(none)'}; "
    rationale += f"{expected.upper()} required ({len(expected)} {what}s)"
    for i, (initial, want) in enumerate(zip(initials, expected, strict=False)):
        if initial != want:
            return False, verbatim(units[i][1], text), rationale + f": {what} {i + 1} is wrong"
    if len(units) > len(expected):
        return False, verbatim(units[len(expected)][1], text), rationale + f": too many {what}s"
    if len(units) < len(expected):
        return False, "", rationale + f": too few {what}s"
    return True, "", rationale


def _lines(text: str) -> list[tuple[str, str]]:
    return [(ln.clean, ln.text) for ln in parse_verse(text).lines]


def _acrostic(check: AcrosticCheck, transcript: list[Message], text: str) -> CheckResult:
    ok, evidence, rationale = _initials_check(_lines(text), check.letters, "line", text)
    return CheckResult(ok, evidence, rationale)


def _alphabet_from(start: str) -> str:
    i = string.ascii_lowercase.index(start.lower())
    return string.ascii_lowercase[i:] + string.ascii_lowercase[:i]


def _alphabetical_starts(
    check: AlphabeticalStartsCheck, transcript: list[Message], text: str
) -> CheckResult:
    if check.unit == "line":
        units = _lines(text)
    else:
        units = [(text[s:e], text[s:e]) for s, e in sentence_spans(verse_mask(text))]
    ok, evidence, rationale = _initials_check(units, _alphabet_from(check.start), check.unit, text)
    return CheckResult(ok, evidence, rationale)


_QUOTE_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
_OUTER_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")
_WORDS = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def refrain_key(line: str, verbatim: bool) -> str:
    """What must match for a line to return: with `verbatim`, the words and internal
    punctuation (case, spacing and punctuation at either end ignored); otherwise the words."""
    s = " ".join(line.translate(_QUOTE_FOLD).lower().split())
    return _OUTER_PUNCT.sub("", s) if verbatim else " ".join(_WORDS.findall(s))


def _refrain(check: RefrainCheck, transcript: list[Message], text: str) -> CheckResult:
    lines = parse_verse(text).lines
    needed = max(check.line, *check.repeats_at)
    if len(lines) < needed:
        return CheckResult(
            False, "", f"the poem has {len(lines)} line(s); the refrain needs line {needed}"
        )
    source: VerseLine = lines[check.line - 1]
    key = refrain_key(source.clean, check.verbatim)
    how = "same words and punctuation" if check.verbatim else "same words"
    parts, evidence = [], ""
    for n in check.repeats_at:
        back = lines[n - 1]
        same = refrain_key(back.clean, check.verbatim) == key
        parts.append(f"line {n}" + ("" if same else " ✗"))
        if not same and not evidence:
            evidence = back.text
    rationale = f"line {check.line} {source.text!r} returns ({how}) at: {', '.join(parts)}"
    return CheckResult(not evidence, verbatim(evidence, text), rationale)


def _group_words(g: GroupRhyme) -> str:
    words = [(ln.word.written if ln.word else "(no word)") + ("" if ln in g.counted else " ✗")
             for ln in g.lines]  # fmt: skip
    if len(g.lines) == 1:
        return f"unrhymed: {words[0]}"
    sound = f" ({describe_sound(g.sound)})" if g.sound is not None and g.found else ""
    return f"{' / '.join(words)}{sound}"


def _sound_clashes(groups: dict[str, GroupRhyme]) -> list[tuple[str, str, RhymeLine]]:
    """(letter, earlier letter, its first line) for each group on an earlier group's sound:
    ABAB CDCD with C on A's sound is ABAB ADAD."""
    order = list(groups.items())
    clashes = []
    for i, (later, g) in enumerate(order):
        earlier = next((e for e, h in order[:i] if shares_sound(h, g)), None)
        if earlier is not None:
            clashes.append((later, earlier, g.lines[0]))
    return clashes


def _spelled_words(lines: list[RhymeLine]) -> str:
    """The note naming end words matched on spelling (not in the CMU dictionary), or ""."""
    unknown = {
        ln.word.written: ln.word.spelling
        for ln in lines
        if ln.word is not None and not ln.word.known and ln.word.spelling is not None
    }
    if not unknown:
        return ""
    listed = ", ".join(f"{w!r} -{sp}" for w, sp in unknown.items())
    return f". Not in the CMU dictionary, matched on spelling: {listed}"


def _rhyme(check: RhymeCheck, transcript: list[Message], text: str) -> CheckResult:
    verse = parse_verse(text)
    letters = check.letters
    if len(verse.lines) != len(letters):
        extra = verse.lines[len(letters)].text if len(verse.lines) > len(letters) else ""
        rationale = f"{verse.describe()}; the scheme {check.scheme} has {len(letters)} lines"
        return CheckResult(False, verbatim(extra, text), rationale + ": not met")
    lines = [
        RhymeLine(ln.number, ln.text, end_word(ln.clean), refrain_key(ln.clean, verbatim=False))
        for ln in verse.lines
    ]
    groups = scheme_groups(lines, letters)
    clashes = _sound_clashes(groups)
    parts = [f"{letter} {_group_words(g)}" for letter, g in groups.items()]
    parts += [f"{later} is on {earlier}'s sound ✗" for later, earlier, _ in clashes]
    breaks = [ln for g in groups.values() for ln in g.off] + [first for *_, first in clashes]
    found = sum(g.found for g in groups.values())
    needed = sum(g.needed for g in groups.values())
    required = math.ceil(check.min_share * needed - 1e-9)
    ok = found >= required and not clashes
    rationale = f"{len(lines)} lines; " + "; ".join(parts)
    rationale += f": {found} of {needed} rhymes (at least {required} required)"
    rationale += _spelled_words(lines)
    evidence = "" if ok else min(breaks, key=lambda ln: ln.number).text if breaks else ""
    return CheckResult(ok, verbatim(evidence, text), rationale)


RUNNERS: dict[str, Callable[[Any, list[Message], str], CheckResult]] = {
    "line_count": _line_count,
    "stanza_shape": _stanza_shape,
    "syllables": _syllables,
    "acrostic": _acrostic,
    "alphabetical_starts": _alphabetical_starts,
    "refrain": _refrain,
    "rhyme": _rhyme,
}
