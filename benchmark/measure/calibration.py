"""How far an LLM judge can stand in for human raters, per judge and criterion, and calibration
maps that bring its scores onto the human scale.

Inputs are two long-format frames (benchmark.measure.ratings): humans, and judges told apart by
`rater_id`. A judge may rate a unit several times (K samples): its score is the mean of the
samples, its label the most frequent sample (ties: the smallest value), and for a binary
criterion its probability is the share of samples saying 1. If a `rater_type` column is present,
rows typed `judge` are ignored in the human frame and rows typed `human` in the judge frame, so
one combined file can be passed as both.

Per judge x criterion (on units rated by the judge and at least one human):
- human_alpha: Krippendorff's alpha among the humans (the human-human ceiling);
- alpha_judge_replaces_human: mean over humans h of alpha with h's ratings replaced by the
  judge's on the same units (above human_alpha: the judge fits in better than a typical human);
- alt_test_*: the alternative-annotator test (Calderon, Reichart & Dror, ACL 2025): leave one
  human out; per unit compare the judge's and the held-out human's alignment with the remaining
  humans (nominal: share of them matched; otherwise minus the RMSE to them); per human a
  one-sided paired t-test of H0: rho_human - rho_judge >= epsilon, Benjamini-Yekutieli at q=0.05
  over humans; winning rate = share of humans whose H0 is rejected (the judge passes at >= 0.5).
  Humans with fewer than 30 scored units are not tested (the paper's minimum for the t-test);
- spearman, kendall, mae against the per-unit human mean;
- binary criteria (values 0/1): accuracy, balanced_f1 (HealthBench's meta-eval measure: the mean
  of the F1 for "met" and for "not met") and Cohen's kappa against the human majority (units
  where the humans tie are left out); the judge's label is 1 when at least half its samples are;
- calibration: a cross-fitted map (isotonic regression of human mean on judge score; for binary
  criteria logistic regression of human majority on the judge's sample share), with expected
  calibration error before and after and an optional reliability-diagram PNG.
Per judge x criterion across systems (when a `system` column is present): Spearman and Kendall
correlation of system means by judge vs by humans, with a bootstrap CI (units resampled within
each system).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import KFold, StratifiedKFold

from ..errors import RatingsError
from .agreement import _num, alpha_from_counts, check_level, cohen_kappa, unit_counts

ALT_TEST_Q = 0.05
ALT_TEST_MIN_UNITS = 30
ECE_BINS = 10
_TIE = 1e-12


# --------------------------------------------------------------------------- inputs


def _only(df: pd.DataFrame, drop_type: str) -> pd.DataFrame:
    if "rater_type" in df.columns:
        out = df.loc[df["rater_type"] != drop_type].copy()
        out.attrs = dict(df.attrs)
        return out
    return df


def _is_text(values: pd.Series) -> bool:
    return values.dtype == object and bool(values.map(lambda v: isinstance(v, str)).any())


def _tidy(means: pd.Series) -> pd.Series:
    """Means rounded to 1e-9: summation order must not turn equal means (ties, which rank
    correlations treat specially) into unequal ones."""
    return means.round(9)


def _judge_table(rows: pd.DataFrame, text: bool) -> pd.DataFrame:
    """One row per unit: score (mean of samples), label (modal sample, ties: the smallest),
    p1 (share of samples equal to 1), k (number of samples)."""
    g = rows.groupby("unit_id", sort=True)["value"]
    freq = rows.groupby(["unit_id", "value"], sort=True).size().rename("n").reset_index()
    # stable sort by count (descending) keeps the smallest value first among ties
    top = freq.sort_values("n", ascending=False, kind="stable").drop_duplicates("unit_id")
    out = pd.DataFrame({"label": top.set_index("unit_id")["value"], "k": g.size()})
    if not text:
        out["score"] = _tidy(g.mean().astype(float))
        out["p1"] = (rows["value"] == 1.0).groupby(rows["unit_id"]).mean().astype(float)
    return out.sort_index()


def _is_binary(values: pd.Series) -> bool:
    return not _is_text(values) and set(values.astype(float).unique()) <= {0.0, 1.0}


# --------------------------------------------------------------------------- alt-test


def _alignment(pred: np.ndarray, others: np.ndarray, nominal: bool) -> np.ndarray:
    """Per-unit alignment of pred (n,) with the other humans (n, R) (NaN / None = missing)."""
    if nominal:
        present = np.array([[v is not None and v == v for v in row] for row in others])
        match = np.array([[v == p for v in row] for p, row in zip(pred, others, strict=True)])
        return np.asarray((match & present).sum(axis=1) / present.sum(axis=1))
    x = others.astype(float)
    return np.asarray(-np.sqrt(np.nanmean((x - pred.astype(float)[:, None]) ** 2, axis=1)))


def _by_reject(p_values: list[float], q: float) -> list[bool]:
    """Benjamini-Yekutieli step-up: which hypotheses are rejected at FDR q."""
    m = len(p_values)
    order = np.argsort(p_values)
    harmonic = sum(1.0 / i for i in range(1, m + 1))
    passed = [p_values[j] <= (i + 1) / m * q / harmonic for i, j in enumerate(order)]
    k = max((i for i, ok in enumerate(passed) if ok), default=-1)
    rejected = [False] * m
    for i in range(k + 1):
        rejected[order[i]] = True
    return rejected


def alt_test(
    judge: pd.Series,
    humans: pd.DataFrame,
    *,
    nominal: bool,
    epsilon: float = 0.2,
    q: float = ALT_TEST_Q,
    min_units: int = ALT_TEST_MIN_UNITS,
) -> dict[str, Any]:
    """The alternative-annotator test. `judge`: unit -> judge annotation; `humans`: units x
    human raters (NaN = not rated). Returns {"winning_rate", "advantage_prob", "passed",
    "n_humans", "note", "per_human": {h: {"n_units", "rho_judge", "rho_human", "p_value",
    "rejected"}}}."""
    humans = humans.loc[humans.index.intersection(judge.index)]
    matrix = humans.to_numpy(dtype=object)
    present = np.array([[v is not None and v == v for v in row] for row in matrix]).reshape(
        matrix.shape
    )
    per_human: dict[str, dict[str, Any]] = {}
    skipped = []
    for j, h in enumerate(humans.columns):
        others = np.delete(matrix, j, axis=1)
        rows = present[:, j] & (np.delete(present, j, axis=1).sum(axis=1) >= 1)
        if rows.sum() < min_units:
            skipped.append(str(h))
            continue
        pred_f = judge.loc[humans.index[rows]].to_numpy(dtype=object)
        s_f = _alignment(pred_f, others[rows], nominal)
        s_h = _alignment(matrix[rows, j], others[rows], nominal)
        w_f = (s_f >= s_h - _TIE).astype(float)
        w_h = (s_h >= s_f - _TIE).astype(float)
        d = w_h - w_f
        if np.std(d) == 0:  # a constant difference: the t statistic is degenerate
            p = 0.0 if d.mean() < epsilon else 1.0
        else:
            p = float(stats.ttest_1samp(d, epsilon, alternative="less").pvalue)
        per_human[str(h)] = {
            "n_units": int(rows.sum()),
            "rho_judge": _num(w_f.mean()),
            "rho_human": _num(w_h.mean()),
            "p_value": _num(p),
            "rejected": False,
        }
    out: dict[str, Any] = {
        "winning_rate": None,
        "advantage_prob": None,
        "passed": None,
        "n_humans": len(per_human),
        "note": None,
        "per_human": per_human,
    }
    notes = []
    if skipped:
        notes.append(f"humans with < {min_units} units not tested: {', '.join(skipped)}")
    if len(per_human) < 2:
        notes.append("the alt-test needs at least two humans with enough shared units")
        out["note"] = "; ".join(notes)
        return out
    if len(per_human) < 3:
        notes.append("fewer than three humans tested (the paper recommends three or more)")
    names = list(per_human)
    rejected = _by_reject([per_human[h]["p_value"] for h in names], q)
    for h, r in zip(names, rejected, strict=True):
        per_human[h]["rejected"] = r
    rate = sum(rejected) / len(names)
    out["winning_rate"] = _num(rate)
    out["advantage_prob"] = _num(np.mean([per_human[h]["rho_judge"] for h in names]))
    out["passed"] = rate >= 0.5
    out["note"] = "; ".join(notes) or None
    return out


# --------------------------------------------------------------------------- calibration maps


def expected_calibration_error(
    pred: np.ndarray, target: np.ndarray, *, probability: bool, bins: int = ECE_BINS
) -> tuple[float, list[tuple[float, float, int]]]:
    """ECE = sum over bins of (bin share) x |mean prediction - mean target|, and the bins
    (mean prediction, mean target, count). Probabilities use equal-width bins on [0, 1]; scores
    use equal-count (quantile) bins, since a score scale has no natural width."""
    pred = np.asarray(pred, dtype=float)
    target = np.asarray(target, dtype=float)
    if probability:
        edges = np.linspace(0.0, 1.0, bins + 1)
    else:
        edges = np.unique(np.quantile(pred, np.linspace(0.0, 1.0, bins + 1)))
    which = np.clip(np.searchsorted(edges, pred, side="right") - 1, 0, max(len(edges) - 2, 0))
    table = []
    ece = 0.0
    for b in np.unique(which):
        sel = which == b
        mp, mt = float(pred[sel].mean()), float(target[sel].mean())
        table.append((mp, mt, int(sel.sum())))
        ece += sel.mean() * abs(mp - mt)
    return float(ece), table


def _cross_fit(
    x: np.ndarray, y: np.ndarray, *, binary: bool, folds: int, seed: int
) -> tuple[np.ndarray | None, str | None]:
    """Out-of-fold calibrated predictions: each unit is mapped by a fit on the other folds."""
    n = len(x)
    if binary:
        counts = np.bincount(y.astype(int), minlength=2)
        k = min(folds, int(counts.min()))
        if k < 2:
            return None, "humans' labels have fewer than two units in a class: no logistic map"
        splitter: Any = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    else:
        if n < 2 * folds:
            return None, f"fewer than {2 * folds} units: no isotonic map"
        splitter = KFold(n_splits=folds, shuffle=True, random_state=seed)
    out = np.empty(n)
    for train, test in splitter.split(x.reshape(-1, 1), y.astype(int) if binary else None):
        if binary:
            model = LogisticRegression()
            model.fit(x[train].reshape(-1, 1), y[train].astype(int))
            out[test] = model.predict_proba(x[test].reshape(-1, 1))[:, 1]
        else:
            iso = IsotonicRegression(out_of_bounds="clip")
            iso.fit(x[train], y[train])
            out[test] = iso.predict(x[test])
    return out, None


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "x"


def reliability_diagram(
    path: Path,
    before: list[tuple[float, float, int]],
    after: list[tuple[float, float, int]],
    *,
    title: str,
    probability: bool,
) -> Path:
    """Write a reliability diagram (mean target vs mean prediction per bin) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 4.5), dpi=100)
    pts = [p for p, _, _ in before + after] + [t for _, t, _ in before + after]
    lo, hi = (0.0, 1.0) if probability else (min(pts), max(pts))
    ax.plot([lo, hi], [lo, hi], color="grey", linestyle="--", linewidth=1, label="perfect")
    for table, label, marker in ((before, "judge", "o"), (after, "calibrated", "s")):
        ax.plot([p for p, _, _ in table], [t for _, t, _ in table], marker=marker, label=label)
    ax.set_xlabel("mean predicted " + ("probability" if probability else "score"))
    ax.set_ylabel("mean human " + ("label" if probability else "score"))
    ax.set_title(title, fontsize=9)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


