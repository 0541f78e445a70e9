"""The task bootstrap of a pooled mean, shared by the ratings' judge statistics and the bias
card (its own module so that records can use it without importing the outcome code)."""

from __future__ import annotations

import numpy as np


def boot_mean_ci(
    values_by_task: dict[str, list[float]], resamples: int, seed: int
) -> tuple[float, float, float]:
    """Point estimate and 95% percentile CI of the mean of pooled values, resampling tasks."""
    tasks = sorted(values_by_task)
    sums = np.array([sum(values_by_task[t]) for t in tasks], dtype=float)
    counts = np.array([len(values_by_task[t]) for t in tasks], dtype=float)
    if counts.sum() == 0:
        return 0.0, 0.0, 0.0
    point = float(sums.sum() / counts.sum())
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(tasks), size=(resamples, len(tasks)))
    mult = np.zeros((resamples, len(tasks)))
    np.add.at(mult, (np.arange(resamples)[:, None], picks), 1.0)
    n = mult @ counts
    ok = n > 0
    means = (mult @ sums)[ok] / n[ok]
    low, high = np.percentile(means, [2.5, 97.5])
    return point, float(low), float(high)
