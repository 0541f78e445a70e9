"""ratings.json from comparisons.jsonl: anchored Bradley–Terry ratings, raw and
length-controlled, and the judge's position statistics."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ...errors import UsageError
from .bradley_terry import DEFAULT_RIDGE, ELO, observations, rate
from .outcomes import fold, position_stats
from .records import OVERALL, ComparisonRecord, RatingsFile, RunRating, RunRef

DEFAULT_ANCHOR_RATING = 1000.0


def resolve_anchors(runs: Sequence[RunRef], given: Sequence[str]) -> dict[int, float]:
    """`--anchor RUN[=RATING]` (RUN: a run dir path, run_id or model spec; at most two) ->
    {run index: rating}. Without any, the first run is the anchor at 1000."""
    if not given:
        return {0: DEFAULT_ANCHOR_RATING}
    if len(given) > 2:
        raise UsageError("--anchor: give one or two anchors, not more")
    out: dict[int, float] = {}
    for text in given:
        name, sep, value = text.rpartition("=") if "=" in text else (text, "", "")
        try:
            rating = float(value) if sep else DEFAULT_ANCHOR_RATING
        except ValueError:
            raise UsageError(f"--anchor {text}: rating {value!r} is not a number") from None
        hits = [k for k, r in enumerate(runs) if name in (r.path, r.run_id, r.model)]
        if len(hits) != 1:
            what = "matches no run" if not hits else "matches more than one run"
            raise UsageError(f"--anchor {text}: {name!r} {what} (give a run dir or run_id)")
        out[hits[0]] = rating
    if len(out) == 2 and len(set(out.values())) == 1:
        raise UsageError("--anchor: two anchors need two different ratings")
    return out


def build_ratings(
    records: list[ComparisonRecord],
    runs: Sequence[RunRef],
    anchors: dict[int, float],
    *,
    judge: str,
    criterion: str = OVERALL,
    margin_weights: bool = False,
    resamples: int = 1000,
    seed: int = 0,
    ridge: float = DEFAULT_RIDGE,
) -> RatingsFile:
    ids = [r.run_id for r in runs]
    outcomes = fold(records, criterion)
    if not outcomes:
        raise UsageError(f"no comparison with a verdict in both orders for {criterion!r} yet")
    obs = observations(outcomes, ids, margin_weights=margin_weights)
    raw = rate(obs, anchors, resamples=resamples, seed=seed, ridge=ridge)
    lc = rate(obs, anchors, length_control=True, resamples=resamples, seed=seed, ridge=ridge)
    played = Counter(o.run_a for o in outcomes) + Counter(o.run_b for o in outcomes)
    rows = [
        RunRating(
            model=r.model,
            run_id=r.run_id,
            rating=round(float(raw.rating[k]), 2),
            ci_low=round(float(raw.ci_low[k]), 2),
            ci_high=round(float(raw.ci_high[k]), 2),
            lc_rating=round(float(lc.rating[k]), 2),
            lc_ci_low=round(float(lc.ci_low[k]), 2),
            lc_ci_high=round(float(lc.ci_high[k]), 2),
            comparisons=played[r.run_id],
            anchor=k in anchors,
        )
        for k, r in enumerate(runs)
    ]
    return RatingsFile(
        judge=judge,
        criterion=criterion,
        method={
            "model": "bradley-terry",
            "scale": f"elo: rating = {ELO:.4f} * theta, anchored",
            "ties": "half a win each; a pair whose two orders disagree is a tie",
            "weights": "mean margin" if margin_weights else "one per pair outcome",
            "ridge": ridge,
            "ci": f"95% percentile bootstrap over tasks, {resamples} resamples, seed {seed}",
            "length_control": "gamma * tanh(word difference / sd), rating at equal length",
        },
        anchors={runs[k].run_id: v for k, v in sorted(anchors.items())},
        runs=sorted(rows, key=lambda r: -r.rating),
        position=position_stats(records, criterion, resamples=resamples, seed=seed),
        length_coefficient=round(lc.length_coefficient, 4),
    )
