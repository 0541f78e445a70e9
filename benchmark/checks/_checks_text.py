"""Checks on the response's text: characters, regular expressions, phrases, dialogue share,
slop rate, and per-turn word caps.

Each runner takes (check, transcript, text) and returns a CheckResult whose verdict is True when
the item's text is true; evidence is a verbatim substring of `text` or ""."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..analysis.dialogue import dialogue_count
from ..analysis.letters import fold_accents
from ..analysis.phrases import listed_hits, phrase_hits
from ..analysis.regex_guard import MAX_SUBJECT, compile_guarded, flag_bits
from ..analysis.sentences import sentences
from ..analysis.text_units import word_count
from ..analysis.verse import parse_verse
from ..records.check_models import (
    AnyPhrasesCheck,
    CharactersCheck,
    DialogueShareCheck,
    RegexCheck,
    SlopRateCheck,
)
from ..records.schemas import Message, WordCountCheck
from ._check_base import (
    CheckResult,
    assistant_turns,
    bounds,
    combine_turns,
    select_turns,
    turn_scope,
    verbatim,
    within,
)

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
PHRASE_LISTS = {
    "slop": DATA_DIR / "slop_phrases.yaml",  # the list `musebench diversity` reports
    "ei_boilerplate": DATA_DIR / "ei_boilerplate.yaml",
}
_TOKEN = re.compile(r"\S+")
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")


# --------------------------------------------------------------------------- characters


def _char_keys(ch: str, case_sensitive: bool) -> set[str]:
    """What a character of the text can stand for: itself and its unaccented letters."""
    keys = {ch, *fold_accents(ch)}
    return keys if case_sensitive else {k.lower() for k in keys}


def _word_at(text: str, offset: int, wanted: set[str], case_sensitive: bool) -> str:
    """The word around `offset`, without surrounding punctuation unless that is the match."""
    for m in _TOKEN.finditer(text):
        if m.start() <= offset < m.end():
            word = _EDGE_PUNCT.sub("", m.group())
            has = any(_char_keys(c, case_sensitive) & wanted for c in word)
            return word if word and has else m.group()
    return ""


def _characters(check: CharactersCheck, transcript: list[Message], text: str) -> CheckResult:
    fold = (lambda s: s) if check.case_sensitive else str.lower
    present, absent = set(fold(check.present)), set(fold(check.absent))
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    cache: dict[str, set[str]] = {}
    for i, ch in enumerate(text):
        keys = cache.setdefault(ch, _char_keys(ch, check.case_sensitive))
        for k in keys & (present | absent):
            counts[k] += 1
            first.setdefault(k, i)
    missing = sorted(present - counts.keys())
    offending = sorted((first[k], k) for k in absent if k in counts)
    parts = [
        f"{k!r} occurs {counts[k]}x" if k in counts else f"{k!r} does not occur"
        for k in sorted(present | absent)
    ]
    how = "case-sensitive" if check.case_sensitive else "case and accents ignored"
    rationale = f"{'; '.join(parts)} ({how})"
    if offending:
        offset, k = offending[0]
        word = _word_at(text, offset, {k}, check.case_sensitive)
        return CheckResult(False, verbatim(word, text), f"{rationale}: {k!r} must not occur")
    if missing:
        return CheckResult(False, "", f"{rationale}: {', '.join(map(repr, missing))} must occur")
    offset = min(first[k] for k in present)
    word = _word_at(text, offset, present, check.case_sensitive)
    return CheckResult(True, verbatim(word, text), rationale)


# --------------------------------------------------------------------------- regex


def _subjects(text: str) -> tuple[list[str], bool]:
    """The lines of `text` to match; a line over MAX_SUBJECT characters is split into its
    sentences, each cut to MAX_SUBJECT. The flag says whether anything was cut."""
    out, cut = [], False
    for line in text.replace("\r\n", "\n").split("\n"):
        if len(line) <= MAX_SUBJECT:
            out.append(line)
            continue
        for sentence in sentences(line):
            cut = cut or len(sentence) > MAX_SUBJECT
            out.append(sentence[:MAX_SUBJECT])
    return out, cut


def _regex(check: RegexCheck, transcript: list[Message], text: str) -> CheckResult:
    pattern = compile_guarded(check.pattern, flag_bits(check.flags))
    shown = f"/{check.pattern}/" + (f" ({', '.join(check.flags)})" if check.flags else "")
    note = f" (lines over {MAX_SUBJECT} characters were cut to {MAX_SUBJECT})"
    if check.mode == "all_lines":
        verse = parse_verse(text)
        if not verse.lines:
            return CheckResult(False, "", f"no lines to match {shown} against")
        cut = any(len(line.clean) > MAX_SUBJECT for line in verse.lines)
        failing = [ln for ln in verse.lines if not pattern.search(ln.clean[:MAX_SUBJECT])]
        head = f"{len(verse.lines) - len(failing)} of {len(verse.lines)} line(s) match {shown}"
        head += note if cut else ""
        if failing:
            where = ", ".join(str(ln.number) for ln in failing[:10])
            return CheckResult(
                False, verbatim(failing[0].text, text), f"{head}; not line(s) {where}"
            )
        return CheckResult(True, "", head)
    subjects, cut = _subjects(text)
    hits = [m for s in subjects if (m := pattern.search(s))]
    tail = note if cut else ""
    if not hits:
        return CheckResult(check.mode == "none", "", f"no line matches {shown}{tail}")
    first = hits[0].group() or hits[0].string.strip()
    rationale = f"{len(hits)} line(s) match {shown}{tail}"
    return CheckResult(check.mode == "any", verbatim(first, text), rationale)


# --------------------------------------------------------------------------- phrases


def _any_phrases(check: AnyPhrasesCheck, transcript: list[Message], text: str) -> CheckResult:
    found = phrase_hits(check.phrases, text)
    if not found:
        return CheckResult(False, "", f"none of the {len(check.phrases)} phrases occurs")
    return CheckResult(True, verbatim(found[0][2], text), f"phrase(s) found: {listed_hits(found)}")


# --------------------------------------------------------------------------- dialogue


def _dialogue_share(check: DialogueShareCheck, transcript: list[Message], text: str) -> CheckResult:
    count = dialogue_count(text)
    if count.share is None:
        return CheckResult(False, "", "the response has no words, so no dialogue share")
    lo = None if check.min is None else f"{check.min:.0%}"
    hi = None if check.max is None else f"{check.max:.0%}"
    rationale = (
        f"{count.dialogue} of {count.words} words ({count.share:.1%}) are dialogue (in "
        f"quotation marks or on dash-led lines); {bounds(lo, hi)} required"
    )
    return CheckResult(within(count.share, check.min, check.max), "", rationale)


# --------------------------------------------------------------------------- slop rate


def _slop_rate(check: SlopRateCheck, transcript: list[Message], text: str) -> CheckResult:
    # Imported here: benchmark.analysis.diversity pulls in pandas and friends, which most runs that
    # only check word counts never need.
    from ..analysis.diversity.slop import load_slop_list, phrase_matches
    from ..analysis.diversity.tokens import word_spans

    path = PHRASE_LISTS[check.list]
    slop = load_slop_list(path)
    tokens, spans = word_spans(text)
    hits: list[tuple[int, int, int]] = []  # (start offset or -1, end offset, entry)
    for entry, first, length in phrase_matches(slop, tokens):
        start, end = (spans[first][0], spans[first + length - 1][1]) if spans else (-1, -1)
        hits.append((start, end, entry))
    if slop.name_re is not None:
        hits += [
            (m.start(), m.end(), slop.name_index[m.group()]) for m in slop.name_re.finditer(text)
        ]
    hits.sort()
    weighted = sum(slop.entries[e].weight for _, _, e in hits)
    rate = 1000.0 * weighted / len(tokens) if tokens else 0.0
    per_entry = Counter(e for _, _, e in hits)
    listed = ", ".join(
        f"{slop.entries[e].text!r} {n}x (weight {slop.entries[e].weight:g})"
        for e, n in sorted(per_entry.items(), key=lambda kv: (-kv[1], slop.entries[kv[0]].text))
    )
    version = f" version {slop.version}" if slop.version is not None else ""
    rationale = (
        f"{check.list} list{version} ({path.name}): {len(hits)} hit(s) of total weight "
        f"{weighted:g} in {len(tokens)} words = {rate:.1f} per 1,000 words; the item needs "
        f"more than {check.above_per_1k:g}"
        + (f" and a total weight of {check.min_weight:g}" if check.min_weight else "")
        + (f". Hits: {listed}" if listed else "")
    )
    evidence = text[hits[0][0] : hits[0][1]] if hits and hits[0][0] >= 0 else ""
    met = rate > check.above_per_1k and weighted >= check.min_weight
    return CheckResult(met, verbatim(evidence, text), rationale)


# --------------------------------------------------------------------------- per-turn words


def word_count_per_turn(check: WordCountCheck, transcript: list[Message], text: str) -> CheckResult:
    """word_count with a `turn`: the named assistant turns, each within the bounds."""
    assert check.turn is not None
    turns = assistant_turns(transcript, text)
    chosen = select_turns(check.turn, len(turns))
    if isinstance(chosen, str):
        return CheckResult(None, "", f"{chosen}, so there is no turn to count words in")
    parts, goods = [], []
    for i in chosen:
        n = word_count(turns[i])
        goods.append(within(n, check.min, check.max))
        parts.append(f"assistant turn {i + 1}: {n} words" + ("" if goods[-1] else " ✗"))
    scope = turn_scope(check.turn)
    return CheckResult(
        combine_turns(check.turn, goods),
        "",
        "; ".join(parts) + f" ({bounds(check.min, check.max)} {scope})",
    )


RUNNERS: dict[str, Callable[[Any, list[Message], str], CheckResult]] = {
    "characters": _characters,
    "regex": _regex,
    "any_phrases": _any_phrases,
    "dialogue_share": _dialogue_share,
    "slop_rate": _slop_rate,
}
