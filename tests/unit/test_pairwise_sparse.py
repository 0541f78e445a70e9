"""Sparse pairing on simulated judges with known strengths: fewer comparisons than all pairs,
the same order, ratings close to the all-pairs fit."""

from __future__ import annotations

from itertools import combinations

from benchmark.engine.pairwise.simulation import SimulatedJudge
from benchmark.engine.pairwise.sparse import add_run, sparse_schedule

STRENGTHS = [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5]
ANCHORS = {0: 1000.0}


def test_sparse_uses_fewer_comparisons_and_keeps_the_order() -> None:
    sparse = SimulatedJudge(STRENGTHS, n_tasks=30, seed=1)
    steps = sparse_schedule(len(STRENGTHS), [0], sparse.compare, lambda: sparse.estimate(ANCHORS))
    full = SimulatedJudge(STRENGTHS, n_tasks=30, seed=1)
    for i, j in combinations(range(len(STRENGTHS)), 2):
        full.compare(i, j)
    assert full.calls == 28 * 30 * 2
    assert sparse.calls < full.calls * 0.75
    assert {s.run for s in steps} == set(range(1, 8))  # every run joined
    est = sparse.estimate(ANCHORS)
    ranked = sorted(est, key=lambda k: est[k][0])
    assert ranked == list(range(8))
    everything = full.estimate(ANCHORS)
    assert max(abs(est[k][0] - everything[k][0]) for k in est) < 150


def test_add_run_starts_with_the_anchors_then_nearest_neighbours() -> None:
    judge = SimulatedJudge(STRENGTHS, n_tasks=20, seed=2)
    for i, j in combinations(range(5), 2):
        judge.compare(i, j)
    asked: list[int] = []

    def compare(i: int, j: int) -> None:
        asked.append(i)
        judge.compare(i, j)

    steps = add_run(4 + 1, [0, 1, 2, 3, 4], [0], compare, lambda: judge.estimate(ANCHORS), tol=1e-9)
    # tol ~ 0: the CI always moves, so every rated run is asked: anchor first, then by nearness.
    assert asked[0] == 0 and sorted(asked) == [0, 1, 2, 3, 4]
    assert asked[1] == 4  # run 5's nearest neighbour once it has a rating against the anchor
    assert [s.opponent for s in steps] == asked
