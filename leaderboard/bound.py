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


def _fill(
    model: str,
    tasks: Sequence[ResolvedTask],
    samples: int,
    judgments: Iterable[JudgmentRecord],
) -> tuple[list[JudgmentRecord], int]:
    """The run's verdicts with every expected but missing one set to the worst outcome, and
    how many were filled so."""
    have = {(j.task_id, j.sample, j.item_id): j for j in judgments}
    out = []
    filled = 0
    for t in tasks:
        for s in range(samples):
            for it in t.items:
                j = have.get((t.id, s, it.id))
                if j is not None and (j.verdict is not None or j.not_applicable):
                    out.append(j)
                    continue
                filled += 1
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
    return out, filled


def worst_case_judgments(
    model: str,
    tasks: Sequence[ResolvedTask],
    samples: int,
    judgments: Iterable[JudgmentRecord],
) -> list[JudgmentRecord]:
    """The run's verdicts with every expected but missing one set to the worst outcome."""
    return _fill(model, tasks, samples, judgments)[0]


def worst_case_scores(
    model: str,
    tasks: Sequence[ResolvedTask],
    samples: int,
    judgments: Sequence[JudgmentRecord],
    *,
    seed: int,
    scores: Scores | None = None,
) -> Scores:
    """score_run on worst_case_judgments: the rank score and its interval. `scores`: the
    run's ordinary scores (score_run of the same arguments), returned as they are when no
    verdict is missing, which is then the same computation on the same verdicts."""
    filled, n_filled = _fill(model, tasks, samples, judgments)
    # Nothing filled and as many records as slots: `judgments` holds one record per slot (no
    # other key, no second line for one), the very records of `filled` in another order.
    if scores is not None and n_filled == 0 and len(filled) == len(judgments):
        return scores
    return score_run(model, tasks, samples, filled, seed=seed)
