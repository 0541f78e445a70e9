"""The figures of docs/PAIRWISE.md, offline:

    python scripts/pairwise_figures.py [--seeds 5] [--tasks 30]

1. Bradley–Terry agreement: our Newton fit against scikit-learn's LogisticRegression (same
   ridge) and against Hunter's MM algorithm (tests/unit/test_pairwise_bt.py), on simulated outcomes
   of 8 runs with known strengths: the largest rating difference, in rating points.
2. Sparse pairing against all pairs for 8 runs (simulated judge with known strengths, both
   orders per task): judge calls used, the largest difference from the all-pairs ratings, and
   whether the order is the true one; per seed and in total.
3. The bias card of a deliberately biased fake judge (first-seat bias 0.3, rewards length, 10%
   of its answers random) and of a fair one, on three generated runs of 20 tasks (qualities 0, 2, 4 logits apart), through
   `musebench audit judge` against the loopback fake server.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from itertools import combinations
from pathlib import Path

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from benchmark.cli import main
from benchmark.engine.pairwise.bradley_terry import anchored, fit_strengths
from benchmark.engine.pairwise.simulation import SimulatedJudge
from benchmark.engine.pairwise.sparse import sparse_schedule
from tests.fakes import FakeAnthropic
from tests.fakes.fixtures import TEST_KEY
from tests.fakes.pairwise_judge import PairwiseJudge
from tests.pairwise_support import make_run, make_suite
from tests.unit.test_pairwise_bt import mm_theta, simulate, sklearn_theta

STRENGTHS = [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5]


def bt_agreement(seeds: int) -> None:
    print("1. Bradley-Terry fit vs independent fits (8 runs, 40 tasks, 10% ties)")
    worst_sk = worst_mm = 0.0
    for seed in range(seeds):
        obs = simulate(STRENGTHS, 40, seed=seed)
        ours = anchored(fit_strengths(obs, ridge=0.01)[0], {0: 1000})
        sk = anchored(sklearn_theta(obs, ridge=0.01), {0: 1000})
        ours0 = anchored(fit_strengths(obs, ridge=1e-9)[0], {0: 1000})
        mm = anchored(mm_theta(obs), {0: 1000})
        worst_sk = max(worst_sk, float(np.abs(ours - sk).max()))
        worst_mm = max(worst_mm, float(np.abs(ours0 - mm).max()))
    print(f"   max |rating - sklearn LogisticRegression| over {seeds} seeds: {worst_sk:.2e} points")
    print(
        f"   max |rating - MM algorithm (unpenalised)|  over {seeds} seeds: {worst_mm:.2e} points"
    )


def sparse_vs_all(seeds: int, tasks: int) -> None:
    print(f"2. Sparse pairing vs all pairs (8 runs, {tasks} tasks, both orders per task)")
    anchors = {0: 1000.0}
    used = total = 0
    for seed in range(seeds):
        sparse = SimulatedJudge(STRENGTHS, tasks, seed=seed)
        sparse_schedule(8, [0], sparse.compare, lambda s=sparse: s.estimate(anchors))
        full = SimulatedJudge(STRENGTHS, tasks, seed=seed)
        for i, j in combinations(range(8), 2):
            full.compare(i, j)
        est, ref = sparse.estimate(anchors), full.estimate(anchors)
        ranked = sorted(est, key=lambda k: est[k][0]) == list(range(8))
        diff = max(abs(est[k][0] - ref[k][0]) for k in est)
        print(
            f"   seed {seed}: {sparse.calls} calls ({len(sparse.compared)} of 28 run pairs) vs "
            f"{full.calls}; max |sparse - all-pairs rating| {diff:.0f}; true order: {ranked}"
        )
        used, total = used + sparse.calls, total + full.calls
    print(f"   total: {used} of {total} calls ({used / total:.0%})")


def bias_card() -> None:
    judges = {
        "a deliberately biased fake judge (first seat 0.3, length +3 logits/100 words, "
        "10% of answers random)": PairwiseJudge(
            first_seat_bias=0.3, length_bias=3.0, tie_band=0.3, flaky=0.1
        ),
        "a fair fake judge, for contrast": PairwiseJudge(tie_band=0.3),
    }
    for title, judge in judges.items():
        print(f"3. Bias card of {title}")
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            suite = make_suite(root / "suite", 20)
            runs = [
                make_run(root / "a", suite, "anthropic/claude-a", 0),
                make_run(root / "b", suite, "openai/gpt-b", 2),
                make_run(root / "c", suite, "openai/llama-c", 4),
            ]
            with FakeAnthropic(judge) as server:
                os.environ["ANTHROPIC_BASE_URL"] = server.url
                os.environ["ANTHROPIC_API_KEY"] = TEST_KEY
                main(
                    ["audit", "judge", *map(str, runs), "--judge", "anthropic/claude-judge",
                     "--out", str(root / "card"), "--suite", str(suite), "--judge-samples", "2"]
                )  # fmt: skip


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--tasks", type=int, default=30)
    a = ap.parse_args()
    bt_agreement(a.seeds)
    sparse_vs_all(a.seeds, a.tasks)
    bias_card()
