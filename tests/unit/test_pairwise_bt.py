"""Bradley–Terry ratings: against hand-computed values, against two independent fits
(scikit-learn's LogisticRegression and Hunter's MM algorithm, written here) on simulated data
with known strengths, anchoring, length control, and the folding of both orders."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from benchmark.engine.pairwise.bradley_terry import (
    ELO,
    Observations,
    anchored,
    fit_strengths,
    observations,
    rate,
)
from benchmark.engine.pairwise.outcomes import Outcome, fold, position_stats
from benchmark.engine.pairwise.records import ComparisonRecord


def simulate(
    strengths: list[float], n_tasks: int, seed: int, *, tie_rate: float = 0.1
) -> Observations:
    """Every pair once per task; outcome drawn from the BT model, some turned into ties."""
    rng = np.random.default_rng(seed)
    ids = [f"r{k}" for k in range(len(strengths))]
    outs = []
    for t in range(n_tasks):
        for a in range(len(ids)):
            for b in range(a + 1, len(ids)):
                p = 1 / (1 + math.exp(-(strengths[a] - strengths[b])))
                u = rng.random()
                result = "tie" if u < tie_rate else "run_a" if rng.random() < p else "run_b"
                outs.append(Outcome(f"t{t}", ids[a], ids[b], result, True, 1.0, 100, 100))
    return observations(outs, ids)


def sklearn_theta(obs: Observations, ridge: float) -> np.ndarray:
    """The same penalised likelihood fitted by scikit-learn: a tie becomes a win and a loss of
    half weight each; C = 1 / ridge."""
    m = len(obs.y)
    x = np.zeros((m, obs.n_runs))
    x[np.arange(m), obs.i] = 1.0
    x[np.arange(m), obs.j] = -1.0
    xx = np.vstack([x, x])
    yy = np.concatenate([np.ones(m), np.zeros(m)])
    ww = np.concatenate([obs.w * obs.y, obs.w * (1 - obs.y)])
    keep = ww > 0
    model = LogisticRegression(C=1 / ridge, fit_intercept=False, tol=1e-12, max_iter=10_000)
    model.fit(xx[keep], yy[keep], sample_weight=ww[keep])
    return np.asarray(model.coef_[0])


def mm_theta(obs: Observations, iters: int = 20_000) -> np.ndarray:
    """Hunter (2004) MM / Zermelo iteration for the unpenalised BT MLE, ties as half wins:
    p_i <- W_i / sum_j n_ij / (p_i + p_j)."""
    n = obs.n_runs
    wins = np.zeros(n)
    games = np.zeros((n, n))
    for i, j, y, w in zip(obs.i, obs.j, obs.y, obs.w, strict=True):
        wins[i] += w * y
        wins[j] += w * (1 - y)
        games[i, j] += w
        games[j, i] += w
    p = np.ones(n)
    for _ in range(iters):
        p = wins / (games / (p[:, None] + p[None, :])).sum(axis=1)
        p /= p.sum()
    return np.log(p)


STRENGTHS = [0.0, 0.3, 0.5, 0.9, 1.2, 1.6, 2.0, 2.5]


def test_two_runs_hand_computed() -> None:
    # A beats B 3 times out of 4: the MLE gap is ln 3, i.e. 400 log10(3) = 190.85 Elo points.
    outs = [Outcome(f"t{k}", "a", "b", r, True, 1.0, 1, 1) for k, r in
            enumerate(["run_a", "run_a", "run_a", "run_b"])]  # fmt: skip
    theta, _ = fit_strengths(observations(outs, ["a", "b"]), ridge=1e-9)
    assert ELO * (theta[0] - theta[1]) == pytest.approx(400 * math.log10(3), abs=1e-3)
    # A tie is half a win each: 2 wins + 2 ties for A against 0 for B is 3 : 1 again.
    outs = [Outcome(f"t{k}", "a", "b", r, True, 1.0, 1, 1) for k, r in
            enumerate(["run_a", "run_a", "tie", "tie"])]  # fmt: skip
    theta, _ = fit_strengths(observations(outs, ["a", "b"]), ridge=1e-9)
    assert ELO * (theta[0] - theta[1]) == pytest.approx(400 * math.log10(3), abs=1e-3)


def test_agrees_with_sklearn_logistic_regression() -> None:
    obs = simulate(STRENGTHS, 40, seed=1)
    ours, _ = fit_strengths(obs, ridge=0.01)
    theirs = sklearn_theta(obs, ridge=0.01)
    diff = np.abs(anchored(ours, {0: 1000}) - anchored(theirs, {0: 1000}))
    assert diff.max() < 0.01  # Elo points


def test_agrees_with_mm_algorithm_and_recovers_strengths() -> None:
    obs = simulate(STRENGTHS, 400, seed=2)
    ours, _ = fit_strengths(obs, ridge=1e-9)
    mm = mm_theta(obs)
    diff = np.abs(anchored(ours, {0: 1000}) - anchored(mm, {0: 1000}))
    assert diff.max() < 0.01
    # Without ties (random ties pull every gap towards 0), the fit finds the strengths drawn from.
    clean, _ = fit_strengths(simulate(STRENGTHS, 400, seed=2, tie_rate=0.0), ridge=1e-9)
    truth = anchored(np.array(STRENGTHS), {0: 1000})
    assert np.abs(anchored(clean, {0: 1000}) - truth).max() < 40  # 11,200 games: SE ~ 15


def test_anchors_fix_the_scale() -> None:
    theta = np.array([0.0, 1.0, 2.0])
    one = anchored(theta, {1: 1500})
    assert one[1] == 1500 and one[2] - one[1] == pytest.approx(ELO)
    two = anchored(theta, {0: 1000, 2: 2000})
    assert list(two) == pytest.approx([1000, 1500, 2000])
    # Anchored ratings do not move when the whole fit shifts (a new run joins the pool).
    assert list(anchored(theta + 7.0, {0: 1000, 2: 2000})) == pytest.approx(list(two))


def test_length_control_removes_a_pure_length_preference() -> None:
    # Three equal runs of different lengths; the judge prefers the longer response.
    rng = np.random.default_rng(3)
    words = {"short": 100, "mid": 300, "long": 500}
    ids = list(words)
    outs = []
    for t in range(60):
        for a in range(3):
            for b in range(a + 1, 3):
                dw = words[ids[a]] - words[ids[b]]
                p = 1 / (1 + math.exp(-1.5 * math.tanh(dw / 200)))
                res = "run_a" if rng.random() < p else "run_b"
                outs.append(
                    Outcome(f"t{t}", ids[a], ids[b], res, True, 1.0, words[ids[a]], words[ids[b]])
                )
    obs = observations(outs, ids)
    raw = rate(obs, {0: 1000}, resamples=100)
    lc = rate(obs, {0: 1000}, length_control=True, resamples=100)
    assert raw.rating[2] - raw.rating[0] > 200  # the raw rating rewards length
    assert abs(lc.rating[2] - lc.rating[0]) < 60  # the controlled one hardly at all
    assert lc.length_coefficient > 1.0


def test_bootstrap_cis_cover_the_point_and_anchor_is_pinned() -> None:
    obs = simulate(STRENGTHS[:4], 30, seed=4)
    fit = rate(obs, {0: 1000}, resamples=200)
    assert fit.ci_low[0] == fit.ci_high[0] == 1000
    assert all(fit.ci_low <= fit.rating) and all(fit.rating <= fit.ci_high)
    assert fit.ci_high[3] - fit.ci_low[3] > 0


def _rec(task: str, order: str, winner: str, margin: int = 1) -> ComparisonRecord:
    from benchmark.engine.pairwise.runner import preferred_run

    return ComparisonRecord(
        task_id=task, sample=0, sample_b=0, run_a="x", run_b="y", model_a="m/x", model_b="m/y",
        order=order, criterion="overall", judge="j/j", winner=winner, margin=margin,
        preferred=preferred_run(winner, order),
    )  # fmt: skip


def test_fold_counts_disagreeing_orders_as_a_tie() -> None:
    records = [
        _rec("t1", "ab", "A", 3), _rec("t1", "ba", "B", 1),  # x wins both ways
        _rec("t2", "ab", "A"), _rec("t2", "ba", "A"),  # seat A both times: orders disagree
        _rec("t3", "ab", "tie"), _rec("t3", "ba", "B"),  # a tie and a win: disagree
        _rec("t4", "ab", "B"),  # one order only: no outcome yet
    ]  # fmt: skip
    out = {o.task_id: o for o in fold(records, "overall")}
    assert set(out) == {"t1", "t2", "t3"}
    assert out["t1"].result == "run_a" and out["t1"].consistent and out["t1"].margin == 2.0
    assert out["t2"].result == "tie" and not out["t2"].consistent
    assert out["t3"].result == "tie" and not out["t3"].consistent
    stats = position_stats(records, "overall", resamples=50)
    assert stats.pairs == 3
    assert stats.flip_rate == pytest.approx(2 / 3)
    # Decisive single-order verdicts: A, B, A, A, B, B -> first seat won 3 of 6.
    assert stats.first_seat_win_rate == pytest.approx(3 / 6)
