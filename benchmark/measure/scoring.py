"""Scoring (DESIGN.md "Scoring", HealthBench-style points).

One response: clip(sum of points of items judged met / sum of positive points, 0, 1), where
items with verdict null drop out of both sums (a failed verdict counts against coverage; a check
that does not apply, `not_applicable`, does not). Task score = mean over its samples. Dimension and
category scores apply the same formula restricted to their items. Overall = mean task score x 100
(every reported score is on the 0-100 scale). 95% CIs: bootstrap over tasks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..records.schemas import (
    Coverage,
    JudgmentRecord,
    ResolvedTask,
    RubricItem,
    ScoreCI,
    Scores,
    ScoreStatus,
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
    return _clipped(earned, possible)


def _clipped(earned: float, possible: float) -> float | None:
    """A response's score from its earned and possible points; None when nothing positive was
    judged (response_score's formula, which the run tally also applies to its own sums)."""
    if possible <= 0:
        return None
    return float(min(max(earned / possible, 0.0), 1.0))


Resamples = dict[int, np.ndarray]  # number of values -> the (n_boot x n) resample indices


def bootstrap_ci(
    values: Sequence[float],
    *,
    n_boot: int = N_BOOT,
    seed: int = BOOT_SEED,
    resamples: Resamples | None = None,
) -> tuple[float | None, float | None]:
    """Percentile 95% CI of the mean, resampling the given per-task values. `resamples`: the
    indices already drawn for this seed and n_boot, by number of values (a fresh generator
    with the same seed draws the same indices for the same count, so a run's summaries share
    them instead of drawing them again)."""
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        return None, None
    if arr.size == 1:
        return float(arr[0]), float(arr[0])
    idx = resamples.get(arr.size) if resamples is not None else None
    if idx is None:
        rng = np.random.default_rng(seed)
        idx = rng.integers(0, arr.size, size=(n_boot, arr.size))
        if resamples is not None:
            resamples[arr.size] = idx
    means = arr[idx].mean(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    return float(lo), float(hi)


def _summary(per_task: dict[str, float], seed: int, resamples: Resamples | None = None) -> ScoreCI:
    vals = list(per_task.values())
    if not vals:
        return ScoreCI(score=None, ci_low=None, ci_high=None, n=0)
    lo, hi = bootstrap_ci(vals, seed=seed, resamples=resamples)
    return ScoreCI(
        score=round(100.0 * float(np.mean(vals)), 4),
        ci_low=None if lo is None else round(100.0 * lo, 4),
        ci_high=None if hi is None else round(100.0 * hi, 4),
        n=len(vals),
    )


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


def _mean_into(out: dict[str, float], task_id: str, scores: list[float]) -> None:
    if scores:
        out[task_id] = float(np.mean(scores))


def _response_sums(
    plan: list[tuple[str, int, int]], given: dict[str, bool | None], n: int
) -> tuple[list[float], list[float], int]:
    """One response's earned and possible points (response_score's sums) per dimension index
    of `plan` (item id, points, dimension index), index `n` for all items; and how many of
    its items have a verdict."""
    earned = [0.0] * (n + 1)
    possible = [0.0] * (n + 1)
    judged = 0
    for item_id, points, k in plan:
        v = given.get(item_id)
        if v is None:
            continue
        judged += 1
        if points > 0:
            possible[k] += points
            possible[n] += points
        if v:
            earned[k] += points
            earned[n] += points
    return earned, possible, judged


@dataclass
class _Tally:
    """One pass over every (task, sample, item) slot of a run: each task's mean response
    score over its samples, overall and per dimension (a dimension restricted to its items),
    and the coverage counts. It equals response_score per response and dimension followed by
    the mean over samples: the same verdicts are summed (integer points, so the float sums do
    not depend on their order), and the same scores are averaged, in sample order."""

    dims: list[str]
    overall: dict[str, float] = field(default_factory=dict)
    by_dim: dict[str, dict[str, float]] = field(default_factory=dict)
    expected: int = 0
    judged: int = 0

    def __post_init__(self) -> None:
        self.by_dim = {d: {} for d in self.dims}

    def add_task(
        self,
        task: ResolvedTask,
        samples: int,
        verdicts: Verdicts,
        inapplicable: set[tuple[str, int, str]],
    ) -> None:
        dims = list(dict.fromkeys(it.dimension for it in task.items))  # this task's, in order
        index = {d: k for k, d in enumerate(dims)}
        plan = [(it.id, it.points, index[it.dimension]) for it in task.items]
        n = len(dims)
        scores: list[list[float]] = [[] for _ in range(n + 1)]  # per dimension, then overall
        for s in range(samples):
            earned, possible, judged = _response_sums(plan, verdicts.get((task.id, s), {}), n)
            self.judged += judged
            if inapplicable:
                self.expected += sum(1 for i, _, _ in plan if (task.id, s, i) not in inapplicable)
            else:
                self.expected += len(plan)
            for k in range(n + 1):
                if (sc := _clipped(earned[k], possible[k])) is not None:
                    scores[k].append(sc)
        _mean_into(self.overall, task.id, scores[n])
        for k, d in enumerate(dims):
            _mean_into(self.by_dim[d], task.id, scores[k])

    def coverage(self, inapplicable: set[tuple[str, int, str]]) -> Coverage:
        return Coverage(
            expected=self.expected,
            judged=self.judged,
            failed=self.expected - self.judged,
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
    tasks: Sequence[ResolvedTask], task_scores: dict[str, float], seed: int, resamples: Resamples
) -> dict[str, ScoreCI]:
    category_of: dict[str, str] = {t.id: t.category for t in tasks}
    return {
        cat: _summary(
            {k: v for k, v in task_scores.items() if category_of[k] == cat}, seed, resamples
        )
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
    dims = sorted({it.dimension for t in tasks for it in t.items})
    tally = _Tally(dims)
    for task in tasks:
        tally.add_task(task, samples, verdicts, inapplicable)
    coverage = tally.coverage(inapplicable)
    task_scores = tally.overall
    gaps = vanilla_gaps(tasks, task_scores)
    complete = coverage.expected and coverage.fraction >= PARTIAL_BELOW
    status: ScoreStatus = "complete" if complete else "partial"
    resamples: Resamples = {}  # this run's bootstrap indices, by number of tasks summarised
    return Scores(
        model=model,
        overall=_summary(task_scores, seed, resamples),
        dimensions={d: _summary(tally.by_dim[d], seed, resamples) for d in dims},
        categories=_category_summaries(tasks, task_scores, seed, resamples),
        tasks=_tasks_block(tasks, task_scores, samples),
        coverage=coverage,
        status=status,
        vanilla_gap=_summary(gaps, seed, resamples) if gaps else None,
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
