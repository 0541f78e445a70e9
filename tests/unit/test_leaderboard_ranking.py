"""Tie-aware ranks from the paired bootstrap over common tasks."""

from __future__ import annotations

import numpy as np
import pytest

from benchmark.measure.scoring import bootstrap_ci
from leaderboard import ranking
from leaderboard.ranking import tie_aware_ranks


def test_identical_runs_tie() -> None:
    scores = {t: float(i) for i, t in enumerate("abcdefgh")}
    ranks = tie_aware_ranks({"x": scores, "y": dict(scores), "z": dict(scores)})
    assert {k: r.rank for k, r in ranks.items()} == {"x": 1, "y": 1, "z": 1}


def test_clearly_separated_runs_are_ordered() -> None:
    tasks = [f"t{i}" for i in range(10)]
    ranks = tie_aware_ranks(
        {
            "low": dict.fromkeys(tasks, 10.0),
            "mid": dict.fromkeys(tasks, 50.0),
            "high": dict.fromkeys(tasks, 90.0),
        }
    )
    assert {k: r.rank for k, r in ranks.items()} == {"high": 1, "mid": 2, "low": 3}
    assert ranks["low"].better == ["high", "mid"]


def test_pairing_separates_runs_whose_intervals_overlap() -> None:
    """B beats A by 2 points on every task, but tasks differ so much in difficulty that the
    runs' own 95% CIs overlap: the paired test still sees B is better."""
    rng = np.random.default_rng(1)
    base = rng.uniform(0, 90, size=30)
    a = {f"t{i}": float(v) for i, v in enumerate(base)}
    b = {f"t{i}": float(v) + 2.0 for i, v in enumerate(base)}
    _, hi_a = bootstrap_ci(list(a.values()))
    lo_b, _ = bootstrap_ci(list(b.values()))
    assert lo_b is not None and hi_a is not None and lo_b < hi_a  # unpaired CIs overlap
    ranks = tie_aware_ranks({"a": a, "b": b})
    assert (ranks["b"].rank, ranks["a"].rank) == (1, 2)


def test_a_run_better_on_half_the_tasks_and_worse_on_the_other_half_ties() -> None:
    tasks = [f"t{i}" for i in range(20)]
    a = dict.fromkeys(tasks, 50.0)
    b = {t: 50.0 + (10.0 if i % 2 else -10.0) for i, t in enumerate(tasks)}
    ranks = tie_aware_ranks({"a": a, "b": b})
    assert (ranks["a"].rank, ranks["b"].rank) == (1, 1)


def test_rank_counts_only_significantly_better_runs() -> None:
    """Two runs tied at the top both rank 1; the run below both ranks 3, not 2."""
    tasks = [f"t{i}" for i in range(12)]
    top = dict.fromkeys(tasks, 80.0)
    ranks = tie_aware_ranks({"a": top, "b": dict(top), "c": dict.fromkeys(tasks, 20.0)})
    assert {k: r.rank for k, r in ranks.items()} == {"a": 1, "b": 1, "c": 3}


def test_runs_are_compared_on_their_common_tasks_only() -> None:
    # "partial" ran t0-t4 only and is better there; "full" is much better on t5-t9, which
    # "partial" never ran and which must not count against it.
    full = {f"t{i}": (40.0 if i < 5 else 100.0) for i in range(10)}
    partial = {f"t{i}": 60.0 for i in range(5)}
    ranks = tie_aware_ranks({"full": full, "partial": partial})
    assert (ranks["partial"].rank, ranks["full"].rank) == (1, 2)


def test_runs_without_a_common_task_are_not_compared() -> None:
    ranks = tie_aware_ranks({"a": {"t1": 0.0, "t2": 0.0}, "b": {"t3": 100.0, "t4": 100.0}})
    assert (ranks["a"].rank, ranks["b"].rank) == (1, 1)


def test_deterministic() -> None:
    rng = np.random.default_rng(7)
    scores = {f"m{k}": {f"t{i}": float(rng.uniform(0, 100)) for i in range(15)} for k in range(6)}
    first = {k: r.rank for k, r in tie_aware_ranks(scores).items()}
    assert first == {k: r.rank for k, r in tie_aware_ranks(scores).items()}


# --------------------------------------------------------------------------- fast path


