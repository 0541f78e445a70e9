"""Benchmark: Krippendorff's alpha with a bootstrap CI on synthetic ratings.

    python scripts/bench_agreement.py [--units 10000] [--raters 3] [--n-boot 1000] [--repeats 3]

Prints one line per level with the best wall time of --repeats runs (seconds) for
`benchmark.measure.agreement.alpha_with_ci` on a units x raters Likert (1-5) matrix with 10% of cells
missing. The target (docs/AGREEMENT.md) is <= 5 s for 10,000 units x 3 raters, 1,000 resamples.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from benchmark.measure.agreement import LEVELS, alpha_with_ci, unit_counts


def synthetic(units: int, raters: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, 6, units)
    values = np.clip(truth[None, :] + rng.integers(-1, 2, (raters, units)), 1, 5).astype(float)
    keep = rng.random((raters, units)) >= 0.1
    unit_ids = np.tile(np.arange(units).astype(str), raters)
    rater_ids = np.repeat([f"r{i}" for i in range(raters)], units)
    df = pd.DataFrame(
        {"unit_id": unit_ids, "criterion": "c", "rater_id": rater_ids, "value": values.ravel()}
    )
    return df.loc[keep.ravel()].reset_index(drop=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--units", type=int, default=10_000)
    p.add_argument("--raters", type=int, default=3)
    p.add_argument("--n-boot", type=int, default=1000)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    df = synthetic(args.units, args.raters)
    print(
        f"{args.units} units x {args.raters} raters, {len(df)} ratings, "
        f"{args.n_boot} resamples, cpu count {os.cpu_count()}"
    )
    for level in LEVELS:
        best = float("inf")
        for _ in range(args.repeats):
            start = time.perf_counter()
            out = alpha_with_ci(unit_counts(df, level), level, n_boot=args.n_boot, seed=0)
            best = min(best, time.perf_counter() - start)
        print(
            f"{level:9s} alpha={out['alpha']:.4f} CI=[{out['ci_low']:.4f}, {out['ci_high']:.4f}] "
            f"best of {args.repeats}: {best:.2f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
