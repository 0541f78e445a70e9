"""Bradley–Terry ratings on an anchored Elo-like scale, with bootstrap CIs over tasks, and a
length-controlled variant.

Model: P(i beats j) = sigmoid(theta_i - theta_j [+ gamma * l_ij]). Each folded outcome (both
orders, see outcomes.py) is one observation: a win scores 1 for the winner, a tie (including a
pair whose orders disagree) scores 1/2 to each side. By default every outcome weighs 1 (margins
are recorded, not used); with `margin_weights` an outcome weighs its mean margin (1-3), so a
decisive win counts as three slight ones (margins as weights; ties weigh 1).

Fit: weighted logistic regression by Newton's method on the penalised log-likelihood
    sum_k w_k [y_k log p_k + (1 - y_k) log(1 - p_k)] - ridge/2 * |theta|^2
(the small ridge keeps a run that won every comparison finite; it is a Gaussian prior with
variance 1/ridge). Independent checks: tests/unit/test_pairwise_bt.py fits the same data with
scikit-learn's LogisticRegression (C = 1/ridge) and with Hunter's MM algorithm.

Scale: rating = 400 / ln 10 * theta (a 400-point gap means 10:1 odds, as in Elo), then anchored:
one anchor run is moved to its fixed rating (a shift); two anchors fix both ends (an affine map
through both, as EQ-Bench fixes two reference models), so ratings stay comparable as runs are
added. Length control (AlpacaEval-LC style): the fit gains a term gamma * tanh(dw / sd), dw
the word-count difference (run i minus run j) and sd its standard deviation over all outcomes;
the length-controlled rating is theta of that fit, i.e. the rating at equal length.

CIs: 95% percentile intervals over `resamples` bootstrap resamples of tasks (fixed seed): a
resample re-weights each task's outcomes by how many times the task was drawn, refits, and
anchors again."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .outcomes import Outcome

ELO = 400.0 / math.log(10.0)
DEFAULT_RIDGE = 0.01
Array = NDArray[np.float64]


@dataclass(frozen=True)
class Observations:
    """Outcomes as arrays: run indices i, j, score y of run i, weight w, length feature l,
    task index t."""

    i: NDArray[np.int64]
    j: NDArray[np.int64]
    y: Array
    w: Array
    length: Array
    task: NDArray[np.int64]
    n_runs: int
    n_tasks: int


def observations(
    outcomes: Sequence[Outcome], run_ids: Sequence[str], *, margin_weights: bool = False
) -> Observations:
    index = {r: k for k, r in enumerate(run_ids)}
    kept = [o for o in outcomes if o.run_a in index and o.run_b in index]
    tasks = sorted({o.task_id for o in kept})
    tindex = {t: k for k, t in enumerate(tasks)}
    y = [1.0 if o.result == "run_a" else 0.0 if o.result == "run_b" else 0.5 for o in kept]
    w = [o.margin if margin_weights and o.result != "tie" else 1.0 for o in kept]
    dw = np.array([o.words_a - o.words_b for o in kept], dtype=float)
    sd = float(dw.std()) if len(dw) > 1 else 0.0
    length = np.tanh(dw / sd) if sd > 0 else np.zeros_like(dw)
    return Observations(
        i=np.array([index[o.run_a] for o in kept], dtype=np.int64),
        j=np.array([index[o.run_b] for o in kept], dtype=np.int64),
        y=np.array(y, dtype=float),
        w=np.array(w, dtype=float),
        length=length,
        task=np.array([tindex[o.task_id] for o in kept], dtype=np.int64),
        n_runs=len(run_ids),
        n_tasks=len(tasks),
    )


def _design(obs: Observations, with_length: bool) -> Array:
    m = len(obs.y)
    x = np.zeros((m, obs.n_runs + (1 if with_length else 0)))
    rows = np.arange(m)
    x[rows, obs.i] += 1.0
    x[rows, obs.j] -= 1.0
    if with_length:
        x[:, -1] = obs.length
    return x


def fit_logistic(
    x: Array, y: Array, w: Array, ridge: float, *, tol: float = 1e-10, max_iter: int = 100
) -> Array:
    """Newton's method on the ridge-penalised weighted logistic log-likelihood (no intercept).
    y may be fractional (a tie is 1/2)."""
    beta = np.zeros(x.shape[1])
    eye = np.eye(x.shape[1])
    for _ in range(max_iter):
        p = 1.0 / (1.0 + np.exp(-(x @ beta)))
        grad = x.T @ (w * (p - y)) + ridge * beta
        hess = (x * (w * p * (1.0 - p))[:, None]).T @ x + ridge * eye
        step = np.linalg.solve(hess, grad)
        beta -= step
        if float(np.max(np.abs(step))) < tol:
            break
    return beta


def fit_strengths(
    obs: Observations,
    *,
    weights: Array | None = None,
    ridge: float = DEFAULT_RIDGE,
    length_control: bool = False,
) -> tuple[Array, float]:
    """theta per run (natural log-odds units) and the length coefficient (0 without it)."""
    w = obs.w if weights is None else obs.w * weights
    beta = fit_logistic(_design(obs, length_control), obs.y, w, ridge)
    if length_control:
        return beta[:-1], float(beta[-1])
    return beta, 0.0


def anchored(theta: Array, anchors: dict[int, float]) -> Array:
    """Elo-like ratings with the anchor runs at their fixed ratings (one: shift; two: affine)."""
    elo = ELO * theta
    if not anchors:
        raise ValueError("at least one anchor is needed to place the scale")
    items = sorted(anchors.items())
    (k1, v1) = items[0]
    if len(items) == 1 or elo[items[1][0]] == elo[k1]:
        # One anchor, or two the fit cannot tell apart: only a shift is defined.
        out, used = elo + (v1 - elo[k1]), items[:1]
    else:
        k2, v2 = items[1]
        out, used = v1 + (elo - elo[k1]) * ((v2 - v1) / (elo[k2] - elo[k1])), items[:2]
    for k, value in used:
        out[k] = value  # exactly, not up to rounding
    return out


@dataclass(frozen=True)
class Fit:
    rating: Array
    ci_low: Array
    ci_high: Array
    length_coefficient: float


def rate(
    obs: Observations,
    anchors: dict[int, float],
    *,
    length_control: bool = False,
    ridge: float = DEFAULT_RIDGE,
    resamples: int = 1000,
    seed: int = 0,
) -> Fit:
    """Anchored ratings with 95% bootstrap CIs over tasks."""
    theta, gamma = fit_strengths(obs, ridge=ridge, length_control=length_control)
    point = anchored(theta, anchors)
    rng = np.random.default_rng(seed)
    draws = np.empty((resamples, obs.n_runs))
    for b in range(resamples):
        counts = np.bincount(rng.integers(0, obs.n_tasks, obs.n_tasks), minlength=obs.n_tasks)
        t, _g = fit_strengths(
            obs,
            weights=counts[obs.task].astype(float),
            ridge=ridge,
            length_control=length_control,
        )
        draws[b] = anchored(t, anchors)
    low, high = np.percentile(draws, [2.5, 97.5], axis=0) if resamples else (point, point)
    return Fit(point, np.asarray(low), np.asarray(high), gamma)
