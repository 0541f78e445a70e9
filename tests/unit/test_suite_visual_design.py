"""The visual_design category of the shipped suite keeps the authoring rules of the suite issue:
task count, id prefix, 5-12 items with positive and negative points, checks only on positive
items, guidance and examples everywhere, a uniform single-file prompt, shared items that are
used, and no task pairing two shared items that judge the same failure."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from benchmark.records.schemas import ResolvedTask
from benchmark.suite import Suite, load_suite

CATEGORY = "visual_design"
DIMENSION = "design_principles"
# Every prompt ends with this delivery instruction, so that answers are comparable.
DELIVERY = (
    "Deliver one self-contained HTML file with inline CSS (no external stylesheets, scripts or "
    "fonts), returned in a single code block."
)
# Shared items that judge two sides of one property: a task may use one of each pair.
EXCLUSIVE_PAIRS = [
    ("visible_focus", "focus_outline_removed"),
    ("responsive_mechanism", "fixed_width_overflow"),
    ("text_contrast_aa", "text_contrast_aaa"),
]


@pytest.fixture(scope="module")
def suite() -> Suite:
    return load_suite(Path(__file__).resolve().parents[2])


@pytest.fixture(scope="module")
def tasks(suite: Suite) -> list[ResolvedTask]:
    return [t for t in suite.tasks if t.category == CATEGORY]


def test_count_ids_and_file_names(tasks: list[ResolvedTask]) -> None:
    assert len(tasks) >= 27
    for t in tasks:
        assert t.id.startswith("vd_"), t.id
        assert Path(t.source).stem == t.id, t.source


def test_item_counts_and_point_mix(tasks: list[ResolvedTask]) -> None:
    for t in tasks:
        assert 5 <= len(t.items) <= 12, (t.id, len(t.items))
        assert any(it.points < 0 for it in t.items), f"{t.id}: no negative item"
        assert any(it.points > 0 for it in t.items), f"{t.id}: no positive item"
        assert all(it.dimension == DIMENSION for it in t.items), t.id


def test_programmatic_and_judged_share(tasks: list[ResolvedTask]) -> None:
    for t in tasks:
        checked = [it for it in t.items if it.check is not None]
        assert 2 <= len(checked) <= 4, (t.id, [it.id for it in checked])
        assert len(t.items) - len(checked) >= 3, t.id
        # A check's True verdict means "item met"; on a negative item that would reward failure.
        assert all(it.points > 0 for it in checked), t.id


def test_every_item_has_guidance_and_examples(tasks: list[ResolvedTask]) -> None:
    for t in tasks:
        for it in t.items:
            assert it.guidance.strip(), f"{t.id}.{it.id}: no guidance"
            assert it.examples is not None, f"{t.id}.{it.id}: no examples"
            assert it.examples.met.strip() != it.examples.not_met.strip(), f"{t.id}.{it.id}"


def test_prompts_ask_for_one_self_contained_file(tasks: list[ResolvedTask]) -> None:
    for t in tasks:
        assert " ".join(t.prompt.split()).endswith(DELIVERY), t.id
    assert len({t.prompt for t in tasks}) == len(tasks)


def test_no_task_uses_both_sides_of_a_property(tasks: list[ResolvedTask]) -> None:
    for t in tasks:
        ids = {it.id for it in t.items}
        for a, b in EXCLUSIVE_PAIRS:
            assert not {a, b} <= ids, f"{t.id} uses both {a} and {b}"


def test_every_shared_item_is_used(suite: Suite, tasks: list[ResolvedTask]) -> None:
    used = {it.id for t in tasks for it in t.items}
    shared = {it.id for it in suite.dimensions[DIMENSION].items}
    assert shared - used == set()


def test_task_files_write_shared_items_as_references(suite: Suite) -> None:
    """Inline items must not shadow a shared item's id (use `- use:` instead)."""
    shared = {it.id for it in suite.dimensions[DIMENSION].items}
    for path in sorted((suite.root / "tasks" / CATEGORY).glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        inline = {e["id"] for e in data["items"] if "use" not in e}
        assert inline & shared == set(), path.name
