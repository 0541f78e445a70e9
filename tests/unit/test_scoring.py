"""Scoring against hand-computed values (DESIGN.md "Scoring")."""

from __future__ import annotations

import pytest

from benchmark.measure.scoring import bootstrap_ci, response_score, score_run
from benchmark.records.schemas import JudgmentRecord, ResolvedTask, RubricItem


def item(i: str, points: int, dim: str = "d1") -> RubricItem:
    return RubricItem(id=i, dimension=dim, text=f"item {i}", points=points)


ITEMS = [item("a", 5), item("b", 3), item("c", 2, "d2"), item("neg", -4, "d2")]


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        # all positives met, negative not met: 10/10
        ({"a": True, "b": True, "c": True, "neg": False}, 1.0),
        # a met only: 5/10
        ({"a": True, "b": False, "c": False, "neg": False}, 0.5),
        # a and b met, failure happened: (5+3-4)/10 = 0.4
        ({"a": True, "b": True, "c": False, "neg": True}, 0.4),
        # only the failure: -4/10 clipped to 0
        ({"a": False, "b": False, "c": False, "neg": True}, 0.0),
        # b null: drops out of both sums -> (5+2)/(5+2) = 1
        ({"a": True, "b": None, "c": True, "neg": False}, 1.0),
        # a null, b met, neg met: (3-4)/(3+2) -> clipped 0
        ({"a": None, "b": True, "c": False, "neg": True}, 0.0),
        # c null, a met, neg null: 5/(5+3) = 0.625
        ({"a": True, "b": False, "c": None, "neg": None}, 0.625),
        # every positive null: undefined
        ({"a": None, "b": None, "c": None, "neg": True}, None),
        # missing verdicts count as null
        ({"a": True}, 1.0),
    ],
)
def test_response_score(verdicts: dict[str, bool | None], expected: float | None) -> None:
    assert response_score(ITEMS, verdicts) == expected


def _task(tid: str, cat: str, items: list[RubricItem]) -> ResolvedTask:
    return ResolvedTask(
        id=tid,
        category=cat,
        title=tid,
        system=None,
        prompt="p",
        turns=[],
        tags=[],
        items=items,
        source=f"{tid}.yaml",
    )


def _j(tid: str, s: int, it: RubricItem, v: bool | None) -> JudgmentRecord:
    return JudgmentRecord(
        task_id=tid,
        sample=s,
        model="m",
        item_id=it.id,
        dimension=it.dimension,
        points=it.points,
        verdict=v,
        judge="j",
        error=None if v is not None else "x",
    )


def test_score_run_hand_computed() -> None:
    t1 = _task("t1", "creative_writing", [item("a", 4), item("b", 4, "d2"), item("n", -2)])
    t2 = _task("t2", "emotional_intelligence", [item("a", 2), item("b", 6, "d2")])
    js = [
        # t1 sample 0: a met, b not, n met -> (4-2)/8 = 0.25
        _j("t1", 0, t1.items[0], True),
        _j("t1", 0, t1.items[1], False),
        _j("t1", 0, t1.items[2], True),
        # t1 sample 1: a met, b met, n not -> 1.0
        _j("t1", 1, t1.items[0], True),
        _j("t1", 1, t1.items[1], True),
        _j("t1", 1, t1.items[2], False),
        # t2 sample 0: a met, b null -> 2/2 = 1.0
        _j("t2", 0, t2.items[0], True),
        _j("t2", 0, t2.items[1], None),
        # t2 sample 1: a not, b met -> 6/8 = 0.75
        _j("t2", 1, t2.items[0], False),
        _j("t2", 1, t2.items[1], True),
    ]
    sc = score_run("m", [t1, t2], 2, js)
    # task means: t1 = (0.25 + 1)/2 = 0.625; t2 = (1 + 0.75)/2 = 0.875; overall = 75
    assert sc.tasks["t1"].score == pytest.approx(62.5)
    assert sc.tasks["t2"].score == pytest.approx(87.5)
    assert sc.overall.score == pytest.approx(75.0)
    assert sc.categories["creative_writing"].score == pytest.approx(62.5)
    assert sc.categories["emotional_intelligence"].score == pytest.approx(87.5)
    # d1 = items a, n. t1: s0 (4-2)/4 = 0.5, s1 4/4 = 1 -> 0.75; t2: s0 1, s1 0 -> 0.5
    assert sc.dimensions["d1"].score == pytest.approx(62.5)
    # d2 = item b. t1: 0, 1 -> 0.5; t2: s0 null (dropped), s1 1 -> 1.0
    assert sc.dimensions["d2"].score == pytest.approx(75.0)
    # coverage: 2*3 + 2*2 = 10 expected, one null
    assert (sc.coverage.expected, sc.coverage.judged, sc.coverage.failed) == (10, 9, 1)
    assert sc.status == "partial"  # 90% < 99%
    assert sc.overall.ci_low is not None and sc.overall.ci_high is not None
    assert 62.5 <= sc.overall.ci_low <= sc.overall.score <= sc.overall.ci_high <= 87.5


