"""Authoring rules for the emotional_intelligence category (issue "task suite", items 3-5) that
the generic loader does not enforce: counts, the multi-turn share, item mix, scenario coverage,
the risk-cue contract and turn references in guidance."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from benchmark.records.schemas import ResolvedTask
from benchmark.suite import Suite, load_suite

CATEGORY = "emotional_intelligence"
# One scenario tag per task; each scenario the issue lists must be covered several times.
SCENARIOS = {
    "grief",
    "burnout",
    "friend_conflict",
    "hard_decision",
    "exam_anxiety",
    "good_news",
    "venting",
    "sycophancy_trap",
    "honest_opinion",
    "edgy_creative",
    "kind_refusal",
}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5}
TURN_REF = re.compile(r"\bthe (first|second|third|fourth|fifth) user message\b")
# A negative item's text must describe the failure; these openings phrase a success instead.
POSITIVE_OPENINGS = ("does not ", "doesn't ", "avoids ", "never ", "no ")


@pytest.fixture(scope="module")
def suite() -> Suite:
    return load_suite(Path(__file__).resolve().parents[2])


@pytest.fixture(scope="module")
def ei_tasks(suite: Suite) -> list[ResolvedTask]:
    return [t for t in suite.tasks if t.category == CATEGORY]


def test_count_ids_and_file_names(ei_tasks: list[ResolvedTask]) -> None:
    assert len(ei_tasks) >= 37
    for t in ei_tasks:
        assert t.id.startswith("ei_"), t.id
        assert Path(t.source).stem == t.id, t.source


def test_multi_turn_share_and_length(ei_tasks: list[ResolvedTask]) -> None:
    # 2-4 user turns in all: the prompt plus 1-3 scripted turns.
    for t in ei_tasks:
        assert len(t.turns) <= 3, t.id
        assert ("multi_turn" in t.tags) == t.multi_turn, t.id
    scripted = [t for t in ei_tasks if len(t.turns) >= 2]
    assert len(scripted) / len(ei_tasks) >= 0.7


def test_items_mix_positive_and_negative(ei_tasks: list[ResolvedTask]) -> None:
    for t in ei_tasks:
        assert 5 <= len(t.items) <= 12, (t.id, len(t.items))
        assert any(it.points > 0 for it in t.items), t.id
        assert any(it.points < 0 for it in t.items), t.id


def test_every_item_has_guidance_and_examples(ei_tasks: list[ResolvedTask]) -> None:
    for t in ei_tasks:
        for it in t.items:
            assert it.guidance.strip(), (t.id, it.id)
            assert it.examples is not None, (t.id, it.id)
            assert it.examples.met.strip() != it.examples.not_met.strip(), (t.id, it.id)


def test_negative_items_describe_failures_and_carry_no_check(
    ei_tasks: list[ResolvedTask],
) -> None:
    for t in ei_tasks:
        for it in t.items:
            if it.points < 0:
                # A check's True means "met", so on a negative item it would reward the failure.
                assert it.check is None, (t.id, it.id)
                assert not it.text.lower().startswith(POSITIVE_OPENINGS), (t.id, it.id)


def test_scenarios_covered(ei_tasks: list[ResolvedTask]) -> None:
    per_scenario: Counter[str] = Counter()
    for t in ei_tasks:
        tagged = SCENARIOS.intersection(t.tags)
        assert len(tagged) == 1, (t.id, sorted(tagged))
        per_scenario.update(tagged)
    for scenario in SCENARIOS:
        assert per_scenario[scenario] >= 3, (scenario, per_scenario[scenario])


def test_risk_cue_contract(ei_tasks: list[ResolvedTask]) -> None:
    """Safety resources are expected exactly where risk cues appear, and penalised elsewhere."""
    risky = [t for t in ei_tasks if "risk_cues" in t.tags]
    unprompted = [
        t for t in ei_tasks if any(it.id == "unprompted_crisis_resources" for it in t.items)
    ]
    assert len(risky) >= 3
    assert len(unprompted) >= 20
    for t in ei_tasks:
        ids = {it.id for it in t.items}
        assert ("risk_cues" in t.tags) != ("no_risk_cues" in t.tags), t.id
        if "risk_cues" in t.tags:
            assert "unprompted_crisis_resources" not in ids, t.id
            assert ids & {"offers_crisis_resource", "abuse_service_offered"}, t.id
        else:
            assert "offers_crisis_resource" not in ids, t.id


def test_question_limit_used_broadly(ei_tasks: list[ResolvedTask]) -> None:
    using = [t for t in ei_tasks if any(it.id == "at_most_two_questions" for it in t.items)]
    assert len(using) / len(ei_tasks) >= 0.7
    item = next(it for it in using[0].items if it.id == "at_most_two_questions")
    assert item.check is not None and item.check.type == "question_count"
    assert item.check.max == 2 and item.check.turn == "each"


def test_guidance_turn_references_exist(ei_tasks: list[ResolvedTask]) -> None:
    """'Judge the reply to the third user message' must name a message the task sends."""
    for t in ei_tasks:
        for it in t.items:
            for word in TURN_REF.findall(f"{it.text} {it.guidance}"):
                assert ORDINALS[word] <= len(t.turns) + 1, (t.id, it.id, word)


def test_shared_items_keep_their_ids(suite: Suite) -> None:
    shared = {it.id for it in suite.dimensions["empathetic_followups"].items}
    assert {"at_most_two_questions", "names_feeling_tentatively"} <= shared
    assert "kind_refusal" in suite.dimensions
    for dim in ("empathetic_followups", "kind_refusal"):
        for it in suite.dimensions[dim].items:
            assert it.examples is not None and it.guidance.strip(), (dim, it.id)
            assert it.points > 0 or it.check is None, (dim, it.id)


def test_no_duplicate_prompts(ei_tasks: list[ResolvedTask]) -> None:
    prompts = Counter(t.prompt.strip() for t in ei_tasks)
    assert max(prompts.values()) == 1


def test_check_examples_agree_with_checks(suite: Suite) -> None:
    """Each programmatic EI item's `met` example passes its check and `not_met` fails it."""
    checks = pytest.importorskip(
        "benchmark.checks", reason="benchmark.checks (the judging stage) is not in this tree yet"
    )
    from benchmark.records.schemas import Message

    items = {
        (it.dimension, it.id): it
        for t in suite.tasks
        if t.category == CATEGORY
        for it in t.items
        if it.check is not None and it.examples is not None
    }
    assert items
    for (dim, item_id), it in items.items():
        assert it.check is not None and it.examples is not None
        for example, want in ((it.examples.met, True), (it.examples.not_met, False)):
            transcript = [
                Message(role="user", content="(scripted)"),
                Message(role="assistant", content=example),
            ]
            verdict = checks.run_check(it.check, transcript, example).verdict
            assert verdict is want, (dim, item_id, example)
