"""Prediction-powered inference for a mean (Angelopoulos et al., Science 2023; PPI++ power
tuning from Angelopoulos, Duchi & Zrnic 2023).

A leaderboard mean judged by an LLM on every response is biased by the judge's errors; human
labels on a random subset measure that bias. The PPI estimate is

    theta = mean(judge on all N) - mean(judge - human on the n labelled)

which is unbiased whatever the judge, with a CLT interval that adds both variances.

`judge_all` holds the judge's score on every response. By default the labelled responses are
among them (the leaderboard case); the estimator is then exactly

    theta = mean_L(y - (1 - n/N) f) + (1 - n/N) mean_U(f)

over the labelled set L and the N - n others U, two independent means, so its variance is
Var(y - (1 - n/N) f) / n + (1 - n/N)^2 Var(f) / (N - n). With `labeled_in_all=False`,
`judge_all` is a disjoint unlabelled set (the paper's setting) and the variance is
Var(f - y) / n + Var(f) / N.

`power_tuning=True` scales the judge term by lambda = Cov(y, f) / Var(f) (the variance-optimal
weight, estimated on the labelled set; for the disjoint case lambda = Cov / ((1 + n/N) Var f)),
so a useless judge never makes the interval wider than the human-only one.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

import numpy as np

from ..errors import UsageError


def _vector(name: str, x: Any) -> np.ndarray:
    arr = np.asarray(x, dtype=float).ravel()
    if np.isnan(arr).any() or np.isinf(arr).any():
        raise UsageError(f"ppi_mean: {name} holds NaN or infinite values")
    return arr


def ppi_mean(
    judge_all: Any,
    judge_labeled: Any,
    human_labeled: Any,
    alpha: float = 0.05,
    *,
    labeled_in_all: bool = True,
    power_tuning: bool = False,
) -> tuple[float, float, float]:
    """Prediction-powered estimate of the human mean and its (1 - alpha) CI:
    (estimate, ci_low, ci_high).

    judge_all: judge scores on all N responses; judge_labeled / human_labeled: judge and human
    scores on the n labelled responses (same order). Needs n >= 2.
    """
    f_all = _vector("judge_all", judge_all)
    f_l = _vector("judge_labeled", judge_labeled)
    y = _vector("human_labeled", human_labeled)
    if len(f_l) != len(y):
        raise UsageError(
            f"ppi_mean: judge_labeled has {len(f_l)} values but human_labeled has {len(y)}"
        )
    if not 0.0 < alpha < 1.0:
        raise UsageError(f"ppi_mean: alpha must be in (0, 1), got {alpha}")
    n, big_n = len(y), len(f_all)
    if n < 2:
        raise UsageError("ppi_mean: needs at least 2 labelled responses")
    if labeled_in_all and big_n < n:
        raise UsageError(
            f"ppi_mean: judge_all has {big_n} values, fewer than the {n} labelled responses it "
            "should include (pass labeled_in_all=False for a disjoint unlabelled set)"
        )
    if not labeled_in_all and big_n < 2:
        raise UsageError("ppi_mean: judge_all needs at least 2 unlabelled responses")

    var_f_l = float(np.var(f_l, ddof=1))
    lam = 1.0
    if power_tuning:
        cov = float(np.cov(y, f_l, ddof=1)[0, 1])
        if var_f_l > 0:
            lam = cov / var_f_l if labeled_in_all else cov / ((1 + n / big_n) * var_f_l)
        else:
            lam = 0.0

    if labeled_in_all:
        rest = big_n - n
        share = rest / big_n  # 1 - n/N
        # f_all includes the labelled scores; the unlabelled mean is recovered from the sums.
        mean_u = (f_all.sum() - f_l.sum()) / rest if rest else 0.0
        estimate = float(np.mean(y - lam * share * f_l) + lam * share * mean_u)
        var = float(np.var(y - lam * share * f_l, ddof=1)) / n
        if rest >= 2:
            unl = _unlabelled_var(f_all, f_l, rest)
            var += (lam * share) ** 2 * unl / rest
    else:
        estimate = float(np.mean(y) + lam * (f_all.mean() - f_l.mean()))
        var = (
            float(np.var(y - lam * f_l, ddof=1)) / n + lam**2 * float(np.var(f_all, ddof=1)) / big_n
        )
    half = NormalDist().inv_cdf(1.0 - alpha / 2.0) * math.sqrt(max(var, 0.0))
    return estimate, estimate - half, estimate + half


def _unlabelled_var(f_all: np.ndarray, f_l: np.ndarray, rest: int) -> float:
    """Sample variance of the N - n unlabelled judge scores from the totals (the caller passes
    all scores, labelled ones included, without saying which)."""
    s1 = f_all.sum() - f_l.sum()
    s2 = (f_all**2).sum() - (f_l**2).sum()
    return float(max((s2 - s1**2 / rest) / (rest - 1), 0.0))


def classical_mean(human_labeled: Any, alpha: float = 0.05) -> tuple[float, float, float]:
    """The human-only mean and its CLT interval, for comparison with `ppi_mean`."""
    y = _vector("human_labeled", human_labeled)
    if len(y) < 2:
        raise UsageError("classical_mean: needs at least 2 labelled responses")
    half = NormalDist().inv_cdf(1.0 - alpha / 2.0) * math.sqrt(np.var(y, ddof=1) / len(y))
    m = float(y.mean())
    return m, m - half, m + half
