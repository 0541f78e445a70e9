"""Checks for revision tasks: was the text the user did not ask to change left alone?

`unchanged_outside`: the original's sentences (benchmark.analysis.sentences) that do not overlap the
target span are the ones to keep. Both texts are cut into words at whitespace, with curly
quotes folded to straight ones (so only whitespace and quote style are normalised; a changed
comma is a change), and aligned by difflib's longest matching blocks. A kept sentence is
*unchanged* when every one of its words is aligned to the response, in order, with nothing
inserted between them. Chatter around the revision ("Here is the edited text:") and a code
fence are insertions outside the sentences, so they change nothing; a sentence quoted in the
chatter can still be found, so the judged items, not this check, decide whether the edit was
made well.

Evidence when a kept sentence changed: what the response has in its place (the words aligned
to it, as written, up to 300 characters), or "" when it was deleted."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from difflib import SequenceMatcher
from typing import Any

from ..analysis.sentences import sentence_spans
from ..records.check_models import UnchangedOutsideCheck
from ..records.schemas import Message
from ._check_base import CheckResult, verbatim

_WORD = re.compile(r"\S+")
_QUOTE_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
MAX_EVIDENCE = 300


def _words(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    found = list(_WORD.finditer(text))
    return [m.group().translate(_QUOTE_FOLD) for m in found], [m.span() for m in found]


def _replacement(
    opcodes: Sequence[tuple[str, int, int, int, int]], a: int, b: int
) -> tuple[int, int] | None:
    """The response's word range aligned to original words [a, b), or None if deleted."""
    lo, hi = None, None
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "insert":
            if not a < i1 < b:
                continue
        elif not (i1 < b and i2 > a):
            continue
        elif tag == "equal":  # only the part of the block inside the sentence
            j1, j2 = j1 + max(a, i1) - i1, j1 + min(b, i2) - i1
        if j2 > j1:
            lo = j1 if lo is None else min(lo, j1)
            hi = j2 if hi is None else max(hi, j2)
    return None if lo is None or hi is None else (lo, hi)


def _unchanged_outside(
    check: UnchangedOutsideCheck, transcript: list[Message], text: str
) -> CheckResult:
    t0, t1 = check.target_span
    kept = [(s, e) for s, e in sentence_spans(check.original) if not (s < t1 and e > t0)]
    o_words, o_spans = _words(check.original)
    r_words, r_spans = _words(text)
    opcodes = SequenceMatcher(None, o_words, r_words, autojunk=False).get_opcodes()

    changed: list[tuple[int, int]] = []  # word ranges [a, b) of the kept sentences that changed
    for s, e in kept:
        idx = [i for i, (ws, _) in enumerate(o_spans) if s <= ws < e]
        a, b = idx[0], idx[-1] + 1
        intact = all(
            tag == "equal"
            for tag, i1, i2, _, _ in opcodes
            if (i1 < b and i2 > a) or (tag == "insert" and a < i1 < b)
        )
        if not intact:
            changed.append((a, b))
    same = len(kept) - len(changed)
    share = same / len(kept)
    rationale = (
        f"{same} of {len(kept)} sentence(s) outside the target unchanged ({share:.0%}); "
        f"at least {check.min_share:.0%} required"
    )
    evidence = ""
    if changed:
        a, b = changed[0]
        first = check.original[o_spans[a][0] : o_spans[b - 1][1]]
        span = _replacement(opcodes, a, b)
        if span is None:
            rationale += f"; first changed: {first!r}, deleted"
        else:
            evidence = text[r_spans[span[0]][0] : r_spans[span[1] - 1][1]][:MAX_EVIDENCE]
            rationale += f"; first changed: {first!r}"
    return CheckResult(share >= check.min_share, verbatim(evidence, text), rationale)


RUNNERS: dict[str, Callable[[Any, list[Message], str], CheckResult]] = {
    "unchanged_outside": _unchanged_outside,
}
