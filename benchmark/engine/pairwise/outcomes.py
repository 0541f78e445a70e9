"""Both orders of a pair folded into one outcome, and what the order did to the verdicts.

An outcome is decided only when both orders have a verdict: the same preferred run in both is
that run's win; any disagreement (a run in one order, the other run or a tie in the other) is
recorded as inconsistent and counts as a tie. The margin of a win is the mean of its two
margins. The position flip rate is the share of pairs with both orders whose preferred run
changes with the order; the first-seat win rate is the share of decisive single-order verdicts
(winner A or B) won by the response shown first. CIs by bootstrap over tasks."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .bootstrap import boot_mean_ci
from .records import ComparisonRecord, PositionStats, Preferred
from .store import call_key

PairKey = tuple[str, int, int, str, str, int]


@dataclass(frozen=True)
class Outcome:
    task_id: str
    run_a: str
    run_b: str
    result: Preferred  # run_a, run_b, or tie (ties include inconsistent pairs)
    consistent: bool
    margin: float  # mean margin of the two orders (1 for ties)
    words_a: int
    words_b: int


def _pair_key(r: ComparisonRecord) -> PairKey:
    return (r.task_id, r.sample, r.sample_b, r.run_a, r.run_b, r.judge_sample)


def by_order(
    records: list[ComparisonRecord], criterion: str
) -> dict[PairKey, dict[str, ComparisonRecord]]:
    pairs: dict[PairKey, dict[str, ComparisonRecord]] = defaultdict(dict)
    for r in records:
        if r.criterion == criterion and r.preferred is not None:
            pairs[_pair_key(r)][r.order] = r
    return pairs


def fold(records: list[ComparisonRecord], criterion: str) -> list[Outcome]:
    """One outcome per pair with a verdict in both orders, in a stable order."""
    out = []
    pairs = by_order(records, criterion)
    for key in sorted(pairs):
        both = pairs[key]
        if set(both) != {"ab", "ba"}:
            continue
        ab, ba = both["ab"], both["ba"]
        consistent = ab.preferred == ba.preferred
        result: Preferred = ab.preferred if consistent and ab.preferred else "tie"
        margin = (ab.margin or 1) / 2 + (ba.margin or 1) / 2 if result != "tie" else 1.0
        out.append(
            Outcome(key[0], key[3], key[4], result, consistent, margin, ab.words_a, ab.words_b)
        )
    return out


def position_stats(
    records: list[ComparisonRecord], criterion: str, *, resamples: int = 1000, seed: int = 0
) -> PositionStats:
    flips: dict[str, list[float]] = defaultdict(list)
    first_seat: dict[str, list[float]] = defaultdict(list)
    seen_calls = set()
    for key, both in by_order(records, criterion).items():
        for r in both.values():
            if call_key(r) in seen_calls:
                continue
            seen_calls.add(call_key(r))
            if r.winner in ("A", "B"):
                first_seat[key[0]].append(1.0 if r.winner == "A" else 0.0)
        if set(both) == {"ab", "ba"}:
            flips[key[0]].append(0.0 if both["ab"].preferred == both["ba"].preferred else 1.0)
    flip, flo, fhi = boot_mean_ci(flips, resamples, seed)
    fs, slo, shi = boot_mean_ci(first_seat, resamples, seed)
    return PositionStats(
        pairs=sum(len(v) for v in flips.values()),
        flip_rate=flip,
        flip_ci_low=flo,
        flip_ci_high=fhi,
        first_seat_win_rate=fs,
        first_seat_ci_low=slo,
        first_seat_ci_high=shi,
    )
