"""Prediction-powered inference for a mean: hand-computed values and CI coverage by simulation."""

from __future__ import annotations

import numpy as np
import pytest

from benchmark.errors import UsageError
from benchmark.measure.ppi import classical_mean, ppi_mean


def test_hand_computed_labelled_among_all() -> None:
    # f on all 4 responses = 1, 2, 3, 4; responses 1-2 labelled with y = 2, 2.
    # theta = mean(f_all) - mean(f_l - y) = 2.5 + 0.5 = 3.0.
    # Var = Var(y - f/2 over L = [1.5, 1.0]) / 2 + (1/2)^2 Var([3, 4]) / 2
    #     = 0.125 / 2 + 0.25 * 0.5 / 2 = 0.125; half-width = 1.959964 * sqrt(0.125).
    est, lo, hi = ppi_mean([1, 2, 3, 4], [1, 2], [2, 2])
    assert est == pytest.approx(3.0)
    assert hi - est == pytest.approx(1.959964 * 0.125**0.5, abs=1e-6)
    assert est - lo == pytest.approx(hi - est)


def test_hand_computed_disjoint_unlabelled() -> None:
    # Angelopoulos et al.: theta = mean(f_unlabelled) - mean(f_l - y).
    # f_u = 3, 4; f_l = 1, 2; y = 2, 2 -> 3.5 + 0.5 = 4.0;
    # Var = Var(f_l - y = [-1, 0]) / 2 + Var([3, 4]) / 2 = 0.25 + 0.25 = 0.5.
    est, lo, hi = ppi_mean([3, 4], [1, 2], [2, 2], labeled_in_all=False)
    assert est == pytest.approx(4.0)
    assert hi - est == pytest.approx(1.959964 * 0.5**0.5, abs=1e-6)
    assert est - lo == pytest.approx(hi - est)


def _simulate(seed: int, n_all: int, n_lab: int) -> tuple[np.ndarray, np.ndarray]:
    """Human Likert labels with a known mean and a biased, compressed, noisy judge."""
    rng = np.random.default_rng(seed)
    y = rng.choice(np.arange(1, 6), size=n_all, p=PROBS).astype(float)
    f = 1.8 + 0.6 * y + rng.normal(0.0, 0.7, size=n_all)  # judge: biased by ~+0.6 at y=3
    return y, f


PROBS = np.array([0.1, 0.2, 0.3, 0.25, 0.15])
TRUE_MEAN = float((np.arange(1, 6) * PROBS).sum())  # 3.15


@pytest.mark.parametrize(
    "labeled_in_all,power_tuning",
    [(True, False), (False, False), (True, True)],
)
def test_coverage_of_the_95_ci_is_at_least_94_percent(
    labeled_in_all: bool, power_tuning: bool
) -> None:
    sims, n_all, n_lab = 2000, 1000, 100
    covered = naive_covered = 0
    widths, classical_widths = [], []
    for seed in range(sims):
        y, f = _simulate(seed, n_all, n_lab)
        f_all = f if labeled_in_all else f[n_lab:]
        _, lo, hi = ppi_mean(
            f_all,
            f[:n_lab],
            y[:n_lab],
            labeled_in_all=labeled_in_all,
            power_tuning=power_tuning,
        )
        covered += lo <= TRUE_MEAN <= hi
        widths.append(hi - lo)
        _, clo, chi = classical_mean(y[:n_lab])
        classical_widths.append(chi - clo)
        # the judge alone: a tight interval around the wrong value
        se = f.std(ddof=1) / np.sqrt(n_all)
        naive_covered += abs(f.mean() - TRUE_MEAN) <= 1.96 * se
    assert covered / sims >= 0.94, covered / sims
    assert naive_covered / sims < 0.05  # the bias PPI removes is real
    assert np.mean(widths) < np.mean(classical_widths)  # and the judge still helps


def test_power_tuning_never_hurts_with_a_useless_judge() -> None:
    rng = np.random.default_rng(0)
    y = rng.normal(3.0, 1.0, 2000)
    f = rng.normal(0.0, 5.0, 2000)  # independent of y
    _, lo_pt, hi_pt = ppi_mean(f, f[:200], y[:200], power_tuning=True)
    _, lo_c, hi_c = classical_mean(y[:200])
    _, lo_p, hi_p = ppi_mean(f, f[:200], y[:200])
    assert hi_pt - lo_pt < 1.05 * (hi_c - lo_c) < hi_p - lo_p


def test_bad_inputs() -> None:
    with pytest.raises(UsageError, match="judge_labeled has 2 values but human_labeled has 3"):
        ppi_mean([1, 2, 3], [1, 2], [1, 2, 3])
    with pytest.raises(UsageError, match="at least 2"):
        ppi_mean([1, 2, 3], [1], [1])
    with pytest.raises(UsageError, match="NaN"):
        ppi_mean([1, float("nan"), 3], [1, 2], [1, 2])
    with pytest.raises(UsageError, match="fewer than"):
        ppi_mean([1, 2], [1, 2, 3], [1, 2, 3])
