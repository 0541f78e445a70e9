"""One HTML extraction, one parse and one contrast analysis per response, shared by its checks.

A visual-design response is checked by several HTML items (elements, alt text, labels, contrast)
and often by its task's gate as well; each used to extract and parse the page again. These
wrappers return the same objects for the same text, from a small bounded memo: the checks only
read a Document and a ContrastReport (nothing mutates them), so sharing them changes no
verdict. The memo holds the last few pages only: a caller streaming many responses (leaderboard
re-derivation) calls `clear()` after each, so nothing is shared across responses."""

from __future__ import annotations

from functools import lru_cache

from .contrast import ContrastReport, analyse_contrast
from .html_extract import Document, extract_html, parse_html

MEMO_SIZE = 4  # pages: a response's HTML, and a few texts' for callers that interleave them


@lru_cache(maxsize=MEMO_SIZE)
def response_html(text: str) -> str | None:
    """`extract_html(text)`, memoised."""
    return extract_html(text)


@lru_cache(maxsize=MEMO_SIZE)
def parsed_html(source: str) -> Document:
    """`parse_html(source)`, memoised: callers must not modify the Document."""
    return parse_html(source)


@lru_cache(maxsize=MEMO_SIZE)
def contrast_report(source: str) -> ContrastReport:
    """`analyse_contrast(source)` on the shared parse, memoised: callers must not modify it."""
    return analyse_contrast(source, parsed_html(source))


def clear() -> None:
    """Forget every memoised page (after each response of a stream)."""
    for memo in (response_html, parsed_html, contrast_report):
        memo.cache_clear()
