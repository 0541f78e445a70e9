"""The build splits each response text on whitespace once and gives the words to both the copy
digests (identity.py) and the pairwise facts (pairwise_verify.py): each must equal what it
computes from the texts alone, and that the straightforward definitions give (normalise, and
the pairwise prompt's word_count), on the demo corpus and on awkward whitespace."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from benchmark.engine.pairwise.prompt import text_sha256, word_count
from benchmark.records.schemas import ResponseRecord
from leaderboard.identity import normalise, response_digests
from leaderboard.pairwise_verify import run_facts

DEMO = Path(__file__).resolve().parents[2] / "benchmark" / "data" / "demo"

AWKWARD = [
    "",
    "   ",
    "one",
    "  Lead and trail \t",
    "non\u00a0breaking and em\u2003space, ideographic\u3000space",
    "separators\x1c\x1d\x1e\x1f and \x85next line\u2028line sep",
    "ÉCOLE Straße ǅ ﬁ",  # case folding changes lengths
    "line\r\nbreaks\n\nand\x0bvertical\x0cfeeds",
]


def _record(i: int, text: str, error: str | None = None) -> ResponseRecord:
    return ResponseRecord(
        task_id=f"t{i % 3}", sample=i, model="m/x", transcript=[], text=text, error=error
    )


def responses() -> list[ResponseRecord]:
    out = [
        ResponseRecord.model_validate_json(line)
        for path in sorted(DEMO.glob("*.jsonl"))
        for line in path.read_bytes().splitlines()
    ]
    out += [_record(i, t) for i, t in enumerate(AWKWARD)]
    out.append(_record(99, "a failed one", error="timeout"))
    return out


@pytest.fixture(scope="module")
def corpus() -> list[ResponseRecord]:
    rs = responses()
    assert len(rs) > 100
    return rs


def test_digests_from_shared_words(corpus: list[ResponseRecord]) -> None:
    words = [r.text.split() for r in corpus]
    want = tuple(
        (r.task_id, hashlib.blake2b(normalise(r.text).encode(), digest_size=16).digest())
        for r in corpus
        if r.error is None and normalise(r.text)
    )
    assert response_digests(corpus, words) == response_digests(corpus) == want


def test_facts_from_shared_words(corpus: list[ResponseRecord]) -> None:
    words = [r.text.split() for r in corpus]
    shared = run_facts("r", "m/x", "1.0.0", corpus, words)
    assert shared == run_facts("r", "m/x", "1.0.0", corpus)
    want = {
        (r.task_id, r.sample): (word_count(r.text), text_sha256(r.text))
        for r in corpus
        if r.error is None
    }
    assert shared.answered == want
