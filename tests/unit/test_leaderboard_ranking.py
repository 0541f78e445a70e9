"""Tie-aware ranks from the paired bootstrap over common tasks."""

from __future__ import annotations

import numpy as np

from benchmark.measure.scoring import bootstrap_ci
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
