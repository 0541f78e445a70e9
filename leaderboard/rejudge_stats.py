"""What a re-judged sample says about the whole bundle (pure arithmetic, no calls).

- Disagreement rate: re-judged items whose new verdict differs from the claimed one, over the
  items that got a new verdict; 95% Wilson interval. With a |points|-weighted draw it is the
  points-weighted rate.
- Implied score shift: the overall score the bundle would have with the maintainer's verdicts
  minus the one it claims (points, 0-100; negative when the bundle claims more), estimated from
  the ordered draw with Des Raj's estimator for successive sampling with unequal probabilities
  (unbiased, with an unbiased variance estimate: Des Raj 1956, JASA 51:269-284). Each item
  contributes its effect when the verdicts differ (rejudge_sample.Candidate.effect), 0 when they
  agree or when the maintainer's judge gave no verdict (a failed or ungrounded re-judgment
  cannot count against the bundle). A 95% interval uses Student's t with n - 1 degrees of
  freedom; a draw of the whole population is exact.
- Decision: rejected when the one-sided upper bound of the shift at level `alpha` is below
  -`margin`, i.e. the bundle claims more than `margin` points above what the maintainer's judge
  gives, with confidence 1 - alpha (docs/LEADERBOARD.md "Spot re-judging" for the values)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats

Z95 = 1.959963984540054


@dataclass(frozen=True)
class ShiftEstimate:
    shift: float
    ci_low: float
    ci_high: float
    se: float
    n: int
    exact: bool  # the draw covered the whole population


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion k/n (0, 1 when n = 0)."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def des_raj(shifts: Sequence[float], probs: Sequence[float]) -> tuple[float, float]:
    """(estimate of the population total, its standard error) from an ordered successive draw:
    `shifts[k]` is the k-th drawn unit's value, `probs[k]` its initial draw probability."""
    n = len(shifts)
    ts: list[float] = []
    seen_y = seen_p = 0.0
    for y, p in zip(shifts, probs, strict=True):
        ts.append(seen_y + y / p * (1.0 - seen_p))
        seen_y += y
        seen_p += p
    mean = sum(ts) / n
    if n < 2:
        return mean, math.inf
    var = sum((t - mean) ** 2 for t in ts) / (n * (n - 1))
    return mean, math.sqrt(var)


def estimate_shift(
    shifts: Sequence[float], probs: Sequence[float], *, population: int
) -> ShiftEstimate:
    """The implied score shift with its 95% interval."""
    n = len(shifts)
    if n == 0:
        return ShiftEstimate(0.0, -math.inf, math.inf, math.inf, 0, False)
    if n >= population:
        total = float(sum(shifts))
        return ShiftEstimate(total, total, total, 0.0, n, True)
    est, se = des_raj(shifts, probs)
    half = float(stats.t.ppf(0.975, n - 1)) * se if n > 1 else math.inf
    return ShiftEstimate(est, est - half, est + half, se, n, False)


def upper_bound(e: ShiftEstimate, alpha: float) -> float:
    """One-sided upper confidence bound of the shift at level 1 - alpha."""
    if e.exact:
        return e.shift
    if e.n < 2 or not math.isfinite(e.se):
        return math.inf
    return e.shift + float(stats.t.ppf(1.0 - alpha, e.n - 1)) * e.se


def inflated(e: ShiftEstimate, *, margin: float, alpha: float) -> bool:
    """Does the bundle claim more than `margin` points too many, at confidence 1 - alpha?"""
    return upper_bound(e, alpha) < -margin
