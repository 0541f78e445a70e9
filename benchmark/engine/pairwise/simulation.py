"""Simulated judges with known run strengths, for checking the method (tests and
scripts/pairwise_figures.py), never for rating real runs.

A simulated call prefers run i over run j with probability sigmoid(s_i - s_j) (BT with the
known strengths); with `first_seat_bias` b, a call answers "the first seat" with probability b
whatever it sees. Both orders are drawn independently and folded as outcomes.py folds real ones."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .bradley_terry import observations, rate
from .outcomes import Outcome
from .sparse import Estimates


@dataclass
class SimulatedJudge:
    strengths: Sequence[float]
    n_tasks: int
    seed: int = 0
    first_seat_bias: float = 0.0
    outcomes: list[Outcome] = field(default_factory=list)
    calls: int = 0
    compared: set[tuple[int, int]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._rng = np.random.default_rng(self.seed)

    @property
    def ids(self) -> list[str]:
        return [f"run{k}" for k in range(len(self.strengths))]

    def _call(self, first: int, second: int) -> int:
        """One ordered call: the index of the run preferred."""
        self.calls += 1
        if self._rng.random() < self.first_seat_bias:
            return first
        p = 1 / (1 + math.exp(-(self.strengths[first] - self.strengths[second])))
        return first if self._rng.random() < p else second

    def compare(self, i: int, j: int) -> None:
        """Both orders of runs i and j on every task (once per pair of runs)."""
        a, b = sorted((i, j))
        if (a, b) in self.compared:
            return
        self.compared.add((a, b))
        for t in range(self.n_tasks):
            ab, ba = self._call(a, b), self._call(b, a)
            result = "tie" if ab != ba else ("run_a" if ab == a else "run_b")
            self.outcomes.append(
                Outcome(f"t{t}", self.ids[a], self.ids[b], result, ab == ba, 1.0, 100, 100)  # type: ignore[arg-type]
            )

    def estimate(self, anchors: dict[int, float], resamples: int = 200) -> Estimates:
        obs = observations(self.outcomes, self.ids)
        fit = rate(obs, anchors, resamples=resamples, seed=0)
        seen = {k for pair in self.compared for k in pair}
        return {
            k: (float(fit.rating[k]), float(fit.ci_low[k]), float(fit.ci_high[k]))
            for k in sorted(seen)
        }
