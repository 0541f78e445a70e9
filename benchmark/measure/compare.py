"""`musebench compare RUN_A RUN_B`: paired differences (B minus A) over the tasks both runs
scored, overall, per category and per dimension, each with a bootstrap CI over those tasks.

Paired by task: each task's difference is computed first and the tasks are resampled, so the
task-to-task spread that both runs share (some briefs are simply harder) cancels out. A
difference is called significant when its 95% CI excludes 0, and only from MIN_CI_TASKS shared
tasks up; below that it is shown flagged and not called either way."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..records.rundir import RunDir
from ..records.schemas import JudgmentRecord, Manifest, RubricItem, Scores
from .scoring import bootstrap_ci, response_score, run_seed
from .tables import MIN_CI_TASKS

TaskScores = dict[str, float]  # task id -> score 0-100


@dataclass(frozen=True)
class PairedDiff:
    scope: str
    n: int  # shared tasks
    a: float | None  # mean over the shared tasks, 0-100
    b: float | None
    diff: float | None  # b - a
    ci_low: float | None
    ci_high: float | None
    # True / False from MIN_CI_TASKS shared tasks; None below (too few to say).
    significant: bool | None


def paired(scope: str, a: TaskScores, b: TaskScores, seed: int) -> PairedDiff:
    shared = sorted(a.keys() & b.keys())
    if not shared:
        return PairedDiff(scope, 0, None, None, None, None, None, None)
    diffs = [b[t] - a[t] for t in shared]
    low, high = bootstrap_ci(diffs, seed=seed) if len(shared) > 1 else (None, None)
    significant = None
    if len(shared) >= MIN_CI_TASKS and low is not None and high is not None:
        significant = low > 0 or high < 0
    return PairedDiff(
        scope=scope,
        n=len(shared),
        a=round(sum(a[t] for t in shared) / len(shared), 4),
        b=round(sum(b[t] for t in shared) / len(shared), 4),
        diff=round(sum(diffs) / len(diffs), 4),
        ci_low=None if low is None else round(low, 4),
        ci_high=None if high is None else round(high, 4),
        significant=significant,
    )


def task_scores(scores: Scores) -> TaskScores:
    return {t: ci.score for t, ci in scores.tasks.items() if ci.score is not None}


def dimension_task_scores(judgments: list[JudgmentRecord]) -> dict[str, TaskScores]:
    """Per dimension, each task's score on that dimension's items (the scoring formula, mean over
    samples), from the judgments alone: each record carries its item's points and dimension."""
    by_response: dict[tuple[str, int], list[JudgmentRecord]] = defaultdict(list)
    for j in judgments:
        by_response[(j.task_id, j.sample)].append(j)
    per: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for (task_id, _), records in by_response.items():
        for dim in {j.dimension for j in records}:
            mine = [j for j in records if j.dimension == dim]
            items = [
                RubricItem(id=j.item_id, dimension=dim, text=j.item_id, points=j.points)
                for j in mine
            ]
            score = response_score(items, {j.item_id: j.verdict for j in mine})
            if score is not None:
                per[dim][task_id].append(100.0 * score)
    return {d: {t: sum(v) / len(v) for t, v in ts.items()} for d, ts in per.items()}


@dataclass
class Comparison:
    a: Path
    b: Path
    a_model: str
    b_model: str
    only_a: list[str]
    only_b: list[str]
    overall: PairedDiff
    categories: list[PairedDiff]
    dimensions: list[PairedDiff]
    tasks: list[PairedDiff]  # one task each (n = 1): the difference, no CI
    notes: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_a": str(self.a),
            "run_b": str(self.b),
            "model_a": self.a_model,
            "model_b": self.b_model,
            "difference": "B minus A, points 0-100",
            "min_tasks_for_ci": MIN_CI_TASKS,
            "tasks_only_in_a": self.only_a,
            "tasks_only_in_b": self.only_b,
            "overall": asdict(self.overall),
            "categories": [asdict(d) for d in self.categories],
            "dimensions": [asdict(d) for d in self.dimensions],
            "tasks": [asdict(d) for d in self.tasks],
            "notes": self.notes,
        }


def _notes(ma: Manifest, mb: Manifest) -> list[str]:
    notes = []
    if (ma.suite_version, ma.suite_hash) != (mb.suite_version, mb.suite_hash):
        notes.append(
            f"the runs answered different suites (A v{ma.suite_version}, B v{mb.suite_version}): "
            "a shared task id may not be the same brief or rubric"
        )
    if ma.judge != mb.judge:
        notes.append(
            f"the runs were judged differently (A {ma.judge or 'no judge'}, "
            f"B {mb.judge or 'no judge'}): differences mix model and judge"
        )
    return notes


def compare_runs(
    path_a: str | Path, path_b: str | Path, *, category_of: Mapping[str, str], seed: int = 0
) -> Comparison:
    """Read both runs (one-line errors for a missing or corrupt file) and pair them by task.
    `category_of` maps task ids to categories (the suite's)."""
    ra, rb = RunDir(path_a), RunDir(path_b)
    ma, mb = ra.require(), rb.require()
    sa, sb = ra.read_scores(), rb.read_scores()
    ta, tb = task_scores(sa), task_scores(sb)
    boot = run_seed(seed)
    cats = sorted({category_of.get(t, "unknown") for t in ta.keys() & tb.keys()})

    def in_cat(ts: TaskScores, cat: str) -> TaskScores:
        return {t: v for t, v in ts.items() if category_of.get(t, "unknown") == cat}

    shared = sorted(ta.keys() & tb.keys())
    if not shared:  # an empty table would read as "no difference"
        raise UsageError(
            f"{ra.path} and {rb.path} share no scored task (A {len(ta)}, B {len(tb)}): "
            "nothing to compare"
        )
    da, db = dimension_task_scores(ra.judgments()), dimension_task_scores(rb.judgments())
    return Comparison(
        a=ra.path,
        b=rb.path,
        a_model=ma.model,
        b_model=mb.model,
        only_a=sorted(set(ma.task_ids) - set(mb.task_ids)),
        only_b=sorted(set(mb.task_ids) - set(ma.task_ids)),
        overall=paired("overall", ta, tb, boot),
        categories=[paired(c, in_cat(ta, c), in_cat(tb, c), boot) for c in cats],
        dimensions=[
            paired(d, da.get(d, {}), db.get(d, {}), boot) for d in sorted(da.keys() & db.keys())
        ],
        tasks=sorted(
            (paired(t, {t: ta[t]}, {t: tb[t]}, boot) for t in shared),
            key=lambda d: (d.diff or 0.0, d.scope),
        ),
        notes=_notes(ma, mb),
    )
