"""score_run (one pass over the verdicts, bootstrap indices shared within a run) against the
straightforward computation it replaces: response_score per response, then per dimension,
coverage slot by slot, a fresh generator per interval. Every field must be equal, not close."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence

import numpy as np
import pytest

from benchmark.measure.scoring import (
    BOOT_SEED,
    PARTIAL_BELOW,
    bootstrap_ci,
    response_score,
    score_run,
    vanilla_gaps,
)
from benchmark.records.schemas import (
    Coverage,
    JudgmentRecord,
    ResolvedTask,
    RubricItem,
    ScoreCI,
    Scores,
)
from benchmark.suite import load_suite

# --------------------------------------------------------------------------- the reference


def _ref_summary(per_task: dict[str, float], seed: int) -> ScoreCI:
    vals = list(per_task.values())
    if not vals:
        return ScoreCI(score=None, ci_low=None, ci_high=None, n=0)
    lo, hi = bootstrap_ci(vals, seed=seed)  # a fresh generator every time
    return ScoreCI(
        score=round(100.0 * float(np.mean(vals)), 4),
        ci_low=None if lo is None else round(100.0 * lo, 4),
        ci_high=None if hi is None else round(100.0 * hi, 4),
        n=len(vals),
    )


def _ref_task_means(
    tasks: Sequence[ResolvedTask],
    samples: int,
    verdicts: dict[tuple[str, int], dict[str, bool | None]],
    select: Callable[[RubricItem], bool],
) -> dict[str, float]:
    out: dict[str, float] = {}
    for task in tasks:
        items = [it for it in task.items if select(it)]
        if not items:
            continue
        scores = []
        for s in range(samples):
            sc = response_score(items, verdicts.get((task.id, s), {}))
            if sc is not None:
                scores.append(sc)
        if scores:
            out[task.id] = float(np.mean(scores))
    return out


def reference_score_run(
    model: str,
    tasks: Sequence[ResolvedTask],
    samples: int,
    judgments: Sequence[JudgmentRecord],
    *,
    seed: int = BOOT_SEED,
) -> Scores:
    verdicts: dict[tuple[str, int], dict[str, bool | None]] = defaultdict(dict)
    inapplicable: set[tuple[str, int, str]] = set()
    for j in judgments:
        verdicts[(j.task_id, j.sample)][j.item_id] = j.verdict
        if j.not_applicable and j.verdict is None:
            inapplicable.add((j.task_id, j.sample, j.item_id))
    slots = [(t.id, s, it.id) for t in tasks for s in range(samples) for it in t.items]
    expected = sum(1 for k in slots if k not in inapplicable)
    judged = sum(1 for t, s, i in slots if verdicts.get((t, s), {}).get(i) is not None)
    coverage = Coverage(
        expected=expected,
        judged=judged,
        failed=expected - judged,
        not_applicable=len(inapplicable),
    )
    task_scores = _ref_task_means(tasks, samples, verdicts, lambda it: True)
    dims = sorted({it.dimension for t in tasks for it in t.items})
    gaps = vanilla_gaps(tasks, task_scores)
    category_of = {t.id: t.category for t in tasks}
    complete = coverage.expected and coverage.fraction >= PARTIAL_BELOW
    return Scores(
        model=model,
        overall=_ref_summary(task_scores, seed),
        dimensions={
            d: _ref_summary(
                _ref_task_means(tasks, samples, verdicts, lambda it, d=d: it.dimension == d),
                seed,
            )
            for d in dims
        },
        categories={
            c: _ref_summary({k: v for k, v in task_scores.items() if category_of[k] == c}, seed)
            for c in sorted(set(category_of.values()))
        },
        tasks={
            t.id: (
                ScoreCI(score=round(100 * task_scores[t.id], 4), n=samples)
                if t.id in task_scores
                else ScoreCI(score=None, n=0)
            )
            for t in tasks
        },
        coverage=coverage,
        status="complete" if complete else "partial",
        vanilla_gap=_ref_summary(gaps, seed) if gaps else None,
    )


# --------------------------------------------------------------------------- inputs


def _record(t: ResolvedTask, s: int, it: RubricItem, rng: random.Random) -> JudgmentRecord:
    roll = rng.random()
    verdict = None if roll < 0.08 else rng.random() < 0.6
    return JudgmentRecord(
        task_id=t.id,
        sample=s,
        model="m/x",
        item_id=it.id,
        dimension=it.dimension,
        points=it.points,
        verdict=verdict,
        judge="j/x",
        not_applicable=verdict is None and roll < 0.03,
    )


def random_judgments(
    tasks: Sequence[ResolvedTask], samples: int, seed: int, *, drop: float = 0.0
) -> list[JudgmentRecord]:
    """Verdicts met, not met or missing (with some checks that do not apply), a share of
    lines absent, in a shuffled order."""
    rng = random.Random(seed)
    out = [
        _record(t, s, it, rng)
        for t in tasks
        for s in range(samples)
        for it in t.items
        if rng.random() >= drop
    ]
    rng.shuffle(out)
    return out


def _item(i: str, points: int, dim: str) -> RubricItem:
    return RubricItem(id=i, dimension=dim, text=i, points=points)


def _task(tid: str, cat: str, items: list[RubricItem], **kw: object) -> ResolvedTask:
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
        **kw,  # type: ignore[arg-type]
    )


# Hand-made edge cases: a task with only failure items, one with no item of a dimension,
# one with no items at all, a creative/plain pair (vanilla gap), a task listed twice.
EDGE = [
    _task("neg", "creative_writing", [_item("n1", -3, "d1"), _item("n2", -1, "d2")]),
    _task(
        "mix", "creative_writing", [_item("a", 5, "d1"), _item("b", 3, "d1"), _item("f", -4, "d2")]
    ),
    _task("empty", "visual_design", []),
    _task("plain", "visual_design", [_item("p", 2, "d3")], variant="plain", pair="crea"),
    _task(
        "crea",
        "visual_design",
        [_item("p", 2, "d3"), _item("q", 1, "d1")],
        variant="creative",
        pair="plain",
    ),
]


@pytest.fixture(scope="module")
def suite_tasks() -> list[ResolvedTask]:
    return list(load_suite().tasks)


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("samples", [1, 3, 9])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_score_run_equals_the_reference_on_the_suite(
    suite_tasks: list[ResolvedTask], samples: int, seed: int
) -> None:
    judgments = random_judgments(suite_tasks, samples, seed, drop=0.02 * seed)
    run_seed = 7 + seed
    got = score_run("m/x", suite_tasks, samples, judgments, seed=run_seed)
    want = reference_score_run("m/x", suite_tasks, samples, judgments, seed=run_seed)
    assert got.model_dump() == want.model_dump()


@pytest.mark.parametrize("seed", range(6))
def test_score_run_equals_the_reference_on_edge_cases(seed: int) -> None:
    tasks = [*EDGE, EDGE[1]] if seed % 2 else EDGE
    judgments = random_judgments(tasks, 4, seed, drop=0.1)
    if seed == 5:  # lines the reference keeps too: a second line for a key, an unknown item
        judgments += [judgments[0].model_copy(update={"verdict": True})]
        judgments += [judgments[1].model_copy(update={"item_id": "nowhere"})]
    got = score_run("m/x", tasks, 4, judgments, seed=seed)
    assert (
        got.model_dump() == reference_score_run("m/x", tasks, 4, judgments, seed=seed).model_dump()
    )


def test_score_run_without_any_verdict() -> None:
    got = score_run("m/x", EDGE, 2, [], seed=3)
    assert got.model_dump() == reference_score_run("m/x", EDGE, 2, [], seed=3).model_dump()
    assert got.overall.score is None and got.coverage.judged == 0


def test_shared_resamples_are_the_fresh_generators_draws() -> None:
    resamples: dict[int, np.ndarray] = {}
    rng = random.Random(4)
    for n in [5, 9, 5, 1, 9, 2]:
        values = [rng.random() for _ in range(n)]
        shared = bootstrap_ci(values, seed=11, resamples=resamples)
        assert shared == bootstrap_ci(values, seed=11)
    assert sorted(resamples) == [2, 5, 9]
