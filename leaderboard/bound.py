"""The board's rank score: the run's score with every missing verdict counted against it.

A verdict the run does not have (a judge call that failed, a tie of judge samples, a response
that failed) drops out of both sums of the ordinary score, so a run that turned its worst
verdicts into failures would score higher while staying above the coverage bar. The rank score
fills each such gap with the worst outcome instead, a positive item not met and a failure item
met, and scores the run with the same rule (benchmark.measure.scoring.score_run): the worst case of the
run's true score. Nulling a verdict can then only lower it. Checks that do not apply
(`not_applicable`) stay out of both sums, as in the ordinary score: they are re-derived by the
board's own code, so no run can choose them. With full coverage the two scores are equal."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from benchmark.measure.scoring import score_run
from benchmark.records.schemas import JudgmentRecord, ResolvedTask, Scores

WORST_CASE = "no verdict: counted against the run"


def worst_case_judgments(
    model: str,
    tasks: Sequence[ResolvedTask],
    samples: int,
    judgments: Iterable[JudgmentRecord],
) -> list[JudgmentRecord]:
    """The run's verdicts with every expected but missing one set to the worst outcome."""
    have = {(j.task_id, j.sample, j.item_id): j for j in judgments}
    out = []
    for t in tasks:
        for s in range(samples):
            for it in t.items:
                j = have.get((t.id, s, it.id))
                if j is not None and (j.verdict is not None or j.not_applicable):
                    out.append(j)
                    continue
                out.append(
                    JudgmentRecord(
                        task_id=t.id,
                        sample=s,
                        model=model,
                        item_id=it.id,
                        dimension=it.dimension,
                        points=it.points,
                        verdict=it.points < 0,  # positive item not met, failure item met
                        judge=j.judge if j is not None else "none",
                        error=WORST_CASE,
                    )
                )
    return out


def worst_case_scores(
    model: str,
    tasks: Sequence[ResolvedTask],
    samples: int,
    judgments: Iterable[JudgmentRecord],
    *,
    seed: int,
) -> Scores:
    """score_run on worst_case_judgments: the rank score and its interval."""
    filled = worst_case_judgments(model, tasks, samples, judgments)
    return score_run(model, tasks, samples, filled, seed=seed)
