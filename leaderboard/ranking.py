"""Tie-aware ranks: rank = 1 + the number of runs significantly better than this one.

"Significantly better" is decided by a paired bootstrap over the tasks both runs scored: the
tasks are resampled with replacement (N_BOOT times, fixed seed) and the same resample is
applied to both runs, so the per-task pairing is kept; B is significantly better than A when
the 2.5th percentile of mean(B - A) over the resamples is above zero (the lower end of the
two-sided 95% interval of the difference). Runs with no task in common are not compared.

Pairing matters: two runs whose overall CIs overlap (because tasks differ a lot in difficulty)
can still differ consistently task by task, and the paired test sees it. Runs that share the
same task set are handled together with one resample matrix, and most pairs are decided by
counting (see _better_counts), so 200 runs take well under a tenth of a second."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

N_BOOT = 1000
SEED = 20240611
ALPHA = 0.05


@dataclass
class RankInfo:
    rank: int
    better: list[str] = field(default_factory=list)  # runs significantly better than this one


def _boot_means(scores: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """(runs x tasks) scores, (boots x tasks) resample indices -> (runs x boots) means,
    as a product with the resample count matrix (small, whatever the number of runs)."""
    n_boot, n_tasks = idx.shape
    counts = np.zeros((n_boot, n_tasks))
    np.add.at(counts, (np.repeat(np.arange(n_boot), n_tasks), idx.ravel()), 1.0)
    return scores @ counts.T / n_tasks


# Above this magnitude a mean is not decided by counting: differences and the quantile's
# interpolation of such values could overflow (scores are 0-100; this only guards odd input).
_SAFE_MAGNITUDE = 1e150


def _lower_quantile(diff: np.ndarray, alpha: float) -> np.ndarray:
    """The alpha/2 quantile of each row of (pairs x boots) paired differences."""
    return np.quantile(diff, alpha / 2, axis=1)


def _better_counts(means: np.ndarray, alpha: float) -> np.ndarray:
    """better[i, j] is True when run j is significantly better than run i: the alpha/2
    quantile of means[j] - means[i] over the resamples is above zero.

    Exact without a quantile per pair: numpy's (linear) quantile interpolates between the
    sorted differences at ranks lo = floor(h) and lo + 1, h = alpha/2 * (boots - 1), and the
    interpolation of two values lies between them (both branches of numpy's lerp round
    towards the bounds). With c differences <= 0, the value at rank lo is > 0 when c <= lo,
    and the one at rank lo + 1 is <= 0 when c >= lo + 2. So a count decides every pair but
    those with c near lo (a margin of one rank each side), and pairs with a non-finite or
    huge mean; those get the very quantile a loop over runs would compute (the tests compare
    the two)."""
    n, n_boot = means.shape
    lo = int(np.floor(alpha / 2 * (n_boot - 1)))
    safe = np.isfinite(means).all(axis=1) & (np.abs(means) <= _SAFE_MAGNITUDE).all(axis=1)
    better = np.zeros((n, n), dtype=bool)
    unsure = np.zeros((n, n), dtype=bool)
    with np.errstate(invalid="ignore"):  # inf - inf: such pairs are recomputed below
        for i in range(n):
            nonpos = np.count_nonzero(means - means[i] <= 0, axis=1)  # c, for every j
            better[i] = nonpos < lo
            unsure[i] = (nonpos >= lo) & (nonpos <= lo + 2)
    unsure |= ~(safe[:, None] & safe[None, :])
    np.fill_diagonal(unsure, False)
    rows, cols = np.nonzero(unsure)
    if rows.size:
        better[rows, cols] = _lower_quantile(means[cols] - means[rows], alpha) > 0
    np.fill_diagonal(better, False)
    return better


def tie_aware_ranks(
    task_scores: Mapping[str, Mapping[str, float]],
    *,
    n_boot: int = N_BOOT,
    seed: int = SEED,
    alpha: float = ALPHA,
) -> dict[str, RankInfo]:
    """Ranks for runs given {run: {task_id: score}} (tasks without a score simply absent)."""
    runs = sorted(task_scores)
    out = {r: RankInfo(rank=1) for r in runs}
    groups: dict[frozenset[str], list[str]] = {}
    for r in runs:
        groups.setdefault(frozenset(task_scores[r]), []).append(r)
    keys = sorted(groups, key=lambda k: sorted(k))
    rng = np.random.default_rng(seed)
    for gi, ga in enumerate(keys):
        for gb in keys[gi:]:
            common = sorted(ga & gb)
            if not common:
                continue
            members = groups[ga] if ga == gb else groups[ga] + groups[gb]
            matrix = np.array([[task_scores[r][t] for t in common] for r in members], dtype=float)
            idx = rng.integers(0, len(common), size=(n_boot, len(common)))
            better = _better_counts(_boot_means(matrix, idx), alpha)
            for i, a in enumerate(members):
                for j in np.flatnonzero(better[i]):
                    b = members[int(j)]
                    # Across two groups only cross-group pairs are new; within-group pairs
                    # were decided when the group met itself.
                    if ga != gb and (a in groups[ga]) == (b in groups[ga]):
                        continue
                    out[a].better.append(b)
    for r in runs:
        out[r].better = sorted(set(out[r].better))
        out[r].rank = 1 + len(out[r].better)
    return out
