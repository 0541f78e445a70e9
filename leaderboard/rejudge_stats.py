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
  cannot count against the bundle). The 95% interval (Student's t, n - 1 degrees of freedom)
  is over the draw; a draw of the whole population has none.
- Decision: an honest bundle and the maintainer's judge are two draws of one judge, so where
  they disagree, which of the two holds the verdict better for the run is a fair coin, whatever
  the judge's noise. A bundle is rejected when (1) the disagreements in its favour are too many
  for that coin: one-sided exact sign test, P(Binomial(disagreements, 1/2) >= in its favour)
  < alpha — at most a share alpha of honest bundles, at any N, bundle size or judge agreement;
  and (2) the implied shift is below -margin points, so a small, merely detectable lean (a
  judge that drifted since the run) is not a rejection (docs/LEADERBOARD.md "Spot
  re-judging")."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

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
    from scipy import stats  # only a build that re-judges pays for importing it

    est, se = des_raj(shifts, probs)
    half = float(stats.t.ppf(0.975, n - 1)) * se if n > 1 else math.inf
    return ShiftEstimate(est, est - half, est + half, se, n, False)


def sign_p(favour: int, disagree: int) -> float:
    """P(at least `favour` of `disagree` fair coins land on the bundle's side)."""
    if disagree == 0:
        return 1.0
    from scipy import stats

    return float(stats.binom.sf(favour - 1, disagree, 0.5))


def inflated(e: ShiftEstimate, *, favour: int, disagree: int, margin: float, alpha: float) -> bool:
    """Does the bundle claim more than `margin` points too many, beyond the judge's noise?"""
    return sign_p(favour, disagree) < alpha and e.shift < -margin
