"""fenced_blocks' regex path for texts whose only line break is "\n"
(benchmark/analysis/html_extract.py) against the walk over every line it replaces, on the demo
corpus, hand-made edge cases and random texts."""

from __future__ import annotations

import random
import re

import pytest

from benchmark.analysis.html_extract import _FENCE_OPEN, FencedBlock, fenced_blocks
from benchmark.engine.demo import demo_models


def _reference(text: str) -> list[FencedBlock]:
    """fenced_blocks as first written: splitlines, then each line in turn."""
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    blocks: list[FencedBlock] = []
    i = 0
    while i < len(lines):
        m = _FENCE_OPEN.match(lines[i].rstrip("\r\n"))
        if not m:
            i += 1
            continue
        start, fence = i, m.group("fence")
        close = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        i += 1
        while i < len(lines) and not close.match(lines[i].rstrip("\r\n")):
            i += 1
        content = "".join(lines[start + 1 : i])
        i = min(i + 1, len(lines))
        blocks.append(FencedBlock(m.group("info").lower(), content, offsets[start], offsets[i]))
    return blocks


CASES = [
    "```html\n<p>x</p>\n```\n",
    "```html\n<p>x</p>\n```",  # closing fence without a newline
    "```html\n<p>x</p>",  # unclosed
    "```",
    "```\n",
    "text\n   ```js extra words\ncode\n    ```\nnot a close (4 spaces)\n```\nafter",
    "````\n```\nstill inside\n````   \nout\n~~~HTML\n~~\n~~~~\n",
    "```a`b\nnot a fence (backtick in the info string)\n```\n",
    "```\n\n\n```\n```\n",
    "x\r\n```html\r\n<p>crlf</p>\r\n```\r\n",  # other line breaks: the line walk
    "a\u2028```\nb\n```",
]


def _random_texts() -> list[str]:
    rng = random.Random(15)
    pieces = ["```", "~~~", "````", "`", "~", "\n", "\n", " ", "   ", "    ", "html", "HTML"]
    pieces += ["js", "a`b", "\t", "x", "<p>"]
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 14))) for _ in range(20000)]


@pytest.mark.parametrize("text", CASES)
def test_hand_made_texts(text: str) -> None:
    assert fenced_blocks(text) == _reference(text)


def test_random_texts() -> None:
    texts = _random_texts()
    assert sum(bool(_reference(t)) for t in texts) > 5000  # fences were met
    for text in texts:
        assert fenced_blocks(text) == _reference(text), text


def test_demo_corpus() -> None:
    texts = [r.text or "" for m in demo_models() for r in m.records]
    assert sum(bool(_reference(t)) for t in texts) > 30
    for text in texts:
        assert fenced_blocks(text) == _reference(text)
