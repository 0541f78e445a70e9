"""Sparse pairing: rate many runs without comparing every pair.

Runs join one at a time, in the order given (anchors first). The first joiner after the anchors
is compared with every anchor (two anchors are first compared with each other). Each later run
is compared with the anchors, then with its neighbours in the current ranking (the rated run
whose rating is nearest its own current estimate, then the next nearest, ...), one opponent at a
time over all shared tasks, refitting after each, until its 95% CI stops moving: when one more
opponent is added, neither end of the CI moves by more than `tol` times the CI's width (default
a quarter: the bootstrap itself moves the ends a little), with at least `min_opponents`
opponents compared (an anchor far above or below the run says little on its own), or no
opponent is left.

The scheduler is pure: `compare(i, j)` makes (or loads) the comparisons of runs i and j, and
`estimate()` fits what has been compared so far and returns {run: (rating, ci_low, ci_high)}
for the runs compared at least once. The CLI gives it the judge; tests and
scripts/pairwise_sparse.py give it simulated judges."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

Estimates = dict[int, tuple[float, float, float]]


@dataclass(frozen=True)
class Step:
    run: int
    opponent: int
    rating: float
    ci_low: float
    ci_high: float


def _moved(before: tuple[float, float, float] | None, after: tuple[float, float, float]) -> float:
    """How far the CI's ends moved, as a share of the new CI's width."""
    if before is None:
        return float("inf")
    width = max(after[2] - after[1], 1e-9)
    return max(abs(after[1] - before[1]), abs(after[2] - before[2])) / width


def add_run(
    new: int,
    rated: Sequence[int],
    anchors: Sequence[int],
    compare: Callable[[int, int], None],
    estimate: Callable[[], Estimates],
    *,
    tol: float = 0.25,
    min_opponents: int = 2,
) -> list[Step]:
    """Compare run `new` with anchors, then neighbours, until its CI stops moving."""
    steps: list[Step] = []
    done: set[int] = set()
    queue = [a for a in anchors if a != new]
    last: tuple[float, float, float] | None = None
    while True:
        if not queue:
            current = estimate()
            mine = current.get(new, (0.0, 0.0, 0.0))[0]
            left = [r for r in rated if r not in done and r != new and r in current]
            if not left:
                break
            queue = [min(left, key=lambda r: abs(current[r][0] - mine))]
        opponent = queue.pop(0)
        compare(opponent, new)
        done.add(opponent)
        now = estimate()[new]
        steps.append(Step(new, opponent, *now))
        settled = len(done) >= min_opponents and _moved(last, now) < tol
        last = now
        if settled and not queue:
            break
    return steps


def sparse_schedule(
    n_runs: int,
    anchors: Sequence[int],
    compare: Callable[[int, int], None],
    estimate: Callable[[], Estimates],
    *,
    tol: float = 0.25,
    min_opponents: int = 2,
) -> list[Step]:
    """Every run joins in turn (anchors first, then the others in order)."""
    order = list(dict.fromkeys([*anchors, *range(n_runs)]))
    if len(anchors) == 2:
        compare(anchors[0], anchors[1])
    steps: list[Step] = []
    rated = list(anchors)
    for run in order[len(anchors) :]:
        steps += add_run(
            run, rated, anchors, compare, estimate, tol=tol, min_opponents=min_opponents
        )
        rated.append(run)
    return steps
