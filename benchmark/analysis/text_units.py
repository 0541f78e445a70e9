"""What the counting checks count: words, paragraphs and questions, defined precisely.

- A *word* is a maximal run of non-whitespace characters that contains at least one letter or
  digit (any script). "don't", "well-known", "e.g." and "2024" are one word each; a lone "—",
  "*" or "#" is none; "dog—she" (no spaces) is one. Text in scripts written without spaces
  (Chinese, Japanese) counts one word per run, so word limits suit space-separated languages.
- A *paragraph* is a block of text separated from the next by at least one blank line (a line
  holding only whitespace) that contains at least one letter or digit: headings and list blocks
  count, a scene break such as "* * *" or "---" does not.
- A *question* is a sentence ending in "?" (or a run such as "?!" or "??", counted once) outside
  quoted speech and code. Quoted speech is text between straight or curly double quotes, or
  between single quotes that open after a non-letter and close before one (so apostrophes in
  "don't" or "the dogs' bowls" never open a quotation); a quotation never crosses a blank line.
  Code is fenced blocks and `inline code`. A "?" followed directly by a letter or digit (a URL's
  query string) ends no sentence."""

from __future__ import annotations

import re

from .html_extract import fenced_blocks

_TOKEN = re.compile(r"\S+")
_HAS_ALNUM = re.compile(r"[^\W_]")
_BLANK_LINE = re.compile(r"\n[ \t\f\v]*\n")
_INLINE_CODE = re.compile(r"(`+)[^`\n]+?\1")
_QUOTES = [
    re.compile(r'"(?:[^"\n]|\n(?![ \t]*\n))*"'),
    re.compile(r"“(?:[^”\n]|\n(?![ \t]*\n))*”"),
    re.compile(r"(?<!\w)['‘](?:[^'‘’\n]|(?<=\w)['’](?=\w))+?['’](?!\w)"),
]
_QUESTION = re.compile(r"[!?？]*[?？][!?？]*(?=$|[^\w])")
_SENTENCE_END = re.compile(r"[.!?？。！\n]")


def words(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text) if _HAS_ALNUM.search(t)]


def paragraphs(text: str) -> list[str]:
    blocks = _BLANK_LINE.split(text.replace("\r\n", "\n").replace("\r", "\n"))
    return [b.strip() for b in blocks if _HAS_ALNUM.search(b)]


def _mask(text: str, start: int, end: int) -> str:
    return text[:start] + "".join(c if c == "\n" else " " for c in text[start:end]) + text[end:]


def mask_code(text: str) -> str:
    """`text` with fenced blocks and inline code blanked out (same length, newlines kept)."""
    masked = text
    for b in fenced_blocks(text):
        masked = _mask(masked, b.start, b.end)
    for m in list(_INLINE_CODE.finditer(masked)):
        masked = _mask(masked, m.start(), m.end())
    return masked


def mask_quotes_and_code(text: str) -> str:
    """`text` with code and quoted speech blanked out (same length, newlines kept)."""
    masked = mask_code(text)
    for pattern in _QUOTES:
        for m in list(pattern.finditer(masked)):
            masked = _mask(masked, m.start(), m.end())
    return masked


# What may sit between the previous sentence's end and the next sentence: spaces and the
# closing quotes/brackets of the previous one (a straight quote only when a space follows).
_LEADING_CLOSERS = re.compile(r"""^(?:\s|[”’)\]]|["'](?=\s))*""")


def questions(text: str) -> list[str]:
    """The question sentences of `text`, each a verbatim substring of it. A sentence starts
    after the previous ".", "!", "?" or line break outside code (inside a quotation too)."""
    code_free = mask_code(text)
    masked = mask_quotes_and_code(text)
    out = []
    for m in _QUESTION.finditer(masked):
        start = 0
        for end_mark in _SENTENCE_END.finditer(code_free, 0, m.start()):
            start = end_mark.end()
        sentence = text[start : m.end()]
        lead = _LEADING_CLOSERS.match(sentence)
        out.append(sentence[lead.end() if lead else 0 :].strip())
    return out
