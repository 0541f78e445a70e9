"""Letters compared the way a reader compares them: an accented letter is its base letter.

Form checks ask about letters ("no e", "the lines spell MAPLE", "A to Z"), and a reader counts
"é" as an e and "Élan" as starting with E; so comparisons fold accents (Unicode NFKD, combining
marks dropped) and, unless told otherwise, case."""

from __future__ import annotations

import unicodedata


def fold_accents(text: str) -> str:
    """`text` with accents removed: "Élan" -> "Elan", "ﬁne" -> "fine" (may change length)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def base_letter(ch: str) -> str:
    """The lower-case base letter of one character ("É" -> "e"), or "" if it is not a letter."""
    folded = fold_accents(ch).lower()
    return folded[0] if folded and folded[0].isalpha() else ""


def first_letter_or_digit(text: str) -> tuple[int, str] | None:
    """(offset, character) of the first letter or digit of `text`, or None: what a line or
    sentence "starts with" once opening quotes, brackets, dashes and markdown are skipped."""
    for i, ch in enumerate(text):
        if ch.isalnum():
            return i, ch
    return None
