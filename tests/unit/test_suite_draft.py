"""Suite 2.0.0 in progress (drafts/suite-2.0.0): every task written so far follows the suite 2
rules (loading it enforces them), and the baseline policies earn no programmatic points beyond
the issue's bounds: an empty reply none in any task, a prompt echo at most 5% of programmatic
positive points, a bare HTML skeleton at most 5% of visual design's."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmark.checks import run_check
from benchmark.engine.audit.policies import load_policies, policy_record
from benchmark.engine.judging import check_judgments
from benchmark.suite import Suite, load_suite, suite_stats

DRAFT = Path(__file__).resolve().parents[2] / "drafts" / "suite-2.0.0"


@pytest.fixture(scope="module")
def draft() -> Suite:
    return load_suite(DRAFT)


def _programmatic_points(suite: Suite, policy: str, category: str | None = None) -> tuple[int, int]:
    """(positive programmatic points met, all of them) for the policy's replies."""
    (chosen,) = [p for p in load_policies() if p.name == policy]
    met = possible = 0
    for task in suite.tasks:
        if category is not None and task.category != category:
            continue
        record = policy_record(chosen, task, f"replay/audit-{policy}")
        # check_judgments is the path a run takes, the task's gate included
        verdicts = {j.item_id: j.verdict for j in check_judgments(task, record)}
        for it in task.items:
            if it.check is None or it.points <= 0:
                continue
            possible += it.points
            if verdicts[it.id]:
                met += it.points
    return met, possible


def test_the_draft_follows_the_suite_2_rules(draft: Suite) -> None:
    assert draft.version == "2.0.0"
    stats = suite_stats(draft)
    assert set(stats["suite2_rule_findings"].values()) == {0}
    assert stats["negative_items"] >= len(draft.tasks)


def test_an_empty_reply_earns_no_programmatic_point_in_any_task(draft: Suite) -> None:
    (empty,) = [p for p in load_policies() if p.name == "empty"]
    for task in draft.tasks:
        record = policy_record(empty, task, "replay/audit-empty")
        met = [j.item_id for j in check_judgments(task, record) if j.points > 0 and j.verdict]
        assert met == [], (task.id, met)
        # and without the gate: no positive check is met by an empty reply on its own
        ungated = [it.id for it in task.items if it.check is not None and it.points > 0
                   and run_check(it.check, record.transcript, record.text).verdict]  # fmt: skip
        assert ungated == [], (task.id, ungated)


def test_echo_and_skeleton_stay_under_five_percent(draft: Suite) -> None:
    met, possible = _programmatic_points(draft, "echo")
    assert met <= 0.05 * possible, (met, possible)
    met, possible = _programmatic_points(draft, "html_skeleton", "visual_design")
    assert met <= 0.05 * possible, (met, possible)


@pytest.mark.parametrize(
    "policy",
    ["ei_template", "keyword_stuffing", "embedded_instruction", "decent_plain", "padded"],
)
def test_no_other_policy_earns_more_than_five_percent(draft: Suite, policy: str) -> None:
    # Not the bound (the release rule is 10% overall with a judge), a guard against a
    # new task letting a generic answer collect programmatic points.
    met, possible = _programmatic_points(draft, policy)
    assert met <= 0.05 * possible, (policy, met, possible)
