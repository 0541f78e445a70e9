"""Scoring (DESIGN.md "Scoring", HealthBench-style points).

One response: clip(sum of points of items judged met / sum of positive points, 0, 1), where
items with verdict null drop out of both sums (a failed verdict counts against coverage; a check
that does not apply, `not_applicable`, does not). Task score = mean over its samples. Dimension and
category scores apply the same formula restricted to their items. Overall = mean task score x 100
(every reported score is on the 0-100 scale). 95% CIs: bootstrap over tasks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from ..records.schemas import (
    Coverage,
    JudgmentRecord,
    ResolvedTask,
    RubricItem,
    RunStatus,
    ScoreCI,
    Scores,
)

N_BOOT = 1000
BOOT_SEED = 20240611  # fixed so that the same run always reports the same interval
PARTIAL_BELOW = 0.99


def run_seed(seed: int) -> int:
    """The bootstrap seed a run is scored with: its own, or the fixed default for seed 0. The
    runner and the leaderboard's verification both use this, so recomputed CIs match."""
    return seed or BOOT_SEED


def response_score(items: Sequence[RubricItem], verdicts: dict[str, bool | None]) -> float | None:
    """Score one response on `items`; None when no positive item has a verdict."""
    earned = 0.0
    possible = 0.0
    for it in items:
        v = verdicts.get(it.id)
        if v is None:
            continue
        if it.points > 0:
            possible += it.points
        if v:
            earned += it.points
    if possible <= 0:
        return None
    return float(min(max(earned / possible, 0.0), 1.0))


def bootstrap_ci(
    values: Sequence[float], *, n_boot: int = N_BOOT, seed: int = BOOT_SEED
) -> tuple[float | None, float | None]:
    """Percentile 95% CI of the mean, resampling the given per-task values."""
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        return None, None
    if arr.size == 1:
        return float(arr[0]), float(arr[0])
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, arr.size, size=(n_boot, arr.size))
    means = arr[idx].mean(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    return float(lo), float(hi)


def _summary(per_task: dict[str, float], seed: int) -> ScoreCI:
    vals = list(per_task.values())
    if not vals:
        return ScoreCI(score=None, ci_low=None, ci_high=None, n=0)
    lo, hi = bootstrap_ci(vals, seed=seed)
    return ScoreCI(
        score=round(100.0 * float(np.mean(vals)), 4),
        ci_low=None if lo is None else round(100.0 * lo, 4),
        ci_high=None if hi is None else round(100.0 * hi, 4),
        n=len(vals),
    )


def _task_means(
    tasks: Iterable[ResolvedTask],
    samples: int,
    verdicts: dict[tuple[str, int], dict[str, bool | None]],
    select: Callable[[RubricItem], bool],
) -> dict[str, float]:
    """Mean response score per task over its samples, restricted to items where select()."""
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


def _dimension_means(
    tasks: Iterable[ResolvedTask],
    samples: int,
    verdicts: dict[tuple[str, int], dict[str, bool | None]],
    dimension: str,
) -> dict[str, float]:
    return _task_means(tasks, samples, verdicts, lambda it: it.dimension == dimension)


Verdicts = dict[tuple[str, int], dict[str, bool | None]]  # (task, sample) -> item -> verdict


def _read_verdicts(
    judgments: Iterable[JudgmentRecord],
) -> tuple[Verdicts, set[tuple[str, int, str]]]:
    """The verdicts by response, and the (task, sample, item) checks that did not apply."""
    verdicts: Verdicts = defaultdict(dict)
    inapplicable: set[tuple[str, int, str]] = set()
    for j in judgments:
        verdicts[(j.task_id, j.sample)][j.item_id] = j.verdict
        if j.not_applicable and j.verdict is None:
            inapplicable.add((j.task_id, j.sample, j.item_id))
    return verdicts, inapplicable


def _coverage(
    tasks: Sequence[ResolvedTask],
    samples: int,
    verdicts: Verdicts,
    inapplicable: set[tuple[str, int, str]],
) -> Coverage:
    slots = [(t.id, s, it.id) for t in tasks for s in range(samples) for it in t.items]
    expected = sum(1 for k in slots if k not in inapplicable)
    judged = sum(1 for t, s, i in slots if verdicts.get((t, s), {}).get(i) is not None)
    return Coverage(
        expected=expected,
        judged=judged,
        failed=expected - judged,
        not_applicable=len(inapplicable),
    )


def _tasks_block(
    tasks: Sequence[ResolvedTask], task_scores: dict[str, float], samples: int
) -> dict[str, ScoreCI]:
    """Each task's score on the 0-100 scale (None, n=0 when no response could be scored)."""
    return {
        t.id: (
            ScoreCI(score=round(100 * task_scores[t.id], 4), n=samples)
            if t.id in task_scores
            else ScoreCI(score=None, n=0)
        )
        for t in tasks
    }


def _category_summaries(
    tasks: Sequence[ResolvedTask], task_scores: dict[str, float], seed: int
) -> dict[str, ScoreCI]:
    category_of: dict[str, str] = {t.id: t.category for t in tasks}
    return {
        cat: _summary({k: v for k, v in task_scores.items() if category_of[k] == cat}, seed)
        for cat in sorted(set(category_of.values()))
    }


def score_run(
    model: str,
    tasks: Sequence[ResolvedTask],
    samples: int,
    judgments: Iterable[JudgmentRecord],
    *,
    seed: int = BOOT_SEED,
) -> Scores:
    verdicts, inapplicable = _read_verdicts(judgments)
    coverage = _coverage(tasks, samples, verdicts, inapplicable)
    task_scores = _task_means(tasks, samples, verdicts, lambda it: True)
    dims = sorted({it.dimension for t in tasks for it in t.items})
    gaps = vanilla_gaps(tasks, task_scores)
    complete = coverage.expected and coverage.fraction >= PARTIAL_BELOW
    status: RunStatus = "complete" if complete else "partial"
    return Scores(
        model=model,
        overall=_summary(task_scores, seed),
        dimensions={d: _summary(_dimension_means(tasks, samples, verdicts, d), seed) for d in dims},
        categories=_category_summaries(tasks, task_scores, seed),
        tasks=_tasks_block(tasks, task_scores, samples),
        coverage=coverage,
        status=status,
        vanilla_gap=_summary(gaps, seed) if gaps else None,
    )


def vanilla_gaps(tasks: Sequence[ResolvedTask], task_scores: dict[str, float]) -> dict[str, float]:
    """Per answered pair (keyed by its creative task): creative score - plain score (0-1)."""
    by_id = {t.id: t for t in tasks}
    out = {}
    for t in tasks:
        plain = by_id.get(t.pair) if t.variant == "creative" and t.pair else None
        if plain is not None and t.id in task_scores and plain.id in task_scores:
            out[t.id] = task_scores[t.id] - task_scores[plain.id]
    return out