# --------------------------------------------------------------------------- per criterion


def _alpha(frame: pd.DataFrame, level: str) -> float | None:
    if frame.empty:
        return None
    return alpha_from_counts(unit_counts(frame, level), level)[0]


def _criterion_entry(
    judge_name: str,
    criterion: str,
    hum: pd.DataFrame,
    jt: pd.DataFrame,
    level: str,
    *,
    text: bool,
    epsilon: float,
    folds: int,
    seed: int,
    plot_dir: Path | None,
) -> dict[str, Any]:
    notes: list[str] = []
    units = sorted(set(jt.index) & set(hum["unit_id"]))
    hum = hum.loc[hum["unit_id"].isin(units)]
    jt = jt.loc[units]
    wide = hum.pivot(index="unit_id", columns="rater_id", values="value").loc[units]
    entry: dict[str, Any] = dict.fromkeys(
        (
            "human_alpha",
            "alpha_judge_replaces_human",
            "alt_test_winning_rate",
            "alt_test_advantage_prob",
            "alt_test_passed",
            "spearman",
            "kendall",
            "mae",
            "accuracy",
            "balanced_f1",
            "kappa",
            "calibration",
        )
    )
    entry["n_units"] = len(units)
    entry["n_humans"] = int(wide.shape[1])
    entry["judge_samples"] = _num(jt["k"].mean()) if len(jt) else None
    if not units:
        entry["note"] = "no unit rated by both the judge and a human"
        return entry

    # Agreement: humans alone, then each human replaced by the judge.
    judge_value = jt["label"] if (text or level == "nominal") else jt["score"]
    entry["human_alpha"] = _num(_alpha(hum, level))
    replaced = []
    for h in wide.columns:
        mine = hum.loc[hum["rater_id"] == h, "unit_id"]
        swap = pd.DataFrame(
            {
                "unit_id": mine.to_numpy(),
                "rater_id": f"{h}\x1fjudge",
                "value": judge_value.loc[mine].to_numpy(),
            }
        )
        frame = pd.concat([hum.loc[hum["rater_id"] != h, ["unit_id", "rater_id", "value"]], swap])
        frame.attrs = dict(hum.attrs)
        a = _alpha(frame, level)
        if a is not None:
            replaced.append(a)
    entry["alpha_judge_replaces_human"] = _num(float(np.mean(replaced))) if replaced else None
    if entry["human_alpha"] is None:
        notes.append("human alpha undefined (one human or a single value)")

    at = alt_test(judge_value, wide, nominal=(text or level == "nominal"), epsilon=epsilon)
    entry["alt_test_winning_rate"] = at["winning_rate"]
    entry["alt_test_advantage_prob"] = at["advantage_prob"]
    entry["alt_test_passed"] = at["passed"]
    entry["alt_test"] = {"epsilon": epsilon, "q": ALT_TEST_Q, "per_human": at["per_human"]}
    if at["note"]:
        notes.append(f"alt-test: {at['note']}")

    if text:
        notes.append("text labels: correlations, MAE and calibration need numbers")
        entry["note"] = "; ".join(notes)
        return entry

    human_mean = _tidy(wide.astype(float).mean(axis=1))
    score = jt["score"].astype(float)
    if score.nunique() > 1 and human_mean.nunique() > 1:
        entry["spearman"] = _num(stats.spearmanr(score, human_mean).statistic)
        entry["kendall"] = _num(stats.kendalltau(score, human_mean).statistic)
    else:
        notes.append("constant judge or human scores: rank correlations undefined")
    entry["mae"] = _num(float(np.mean(np.abs(score - human_mean))))

    binary = _is_binary(hum["value"]) and set(jt["label"].astype(float)) <= {0.0, 1.0}
    if binary:
        votes = wide.astype(float).mean(axis=1)
        decided = votes != 0.5
        if (~decided).any():
            notes.append(f"{int((~decided).sum())} unit(s) with tied humans left out of accuracy")
        y = (votes[decided] > 0.5).astype(int)
        j = (jt.loc[decided, "p1"] >= 0.5).astype(int)
        if len(y):
            entry["accuracy"] = _num(float((y == j).mean()))
            entry["balanced_f1"] = _num(
                float(f1_score(y, j, average="macro", labels=[0, 1], zero_division=0))
            )
            entry["kappa"] = _num(cohen_kappa(j.tolist(), y.tolist(), "nominal"))
        x_cal, y_cal = jt.loc[decided, "p1"].to_numpy(), y.to_numpy().astype(float)
    else:
        x_cal, y_cal = score.to_numpy(), human_mean.to_numpy()

    entry["calibration"] = _calibration(
        judge_name,
        criterion,
        x_cal,
        y_cal,
        binary=binary,
        folds=folds,
        seed=seed,
        plot_dir=plot_dir,
    )
    if entry["calibration"].get("note"):
        notes.append(f"calibration: {entry['calibration']['note']}")
    entry["note"] = "; ".join(notes) or None
    return entry