def test_complete_when_all_judged() -> None:
    t = _task("t", "visual_design", [item("a", 1)])
    sc = score_run("m", [t], 1, [_j("t", 0, t.items[0], True)])
    assert sc.status == "complete" and sc.overall.score == 100.0


def test_bootstrap_is_deterministic_and_sane() -> None:
    vals = [0.1, 0.4, 0.5, 0.9, 0.3, 0.7]
    lo1, hi1 = bootstrap_ci(vals)
    assert (lo1, hi1) == bootstrap_ci(vals)
    assert lo1 is not None and hi1 is not None
    assert min(vals) <= lo1 < sum(vals) / len(vals) < hi1 <= max(vals)
    assert bootstrap_ci([]) == (None, None)
    assert bootstrap_ci([0.3]) == (0.3, 0.3)


def test_a_check_that_does_not_apply_leaves_both_sums_and_coverage() -> None:
    """a (+2) met, b (+3) a check that does not apply, c (-2) not met: 2/2 = 100, with b in
    neither sum; coverage expects 2 verdicts, not 3, so the run is complete."""
    t = _task("t", "visual_design", [item("a", 2), item("b", 3), item("c", -2)])
    na = JudgmentRecord(
        task_id="t",
        sample=0,
        model="m",
        item_id="b",
        dimension="d1",
        points=3,
        verdict=None,
        judge="check",
        not_applicable=True,
    )
    js = [_j("t", 0, t.items[0], True), na, _j("t", 0, t.items[2], False)]
    sc = score_run("m", [t], 1, js)
    assert sc.overall.score == pytest.approx(100.0)
    cov = sc.coverage
    assert (cov.expected, cov.judged, cov.failed, cov.not_applicable) == (2, 2, 0, 1)
    assert sc.status == "complete"
    # The same null as a failed verdict counts against coverage: partial.
    failed = na.model_copy(update={"not_applicable": False, "error": "judge call failed"})
    sc2 = score_run("m", [t], 1, [js[0], failed, js[2]])
    assert sc2.overall.score == pytest.approx(100.0)
    assert (sc2.coverage.expected, sc2.coverage.failed, sc2.coverage.not_applicable) == (3, 1, 0)
    assert sc2.status == "partial"


def test_vanilla_gap_is_creative_minus_plain_over_answered_pairs() -> None:
    """Two pairs: (plain 0.5, creative 1.0) and (plain 1.0, creative 0.5): gaps +50 and -50,
    mean 0; a third creative task whose plain twin was not run adds nothing."""

    def paired(tid: str, pair: str, variant: str) -> ResolvedTask:
        return _task(tid, "creative_writing", [item("a", 2), item("b", 2)]).model_copy(
            update={"pair": pair, "variant": variant}
        )

    tasks = [
        paired("p1", "c1", "plain"),
        paired("c1", "p1", "creative"),
        paired("p2", "c2", "plain"),
        paired("c2", "p2", "creative"),
        paired("c3", "p3", "creative"),
    ]
    half = {"a": True, "b": False}
    full = {"a": True, "b": True}
    chosen = {"p1": half, "c1": full, "p2": full, "c2": half, "c3": full}
    js = [_j(t.id, 0, it, chosen[t.id][it.id]) for t in tasks for it in t.items]
    sc = score_run("m", tasks, 1, js)
    assert sc.vanilla_gap is not None
    assert sc.vanilla_gap.score == pytest.approx(0.0) and sc.vanilla_gap.n == 2
    assert sc.vanilla_gap.ci_low == pytest.approx(-50.0)
    assert sc.vanilla_gap.ci_high == pytest.approx(50.0)
    # No pair answered: no gap (and the field stays null in scores.json).
    unpaired = _task("t", "creative_writing", [item("a", 1)])
    assert score_run("m", [unpaired], 1, [_j("t", 0, unpaired.items[0], True)]).vanilla_gap is None


def test_a_task_with_no_scorable_response() -> None:
    """t2's only positive item failed in both samples: t2 has no score (n 0) and stays out of
    the overall and its category; its dimension d2 has no task; coverage 2 of 4."""
    t1 = _task("t1", "creative_writing", [item("a", 2)])
    t2 = _task("t2", "visual_design", [item("b", 3, "d2")])
    js = [
        _j("t1", 0, t1.items[0], True),
        _j("t1", 1, t1.items[0], False),
        _j("t2", 0, t2.items[0], None),
        _j("t2", 1, t2.items[0], None),
    ]
    sc = score_run("m", [t1, t2], 2, js)
    assert sc.tasks["t1"].score == pytest.approx(50.0) and sc.tasks["t1"].n == 2
    assert (sc.tasks["t2"].score, sc.tasks["t2"].n) == (None, 0)
    assert sc.overall.score == pytest.approx(50.0) and sc.overall.n == 1
    assert sc.categories["visual_design"].score is None
    assert (sc.dimensions["d2"].score, sc.dimensions["d2"].n) == (None, 0)
    assert (sc.coverage.expected, sc.coverage.judged, sc.coverage.failed) == (4, 2, 2)
    assert sc.status == "partial"
    assert list(sc.tasks) == ["t1", "t2"] and list(sc.categories) == [
        "creative_writing",
        "visual_design",
    ]
