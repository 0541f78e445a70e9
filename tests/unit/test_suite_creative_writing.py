"""The creative-writing part of suite v1 keeps the task-suite issue's contract: enough tasks of
each kind, 5-12 items mixing positive and negative points, guidance and examples on every item,
checks only on positive items, consistent checks, and original text (nothing from HANNA)."""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from benchmark.records.schemas import (
    BannedPhrasesCheck,
    RequiredPhrasesCheck,
    ResolvedTask,
    WordCountCheck,
)
from benchmark.suite import Suite, load_suite

CATEGORY = "creative_writing"
# Minimum number of tasks per tag: the kinds of task the issue asks for.
MIN_PER_TAG = {
    "world_rules": 10,
    "character_arc": 6,
    "constrained_form": 6,
    "poem": 3,
    "humour": 4,
    "second_person": 1,
    "unusual_pov": 2,
    "continuation": 4,
}
# Negative items describe failures; text opening like this reads as a positive condition.
POSITIVE_OPENINGS = ("avoids", "does not", "doesn't", "never", "no ", "keeps", "stays")
SHINGLE = 8  # words; a shared 8-word run with HANNA would mean copied text


@pytest.fixture(scope="module")
def suite() -> Suite:
    return load_suite(Path(__file__).resolve().parents[2])


@pytest.fixture(scope="module")
def cw_tasks(suite: Suite) -> list[ResolvedTask]:
    return [t for t in suite.tasks if t.category == CATEGORY]


def _phrase_re(phrase: str) -> re.Pattern[str]:
    # The banned/required phrase semantics documented in schemas.py: case-insensitive, word-bounded.
    return re.compile(rf"\b{re.escape(phrase)}\b", re.IGNORECASE)


def test_count_prefix_and_file_names(cw_tasks: list[ResolvedTask]) -> None:
    assert len(cw_tasks) >= 42
    for t in cw_tasks:
        assert t.id.startswith("cw_"), t.id
        assert Path(t.source).stem == t.id, t.source


def test_kinds_of_task(cw_tasks: list[ResolvedTask]) -> None:
    tags = Counter(tag for t in cw_tasks for tag in t.tags)
    short = {tag: (tags[tag], n) for tag, n in MIN_PER_TAG.items() if tags[tag] < n}
    assert not short, f"tag: (have, need) {short}"


def test_item_counts_and_point_mix(cw_tasks: list[ResolvedTask]) -> None:
    for t in cw_tasks:
        assert 5 <= len(t.items) <= 12, (t.id, len(t.items))
        assert any(it.points > 0 for it in t.items), t.id
        assert any(it.points < 0 for it in t.items), t.id


def test_every_item_has_guidance_and_examples(cw_tasks: list[ResolvedTask]) -> None:
    for t in cw_tasks:
        for it in t.items:
            assert it.guidance.strip(), (t.id, it.id)
            assert it.examples is not None, (t.id, it.id)


def test_negative_items_describe_failures(cw_tasks: list[ResolvedTask]) -> None:
    for t in cw_tasks:
        for it in t.items:
            if it.points < 0:
                # A check's True verdict means "met"; on a negative item that inverts its meaning.
                assert it.check is None, (t.id, it.id)
                assert not it.text.lower().startswith(POSITIVE_OPENINGS), (t.id, it.id)
                assert "met (a failure)" in it.guidance.lower(), (t.id, it.id)


def test_inline_items_are_not_copies_of_shared_items(
    suite: Suite, cw_tasks: list[ResolvedTask]
) -> None:
    shared = {it.text for d in suite.dimensions.values() for it in d.items}
    for t in cw_tasks:
        raw = yaml.safe_load((suite.root / t.source).read_text(encoding="utf-8"))
        for entry in raw["items"]:
            if "use" not in entry:
                assert entry["text"] not in shared, (t.id, entry["id"])


def test_phrase_checks_agree_with_examples_and_prompt(cw_tasks: list[ResolvedTask]) -> None:
    for t in cw_tasks:
        for it in t.items:
            chk, ex = it.check, it.examples
            if chk is None or ex is None:
                continue
            if isinstance(chk, BannedPhrasesCheck):
                pats = [_phrase_re(p) for p in chk.phrases]
                assert not any(p.search(ex.met) for p in pats), (t.id, it.id)
                assert any(p.search(ex.not_met) for p in pats), (t.id, it.id)
                # A prompt using a stock phrase or name would penalise a faithful continuation.
                if it.id.startswith("no_stock"):
                    assert not any(p.search(t.prompt) for p in pats), (t.id, it.id)
            if isinstance(chk, RequiredPhrasesCheck):
                assert all(_phrase_re(p).search(ex.met) for p in chk.phrases), t.id


def test_word_limits_are_stated_in_the_prompt(cw_tasks: list[ResolvedTask]) -> None:
    limited = 0
    for t in cw_tasks:
        for it in t.items:
            if isinstance(it.check, WordCountCheck):
                limited += 1
                lo, hi = it.check.min, it.check.max
                said = {int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", t.prompt)}
                if lo is not None and hi is not None:
                    # A tolerance band (98-102 for "exactly 100") must contain the stated number.
                    assert any(lo <= n <= hi for n in said), (t.id, lo, hi)
                else:
                    assert (hi if hi is not None else lo) in said, (t.id, lo, hi)
    # "Word limits via word_count checks on most prose tasks".
    assert limited >= 0.6 * len(cw_tasks)


def test_continuations_include_earlier_chapters(cw_tasks: list[ResolvedTask]) -> None:
    for t in cw_tasks:
        if "continuation" in t.tags:
            assert len(t.prompt.split()) >= 250, t.id
            assert sum(it.dimension == "world_consistency" for it in t.items) >= 3, t.id


def test_craft_shared_items_are_used(cw_tasks: list[ResolvedTask]) -> None:
    used = Counter(it.id for t in cw_tasks for it in t.items if it.dimension == "craft")
    for item_id in ("shows_not_tells", "earned_ending", "no_stock_phrasing", "sensory_specificity"):
        assert used[item_id] >= 5, (item_id, used[item_id])


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z']+", text.lower())
    return {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def test_no_text_from_shared_data(
    shared_data: Path, suite: Suite, cw_tasks: list[ResolvedTask]
) -> None:
    csv.field_size_limit(sys.maxsize)
    theirs: set[tuple[str, ...]] = set()
    for name, cols in (
        ("hanna_llm_stories.csv", ("Prompt", "Human", "Story")),
        ("derived_hanna_human_written_stories_with_ratings.csv", ("Prompt", "Human")),
    ):
        with (shared_data / "hanna" / name).open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                for col in cols:
                    theirs |= _shingles(row.get(col) or "")
    assert len(theirs) > 100_000  # the corpus really was read
    for t in cw_tasks:
        ours = _shingles((suite.root / t.source).read_text(encoding="utf-8"))
        assert not ours & theirs, (t.id, sorted(ours & theirs)[:3])