def _calibration(
    judge_name: str,
    criterion: str,
    x: np.ndarray,
    y: np.ndarray,
    *,
    binary: bool,
    folds: int,
    seed: int,
    plot_dir: Path | None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "method": "logistic" if binary else "isotonic",
        "folds": folds,
        "ece_before": None,
        "ece_after": None,
        "error_before": None,
        "error_after": None,
        "reliability_png": None,
        "note": None,
    }
    if len(x) == 0:
        out["note"] = "no units"
        return out
    ece_b, table_b = expected_calibration_error(x, y, probability=binary)
    out["ece_before"] = _num(ece_b)
    # Brier score for probabilities, mean absolute error for scores.
    err = (
        (lambda p: float(np.mean((p - y) ** 2)))
        if binary
        else (lambda p: float(np.mean(np.abs(p - y))))
    )
    out["error_metric"] = "brier" if binary else "mae"
    out["error_before"] = _num(err(x))
    fitted, note = _cross_fit(x, y, binary=binary, folds=folds, seed=seed)
    if fitted is None:
        out["note"] = note
        return out
    ece_a, table_a = expected_calibration_error(fitted, y, probability=binary)
    out["ece_after"] = _num(ece_a)
    out["error_after"] = _num(err(fitted))
    if plot_dir is not None:
        path = plot_dir / f"reliability_{_safe_name(judge_name)}_{_safe_name(criterion)}.png"
        reliability_diagram(
            path, table_b, table_a, title=f"{judge_name} — {criterion}", probability=binary
        )
        out["reliability_png"] = str(path)
    return out


