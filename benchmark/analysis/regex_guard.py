"""Regular expressions from the suite, compiled only when their matching time is bounded.

Python's `re` backtracks and has no timeout, so a pattern such as `(a+)+$` can take
exponential time on a line of thirty characters. The guard has two parts, both timeout-free:

1. At load time, patterns with *nested repetition* are rejected: a repeated group (`*`, `+`,
   `{n,}`, `{n,m}` with m > 1) that contains a variable-length quantifier or an alternation,
   e.g. `(a+)+`, `(\\w+\\s?)*`, `(a|ab)*`. These are the constructs that backtrack
   exponentially. Fixed counts inside a repeat (`(ab{2})+`) and character classes are fine.
2. At match time, every subject is at most `MAX_SUBJECT` characters (the check matches line by
   line; see checks_text), so what remains, polynomial backtracking from several overlapping
   quantifiers in a row (`.*a.*b`), is bounded by the subject length.

The parse uses the standard library's own regex parser (`re._parser`), so the pattern analysed
is exactly the pattern compiled."""

from __future__ import annotations

import re
import re._constants as sre
import re._parser as sre_parse
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

MAX_SUBJECT = 500  # characters per matched line or sentence

FLAGS = {"ignorecase": re.IGNORECASE, "ascii": re.ASCII, "verbose": re.VERBOSE}

_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


class UnsafePatternError(ValueError):
    """A pattern that does not compile, or whose matching time is not bounded."""


def _walk(seq: Any, in_repeat: bool) -> None:
    for op, av in seq:
        if op in _REPEATS:
            lo, hi, body = av
            if in_repeat and lo != hi:
                raise UnsafePatternError(
                    "nested repetition (a quantifier inside a repeated group, as in (a+)+) can "
                    "take exponential time; rewrite the group without the inner quantifier"
                )
            _walk(body, in_repeat or hi > 1)
        elif op == sre.BRANCH:
            if in_repeat:
                raise UnsafePatternError(
                    "an alternation inside a repeated group (as in (a|ab)*) can take "
                    "exponential time; use a character class or move the alternation out"
                )
            for alt in av[1]:
                _walk(alt, in_repeat)
        elif op == sre.SUBPATTERN:
            _walk(av[3], in_repeat)
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            _walk(av[1], in_repeat)
        elif op == sre.ATOMIC_GROUP:
            _walk(av, in_repeat)
        elif op == sre.GROUPREF_EXISTS:
            _walk(av[1], in_repeat)
            if av[2] is not None:
                _walk(av[2], in_repeat)


def flag_bits(flags: Iterable[str]) -> int:
    bits = 0
    for f in flags:
        bits |= FLAGS[f]
    return bits


@lru_cache(maxsize=256)
def compile_guarded(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """The compiled pattern, or UnsafePatternError saying why it cannot be used."""
    try:
        compiled = re.compile(pattern, flags)
        parsed = sre_parse.parse(pattern, flags)
    except re.error as err:
        raise UnsafePatternError(f"not a valid regular expression: {err}") from None
    _walk(parsed, in_repeat=False)
    return compiled
