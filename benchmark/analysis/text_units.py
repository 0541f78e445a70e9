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

_HAS_ALNUM = re.compile(r"[^\W_]")
# A word in one scan: a match starts only where a non-whitespace run starts (the lookbehind),
# passes the run's leading non-alphanumerics, needs one letter or digit ([^\W_]) and takes the
# rest of the run, so it finds exactly the runs that hold a letter or digit, whole.
_WORD = re.compile(r"(?<!\S)(?:[^\w\s]|_)*[^\W_]\S*")
_BLANK_LINE = re.compile(r"\n[ \t\f\v]*\n")
_INLINE_CODE = re.compile(r"(`+)[^`\n]+?\1")
# Each pattern below starts with a required character (or one of a few), which the regex
# engine finds with a fast scan before trying the rest; the comments say why each matches as
# the plain form would.
_QUOTES = [
    re.compile(r'"(?:[^"\n]|\n(?![ \t]*\n))*"'),
    re.compile(r"“(?:[^”\n]|\n(?![ \t]*\n))*”"),
    # (?<!\w)['‘]...: the look-behind, moved past the quote, still looks at the character
    # before it (and at a text's start, where it has no two characters, still succeeds).
    re.compile(r"['‘](?<!\w['‘])(?:[^'‘’\n]|(?<=\w)['’](?=\w))+?['’](?!\w)"),
]
# [!?？]*[?？][!?？]*(?=$|[^\w]): a match starts at a "!" or "?"; its first "?" comes after
# "!"s only, and the greedy tail then ends it where the plain form's backtracking does (the
# longest end past that "?" whose look-ahead holds).
_QUESTION = re.compile(r"(?:!!*[?？]|\?|？)[!?？]*(?=$|[^\w])")


def words(text: str) -> list[str]:
    return _WORD.findall(text)


# word_count in two C passes over ASCII: letters and digits become "a", whitespace " ", every
# other character is deleted. A non-whitespace run then becomes a run of "a"s, empty exactly
# when it holds no letter or digit, and stays apart from the next run (the whitespace stays):
# its words are the "a"s that follow a space or start the text. [^\W_] is str.isalnum and \s
# is str.isspace (tests/unit/test_text_units_fast.py checks every code point), so a non-ASCII
# character is marked the same way by hand first.
_ASCII = [chr(c) for c in range(128)]
_ALNUM = "".join(c for c in _ASCII if c.isalnum()).encode("ascii")
_SPACE = "".join(c for c in _ASCII if c.isspace()).encode("ascii")
_MARK_TABLE = bytes.maketrans(_ALNUM + _SPACE, b"a" * len(_ALNUM) + b" " * len(_SPACE))
_MARK_DELETE = "".join(c for c in _ASCII if not (c.isalnum() or c.isspace())).encode("ascii")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


def _marked(run: re.Match[str]) -> str:
    return "".join("a" if c.isalnum() else " " if c.isspace() else "" for c in run.group())


def word_count(text: str) -> int:
    """len(words(text)) without building the words (see the marks above)."""
    if not text.isascii():  # prose has few non-ASCII characters ("—", "“", "é")
        text = _NON_ASCII_RUN.sub(_marked, text)
    marks = text.encode("ascii").translate(_MARK_TABLE, _MARK_DELETE)
    return marks.count(b" a") + marks.startswith(b"a")


def paragraphs(text: str) -> list[str]:
    blocks = _BLANK_LINE.split(text.replace("\r\n", "\n").replace("\r", "\n"))
    return [b.strip() for b in blocks if _HAS_ALNUM.search(b)]


_NOT_NEWLINE = re.compile(r"[^\n]")


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each span (in order, disjoint) blanked out: same length, newlines kept."""
    if not spans:
        return text
    parts, pos = [], 0
    for start, end in spans:
        parts += [text[pos:start], _NOT_NEWLINE.sub(" ", text[start:end])]
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


def mask_code(text: str) -> str:
    """`text` with fenced blocks and inline code blanked out (same length, newlines kept)."""
    # A fence is three backticks or tildes: a text without either has no fenced block.
    has_fence = "```" in text or "~~~" in text
    masked = _mask(text, [(b.start, b.end) for b in fenced_blocks(text)] if has_fence else [])
    return _mask(masked, _spans(_INLINE_CODE, masked)) if "`" in masked else masked


def _mask_quotes(code_free: str) -> str:
    """mask_code's result with quoted speech blanked out too, one kind of quotation after
    another (a kind's matches are found after the previous kinds are blanked)."""
    masked = code_free
    for pattern in _QUOTES:
        masked = _mask(masked, _spans(pattern, masked))
    return masked


def mask_quotes_and_code(text: str) -> str:
    """`text` with code and quoted speech blanked out (same length, newlines kept)."""
    return _mask_quotes(mask_code(text))


# What may sit between the previous sentence's end and the next sentence: spaces and the
# closing quotes/brackets of the previous one (a straight quote only when a space follows).
_LEADING_CLOSERS = re.compile(r"""^(?:\s|[”’)\]]|["'](?=\s))*""")


SENTENCE_END_CHARS = ".!?？。！\n"  # where a sentence ends (outside code)


def _sentence_start(code_free: str, end: int) -> int:
    """Where the sentence ending at `end` starts: after the last sentence end before `end`
    (0: none). A few reverse searches from `end` rather than every sentence end of the text."""
    return max(code_free.rfind(c, 0, end) for c in SENTENCE_END_CHARS) + 1


def questions(text: str) -> list[str]:
    """The question sentences of `text`, each a verbatim substring of it. A sentence starts
    after the previous ".", "!", "?" or line break outside code (inside a quotation too)."""
    if "?" not in text and "？" not in text:
        return []  # every question has one, and masking only blanks characters out
    code_free = mask_code(text)
    masked = _mask_quotes(code_free)
    out = []
    for m in _QUESTION.finditer(masked):
        sentence = text[_sentence_start(code_free, m.start()) : m.end()]
        lead = _LEADING_CLOSERS.match(sentence)
        out.append(sentence[lead.end() if lead else 0 :].strip())
    return out