def _better_counts_loop(means: np.ndarray, alpha: float) -> np.ndarray:
    """The straightforward reference (the ranking before it counted): one quantile of the
    paired differences per run and pair."""
    n = means.shape[0]
    better = np.zeros((n, n), dtype=bool)
    for i in range(n):
        better[i] = np.quantile(means - means[i], alpha / 2, axis=1) > 0
        better[i, i] = False
    return better


def _random_means(rng: np.random.Generator, kind: int, n: int, n_boot: int) -> np.ndarray:
    if kind == 0:  # spread runs
        return rng.normal(50, 5, (n, n_boot))
    if kind == 1:  # heavy ties: three distinct values
        return rng.integers(0, 3, (n, n_boot)).astype(float)
    if kind == 2:  # near-duplicate runs: differences of either sign around zero
        base = rng.normal(50, 3, n_boot)
        return base + rng.normal(0, 0.05, (n, n_boot)) * rng.integers(0, 2, (n, 1))
    if kind == 3:  # separated runs with NaN and infinities sprinkled in
        means = rng.normal(50, 1, (n, n_boot)) + 10.0 * np.arange(n)[:, None]
        hit = rng.random((n, n_boot)) < 0.01
        means[hit] = rng.choice([np.nan, np.inf, -np.inf], int(hit.sum()))
        return means
    return rng.normal(0, 1e-300, (n, n_boot))  # subnormal differences


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
def test_counting_decides_exactly_as_a_quantile_per_pair() -> None:
    rng = np.random.default_rng(20261206)
    for trial in range(250):
        n = int(rng.integers(1, 30))
        n_boot = int(rng.choice([1, 2, 3, 10, 41, 1000]))
        alpha = float(rng.choice([0.05, 0.1, 0.01, 0.5, 1e-9]))
        means = _random_means(rng, trial % 5, n, n_boot)
        fast = ranking._better_counts(means, alpha)
        assert np.array_equal(fast, _better_counts_loop(means, alpha)), (trial, n, n_boot, alpha)


@pytest.mark.parametrize(("below", "better"), [(-1.0, True), (-100.0, False)])
def test_a_pair_at_the_quantile_rank_gets_the_interpolated_quantile(
    below: float, better: bool
) -> None:
    """1000 resamples, alpha 0.05: the 2.5th percentile interpolates the sorted differences at
    ranks 24 and 25 (h = 0.025 x 999 = 24.975). Run 1 is 25 times `below` and 975 times 1.0
    above run 0: ranks 24 and 25 are `below` and 1.0, and the quantile 1.0 - 0.025 x (1.0 -
    below) is 0.95 (better) for -1 and -1.525 (not better) for -100, though the count of
    differences <= 0 is the same."""
    means = np.zeros((2, 1000))
    means[1] = 1.0
    means[1, :25] = below
    assert ranking._better_counts(means, 0.05)[0, 1] is np.bool_(better)
    assert _better_counts_loop(means, 0.05)[0, 1] is np.bool_(better)


def _random_board(rng: np.random.Generator, n_runs: int) -> dict[str, dict[str, float]]:
    """Runs over overlapping task sets, with tied scores, exact copies and the odd NaN."""
    tasks = [f"t{i}" for i in range(12)]
    subsets = [tasks, tasks, tasks[:8], tasks[4:]]
    board: dict[str, dict[str, float]] = {}
    for r in range(n_runs):
        own = subsets[int(rng.integers(0, len(subsets)))]
        if board and rng.random() < 0.2:  # an exact copy of an earlier run
            board[f"r{r:02d}"] = dict(board[f"r{int(rng.integers(0, r)):02d}"])
            continue
        quality = float(rng.uniform(20, 80))
        board[f"r{r:02d}"] = {
            t: float(np.round(quality + rng.normal(0, 15))) if rng.random() > 0.01 else np.nan
            for t in own
        }
    return board


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
def test_ranks_are_those_of_a_quantile_per_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(11)
    for _ in range(8):
        board = _random_board(rng, int(rng.integers(2, 40)))
        fast = tie_aware_ranks(board)
        monkeypatch.setattr(ranking, "_better_counts", _better_counts_loop)
        slow = tie_aware_ranks(board)
        monkeypatch.undo()
        assert fast == slow
