"""The detection table of spot re-judging (docs/LEADERBOARD.md "Spot re-judging").

A realistic synthetic bundle — the whole shipped suite, 3 samples per task, LLM verdicts drawn
around quality 0.6 (leaderboard.synthetic, as scripts/bench_leaderboard.py makes them),
programmatic ones decided by the product's checks — is verified and its re-judging population
taken exactly as the board takes it (leaderboard.rejudge_sample.candidates). Then:

- honest noise: the maintainer's judge agrees with each claimed verdict with probability `a`
  (--agreement); a disagreement moves the score either way with equal chance (two draws of one
  judge are exchangeable, so an honest bundle's claims are not biased against a second draw);
- a fabrication of +S points: the submitter flips LLM verdicts the judge gave against the run
  (positive items not met, failure items met) to the run's favour, largest effect first (so it
  favours high-|points| items and needs the fewest flips), and rescores, so the bundle is
  internally consistent; the maintainer's judge restores a flipped verdict with probability `a`;
- the rule of leaderboard/data/rejudge.yaml decides (leaderboard.rejudge_stats).

Printed, for N = 25, 50, 100, 200 and S = +1, +3, +5, uniform and |points|-weighted draws:
  P(caught)   the rule rejects the bundle: simulated (--trials draws, the whole rule) and
              analytically (the sign test alone, draws taken as independent: binomial counts
              of disagreements and of those in the bundle's favour);
  P(>=1 flip) the draw contains at least one fabricated verdict (the issue's measure, which
              ignores judge noise): hypergeometric for uniform draws; for weighted ones Rosen's
              approximation of successive sampling, pi_i = 1 - exp(-w_i t), sum pi_i = N;
and the false-rejection rate of honest bundles (simulated; with --trials 10000 its resolution is
1e-4), and the N an 80% chance of catching each fabrication needs (analytic).

    python scripts/rejudge_detection.py                      # agreement 0.85 and 0.90
    python scripts/rejudge_detection.py --agreement 1.0      # a judge that never disagrees
    python scripts/rejudge_detection.py --shift 10 --shift 20 # larger fabrications
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import optimize, stats

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a plain script from a source checkout
    sys.path.insert(0, str(REPO))

from benchmark.suite import load_suite  # noqa: E402
from leaderboard.rejudge_rules import RejudgeRules, packaged_rejudge_rules  # noqa: E402
from leaderboard.rejudge_sample import Candidate, candidates  # noqa: E402
from leaderboard.synthetic import random_verdicts, write_bundle  # noqa: E402
from leaderboard.verify import load_suites, verify_bundle  # noqa: E402

NS = (25, 50, 100, 200)
SHIFTS = (1.0, 3.0, 5.0)


@dataclass(frozen=True)
class Population:
    effect: np.ndarray  # |overall-score change| if the verdict flips, points
    weight: np.ndarray  # |points|
    against: np.ndarray  # bool: the claimed verdict is against the run (a fabrication target)


def synthetic_population(quality: float, seed: int) -> Population:
    suite = load_suite(None)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_bundle(
            Path(tmp) / "bundle",
            suite,
            model="replay/synthetic-rejudge",
            verdict=random_verdicts(quality, seed=seed),
            samples=3,
            run_id=f"synthetic-rejudge-{seed}",
        )
        b = verify_bundle(path, load_suites())
        pop: list[Candidate] = candidates(
            b.tasks, b.manifest.samples, b.responses, b.judgments, b.manifest.judge
        )
    return Population(
        effect=np.array([abs(c.effect) for c in pop]),
        weight=np.array([c.weight for c in pop]),
        # Flipping it raises the score: it is claimed against the run.
        against=np.array([c.effect > 0 for c in pop]),
    )


def fabricate(pop: Population, shift: float) -> np.ndarray:
    """Indices the submitter flips: largest effect first among verdicts against the run."""
    idx = np.flatnonzero(pop.against)
    idx = idx[np.argsort(-pop.effect[idx], kind="stable")]
    total = np.cumsum(pop.effect[idx])
    k = int(np.searchsorted(total, shift) + 1)
    return idx[:k]


def _draws(pop: Population, n: int, trials: int, weighted: bool, rng: np.random.Generator):
    """(trials, n) item indices in draw order."""
    m = pop.weight.size
    u = rng.random((trials, m))
    keys = np.log(u) / pop.weight if weighted else np.log(u)
    top = np.argpartition(-keys, n - 1, axis=1)[:, :n]
    order = np.argsort(-np.take_along_axis(keys, top, axis=1), axis=1)
    return np.take_along_axis(top, order, axis=1)


def simulate(
    pop: Population,
    flipped: np.ndarray,
    n: int,
    *,
    agreement: float,
    weighted: bool,
    rules: RejudgeRules,
    trials: int,
    rng: np.random.Generator,
) -> float:
    """Share of trials in which the rule rejects the bundle (rejudge_stats.inflated, vectorised:
    the sign test on the disagreements' directions and Des Raj's shift below -margin)."""
    m = pop.weight.size
    is_flip = np.zeros(m, dtype=bool)
    is_flip[flipped] = True
    idx = _draws(pop, n, trials, weighted, rng)
    flip = is_flip[idx]
    r = rng.random(idx.shape)
    # Honest: disagree with probability 1 - a, either way with equal chance. Flipped: the
    # judge gives back the verdict the run earned with probability a.
    disagree = np.where(flip, r < agreement, r < 1 - agreement)
    favour = np.where(flip, True, r < (1 - agreement) / 2)
    d = np.where(disagree, np.where(favour, -pop.effect[idx], pop.effect[idx]), 0.0)
    prob = pop.weight[idx] / pop.weight.sum() if weighted else np.full(idx.shape, 1.0 / m)
    seen_d = np.cumsum(d, axis=1) - d
    seen_p = np.cumsum(prob, axis=1) - prob
    shift = (seen_d + d / prob * (1 - seen_p)).mean(axis=1)
    k = (disagree & favour).sum(axis=1)
    p_sign = stats.binom.sf(k - 1, disagree.sum(axis=1), 0.5)
    return float(np.mean((p_sign < rules.alpha) & (shift < -rules.margin)))


def _per_draw(
    pop: Population, flipped: np.ndarray, *, agreement: float, weighted: bool
) -> tuple[float, float]:
    """(P(a draw is a disagreement in the bundle's favour), P(one against it)), one draw."""
    share = (
        pop.weight[flipped].sum() / pop.weight.sum() if weighted else flipped.size / pop.weight.size
    )
    noise = (1 - agreement) / 2 * (1 - share)
    return noise + agreement * share, noise


def analytic_caught(
    pop: Population, flipped: np.ndarray, n: int, *, agreement: float, weighted: bool, alpha: float
) -> float:
    """P(the sign test fires), draws taken as independent (with replacement): disagreements
    D ~ Binomial(n, pf + pa), in the bundle's favour F | D ~ Binomial(D, pf / (pf + pa)); the
    test fires when F reaches the smallest count whose tail under Binomial(D, 1/2) is < alpha.
    The shift condition is not modelled (it holds whenever the test fires on these figures)."""
    pf, pa = _per_draw(pop, flipped, agreement=agreement, weighted=weighted)
    if pf + pa == 0:
        return 0.0
    d = np.arange(n + 1)
    critical = stats.binom.isf(alpha, d, 0.5) + 1  # smallest F with P(X >= F) <= alpha
    fires = stats.binom.sf(critical - 1, d, pf / (pf + pa))
    return float(np.sum(stats.binom.pmf(d, n, pf + pa) * fires))


def n_needed(
    pop: Population, flipped: np.ndarray, *, agreement: float, weighted: bool, alpha: float
) -> int:
    """The smallest N with an 80% chance of catching the fabrication (analytic_caught)."""

    def power(n: int) -> float:
        return analytic_caught(pop, flipped, n, agreement=agreement, weighted=weighted, alpha=alpha)

    hi = 16
    while power(hi) < 0.8:
        hi *= 2
    lo = hi // 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if power(mid) < 0.8 else (lo, mid)
    return hi


def analytic_any(pop: Population, flipped: np.ndarray, n: int, *, weighted: bool) -> float:
    """P(the draw holds at least one fabricated verdict)."""
    m, k = pop.weight.size, flipped.size
    if not weighted:
        return float(stats.hypergeom.sf(0, m, k, n))
    w = pop.weight

    def excess(t: float) -> float:
        return float(np.sum(1 - np.exp(-w * t)) - n)

    t = optimize.brentq(excess, 1e-12, 1e3)
    return float(1 - math.exp(-t * w[flipped].sum()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--agreement", type=float, action="append", help="default: 0.85 and 0.90")
    ap.add_argument("--trials", type=int, default=10000)
    ap.add_argument("--quality", type=float, default=0.6)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--shift", type=float, action="append", help="fabricated points (default 1, 3, 5)"
    )
    args = ap.parse_args(argv)
    rules = packaged_rejudge_rules()
    shifts = args.shift or list(SHIFTS)
    pop = synthetic_population(args.quality, args.seed)
    rng = np.random.default_rng(args.seed)
    print(
        f"population: {pop.weight.size} LLM verdicts, |points| total {pop.weight.sum():.0f}, "
        f"mean effect of one flip {pop.effect.mean():.4f} points (max {pop.effect.max():.4f})"
    )
    print(
        f"rule: reject when the sign test of the disagreements' directions gives p < "
        f"{rules.alpha:g} and the implied shift is below -{rules.margin:g} points; default N = "
        f"{rules.n}; {args.trials} trials per cell"
    )
    for a in args.agreement or [0.85, 0.90]:
        print(f"\nper-item agreement of the maintainer's judge with the claimed verdicts: {a:.2f}")
        print(
            "  N  draw      false-rej |"
            + "|".join(
                f"  +{s:g} pt ({fabricate(pop, s).size:>3} flips): caught sim/approx, >=1 flip "
                for s in shifts
            )
        )
        for n in NS:
            for weighted in (False, True):
                kw = {"agreement": a, "weighted": weighted, "rules": rules}
                honest = simulate(
                    pop, np.array([], dtype=int), n, trials=args.trials, rng=rng, **kw
                )
                cells = []
                for s in shifts:
                    f = fabricate(pop, s)
                    sim = simulate(pop, f, n, trials=args.trials, rng=rng, **kw)
                    approx = analytic_caught(
                        pop, f, n, agreement=a, weighted=weighted, alpha=rules.alpha
                    )
                    anyf = analytic_any(pop, f, n, weighted=weighted)
                    cells.append(f"  {sim:6.3f} / {approx:6.3f}, {anyf:5.3f}".ljust(43))
                name = "|points|" if weighted else "uniform"
                print(f"{n:>4} {name:<9} {honest:8.5f} |" + "|".join(cells))
        for weighted in (False, True):
            need = [
                n_needed(pop, fabricate(pop, s), agreement=a, weighted=weighted, alpha=rules.alpha)
                for s in shifts
            ]
            print(
                f"  verdicts to re-judge for an 80% chance ({'|points|' if weighted else 'uniform'}"
                f", analytic; the bundle holds {pop.weight.size:,}): "
                + ", ".join(f"+{s:g} pt: {x:,}" for s, x in zip(shifts, need, strict=True))
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
