"""text_units finds words with one scan, blanks each kind of span in one pass and finds a
question's sentence start by a reverse search; these tests hold it to the plain definitions it replaced
(kept here as the reference) over the demo corpus and hostile texts."""

from __future__ import annotations

import random
import re
import sys

import pytest

from benchmark.analysis import text_units
from benchmark.analysis.html_extract import fenced_blocks
from benchmark.analysis.text_units import (
    mask_code,
    mask_quotes_and_code,
    questions,
    word_count,
    words,
)
from benchmark.engine.demo import demo_models

_TOKEN = re.compile(r"\S+")
_HAS_ALNUM = re.compile(r"[^\W_]")
_QUOTES = [  # the patterns as first written (musebench main 7569bd7)
    re.compile(r'"(?:[^"\n]|\n(?![ \t]*\n))*"'),
    re.compile(r"“(?:[^”\n]|\n(?![ \t]*\n))*”"),
    re.compile(r"(?<!\w)['‘](?:[^'‘’\n]|(?<=\w)['’](?=\w))+?['’](?!\w)"),
]
_QUESTION = re.compile(r"[!?？]*[?？][!?？]*(?=$|[^\w])")
_SENTENCE_END = re.compile(r"[.!?？。！\n]")  # as first written


def reference_words(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text) if _HAS_ALNUM.search(t)]


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + "".join(c if c == "\n" else " " for c in text[start:end]) + text[end:]


def reference_mask_code(text: str) -> str:
    masked = text
    for b in fenced_blocks(text):
        masked = _blank(masked, b.start, b.end)
    for m in list(text_units._INLINE_CODE.finditer(masked)):
        masked = _blank(masked, m.start(), m.end())
    return masked


def reference_mask_quotes_and_code(text: str) -> str:
    masked = reference_mask_code(text)
    for pattern in _QUOTES:
        for m in list(pattern.finditer(masked)):
            masked = _blank(masked, m.start(), m.end())
    return masked


def reference_questions(text: str) -> list[str]:
    code_free = reference_mask_code(text)
    masked = reference_mask_quotes_and_code(text)
    out = []
    for m in _QUESTION.finditer(masked):
        start = 0
        for end_mark in _SENTENCE_END.finditer(code_free, 0, m.start()):
            start = end_mark.end()
        sentence = text[start : m.end()]
        lead = text_units._LEADING_CLOSERS.match(sentence)
        out.append(sentence[lead.end() if lead else 0 :].strip())
    return out


def _same(text: str) -> None:
    assert words(text) == reference_words(text), repr(text)
    assert word_count(text) == len(reference_words(text)), repr(text)
    assert mask_code(text) == reference_mask_code(text), repr(text)
    assert mask_quotes_and_code(text) == reference_mask_quotes_and_code(text), repr(text)
    assert questions(text) == reference_questions(text), repr(text)


def test_hand_computed() -> None:
    assert words("—  don't _x_ __ e.g. 2024 * dog—she 東京 ") == [
        "don't",
        "_x_",
        "e.g.",
        "2024",
        "dog—she",
        "東京",
    ]
    assert word_count("—  don't _x_ __ e.g. 2024 * dog—she 東京 ") == 6
    assert word_count("-- a -- b --") == 2
    text = 'Why? "Who?" she asked. Is it `a?` ok?!\n```\nx?\n```\nDone?'
    assert questions(text) == ["Why?", "Is it `a?` ok?!", "Done?"]


PIECES = [
    "word",
    "Why",
    "don't",
    "dogs'",
    "'tis",
    "_",
    "__",
    "-",
    "—",
    "*",
    "#",
    "é",
    "e\u0301",
    "٣",
    "東京",
    " ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "\n \n",
    "\u00a0",
    "\u3000",
    ".",
    "!",
    "?",
    "?!",
    "？",
    "。",
    "?x",
    '"',
    "“",
    "”",
    "'",
    "‘",
    "’",
    "(",
    ")",
    "]",
    "`",
    "``",
    "```",
    "```py\n",
    "\n```\n",
    "~~~",
    "\n~~~~\n",
    "http://a?b=1",
    "!",
    "!!",
    "?x",
    "!?a",
    "?？",
    "x'y",
    "'a'",
    "‘b’",
]


def test_equal_to_the_reference_on_hostile_texts() -> None:
    rng = random.Random(7569)
    for _ in range(8000):
        _same("".join(rng.choice(PIECES) for _ in range(rng.randint(0, 30))))


@pytest.fixture(scope="module")
def demo_texts() -> list[str]:
    texts = [r.text for m in demo_models() for r in m.records]
    texts += [m.content for dm in demo_models() for r in dm.records for m in r.transcript]
    assert len(texts) > 100
    return texts


def test_equal_to_the_reference_on_the_demo_corpus(demo_texts: list[str]) -> None:
    for text in demo_texts:
        _same(text)


def test_str_split_splits_where_the_regex_whitespace_class_matches() -> None:
    """word_count counts the runs with str.split and the bare ones with `\\s`: the same set."""
    space = re.compile(r"\s")
    for c in range(sys.maxunicode + 1):
        ch = chr(c)
        assert (len(f"a{ch}b".split()) == 2) == bool(space.match(ch)), hex(c)


def test_word_count_on_ascii_texts_of_every_character() -> None:
    """word_count's translate path: every ASCII character, in runs and alone."""
    rng = random.Random(15)
    alphabet = [chr(c) for c in range(128)] + [" a", "--", "_", "\x1c", "x'y"]
    for _ in range(4000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25)))
        assert word_count(text) == len(reference_words(text)), repr(text)
    assert word_count("a") == 1 and word_count("") == 0 and word_count("_ - a_b\x1fc") == 2


def test_letters_and_digits_are_str_isalnum_on_every_code_point() -> None:
    """word_count marks a character as a letter or digit by str.isalnum and as whitespace by
    str.isspace; the definition says [^\\W_] and \\s."""
    alnum, space = re.compile(r"[^\W_]"), re.compile(r"\s")
    for c in range(sys.maxunicode + 1):
        ch = chr(c)
        assert bool(alnum.match(ch)) == ch.isalnum(), hex(c)
        assert bool(space.match(ch)) == ch.isspace(), hex(c)