# --------------------------------------------------------------------------- systems


def _rank_rows(a: np.ndarray) -> np.ndarray:
    return np.asarray(stats.rankdata(a, axis=1))


def system_ranking(
    judge_scores: dict[str, np.ndarray],
    human_scores: dict[str, np.ndarray],
    *,
    n_boot: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """Rank correlation of systems by judge mean vs by human mean, with a percentile bootstrap
    CI for Spearman (units resampled within each system). Inputs: system -> per-unit scores
    (judge and human-mean arrays aligned per system)."""
    systems = sorted(s for s in judge_scores if len(judge_scores[s]) > 0)
    out: dict[str, Any] = {
        "spearman": None,
        "kendall": None,
        "ci_low": None,
        "ci_high": None,
        "n_systems": len(systems),
        "note": None,
        "judge_means": {s: _num(float(np.mean(judge_scores[s]))) for s in systems},
        "human_means": {s: _num(float(np.mean(human_scores[s]))) for s in systems},
    }
    if len(systems) < 3:
        out["note"] = "fewer than three systems: no ranking to compare"
        return out
    jm = np.array([np.mean(judge_scores[s]) for s in systems])
    hm = np.array([np.mean(human_scores[s]) for s in systems])
    if np.ptp(jm) == 0 or np.ptp(hm) == 0:
        out["note"] = "all systems tie under the judge or the humans"
        return out
    out["spearman"] = _num(stats.spearmanr(jm, hm).statistic)
    out["kendall"] = _num(stats.kendalltau(jm, hm).statistic)
    if n_boot > 0:
        rng = np.random.default_rng(seed)
        jb = np.empty((n_boot, len(systems)))
        hb = np.empty((n_boot, len(systems)))
        for i, s in enumerate(systems):
            n = len(judge_scores[s])
            idx = rng.integers(0, n, size=(n_boot, n))
            jb[:, i] = judge_scores[s][idx].mean(axis=1)
            hb[:, i] = human_scores[s][idx].mean(axis=1)
        rj, rh = _rank_rows(jb), _rank_rows(hb)
        rj -= rj.mean(axis=1, keepdims=True)
        rh -= rh.mean(axis=1, keepdims=True)
        denom = np.sqrt((rj**2).sum(axis=1) * (rh**2).sum(axis=1))
        with np.errstate(invalid="ignore", divide="ignore"):
            rho = (rj * rh).sum(axis=1) / denom
        rho = rho[np.isfinite(rho)]
        if len(rho) >= 2:
            out["ci_low"] = _num(np.percentile(rho, 2.5))
            out["ci_high"] = _num(np.percentile(rho, 97.5))
        if len(rho) < n_boot:
            out["note"] = f"{n_boot - len(rho)} of {n_boot} resamples had tied systems"
    return out


def _unit_systems(human: pd.DataFrame, judge: pd.DataFrame) -> pd.Series | None:
    parts = [d[["unit_id", "system"]].dropna() for d in (human, judge) if "system" in d.columns]
    if not parts:
        return None
    both = pd.concat(parts).drop_duplicates("unit_id")
    return both.set_index("unit_id")["system"].astype(str)


# --------------------------------------------------------------------------- entry point


def calibrate(
    human_df: pd.DataFrame,
    judge_df: pd.DataFrame,
    level: str = "ordinal",
    *,
    epsilon: float = 0.2,
    folds: int = 5,
    n_boot: int = 1000,
    seed: int = 0,
    plot_dir: str | Path | None = None,
) -> dict[str, Any]:
    """Judge-vs-human agreement and calibration, as the `musebench calibrate --json` document:
    {"level", "epsilon", "folds", "n_boot", "seed", "judges": {judge: {"criteria": {criterion:
    {...}}, "systems": {criterion: {...}}}}}. See the module docstring for every key."""
    check_level(level)
    human = _only(human_df, "judge")
    judge = _only(judge_df, "human")
    h_src = human_df.attrs.get("source", "human ratings")
    j_src = judge_df.attrs.get("source", "judge ratings")
    if human.empty:
        raise RatingsError(f"{h_src}: no human ratings (all rows are typed judge)")
    if judge.empty:
        raise RatingsError(f"{j_src}: no judge ratings (all rows are typed human)")
    shared = sorted(set(human["criterion"]) & set(judge["criterion"]))
    if not shared:
        raise RatingsError(
            f"{j_src}: column 'criterion': no criterion in common with {h_src} "
            f"(judge: {', '.join(sorted(set(judge['criterion']))[:5])}; "
            f"human: {', '.join(sorted(set(human['criterion']))[:5])})"
        )
    plots = Path(plot_dir) if plot_dir is not None else None
    unit_system = _unit_systems(human, judge)
    result: dict[str, Any] = {
        "level": level,
        "epsilon": epsilon,
        "folds": folds,
        "n_boot": n_boot,
        "seed": seed,
        "judges": {},
    }
    for judge_name, jrows in judge.groupby("rater_id", sort=True):
        crit_out: dict[str, Any] = {}
        sys_out: dict[str, Any] = {}
        for criterion in shared:
            hum = human.loc[human["criterion"] == criterion].copy()
            hum.attrs = {"source": f"{h_src} [{criterion}]"}
            jc = jrows.loc[jrows["criterion"] == criterion]
            if jc.empty:
                continue
            text = _is_text(hum["value"]) or _is_text(jc["value"])
            if _is_text(hum["value"]) != _is_text(jc["value"]):
                raise RatingsError(
                    f"{j_src}: column 'value': criterion {criterion!r} is "
                    f"{'text' if _is_text(jc['value']) else 'numeric'} for the judge but not "
                    f"for the humans"
                )
            jt = _judge_table(jc, text)
            entry = _criterion_entry(
                str(judge_name),
                criterion,
                hum,
                jt,
                level,
                text=text,
                epsilon=epsilon,
                folds=folds,
                seed=seed,
                plot_dir=plots,
            )
            crit_out[criterion] = entry
            if unit_system is not None and not text:
                sys_out[criterion] = _systems_for(hum, jt, unit_system, n_boot=n_boot, seed=seed)
        result["judges"][str(judge_name)] = {"criteria": crit_out, "systems": sys_out}
    return result


def _systems_for(
    hum: pd.DataFrame, jt: pd.DataFrame, unit_system: pd.Series, *, n_boot: int, seed: int
) -> dict[str, Any]:
    human_mean = _tidy(hum.groupby("unit_id")["value"].mean().astype(float))
    units = sorted(set(human_mean.index) & set(jt.index) & set(unit_system.index))
    frame = pd.DataFrame(
        {
            "system": unit_system.loc[units].to_numpy(),
            "judge": jt.loc[units, "score"].to_numpy(dtype=float),
            "human": human_mean.loc[units].to_numpy(),
        }
    )
    judge_scores = {str(s): g["judge"].to_numpy() for s, g in frame.groupby("system")}
    human_scores = {str(s): g["human"].to_numpy() for s, g in frame.groupby("system")}
    return system_ranking(judge_scores, human_scores, n_boot=n_boot, seed=seed)
