"""Judge-vs-human calibration on constructed data with hand-computed answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from benchmark.errors import RatingsError
from benchmark.measure import calibration as cal
from benchmark.measure.agreement import alpha_table
from benchmark.measure.ratings import validate_ratings


def _long(rows: list[dict[str, Any]], source: str) -> pd.DataFrame:
    return validate_ratings(pd.DataFrame(rows), source)


def _likert(seed: int = 0, units: int = 120, humans: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, 6, units).astype(float)
    noise = rng.integers(-1, 2, size=(humans, units)) * (rng.random((humans, units)) < 0.4)
    return truth, np.clip(truth[None, :] + noise, 1, 5)


def _human_frame(h: np.ndarray, criterion: str = "warmth", systems: int = 0) -> pd.DataFrame:
    rows = [
        {
            "unit_id": f"u{u}",
            "criterion": criterion,
            "rater_id": f"h{r}",
            "value": float(h[r, u]),
            **({"system": f"s{u % systems}"} if systems else {}),
        }
        for r in range(h.shape[0])
        for u in range(h.shape[1])
    ]
    return _long(rows, "human.csv")


def _judge_frame(scores: dict[str, np.ndarray], criterion: str = "warmth") -> pd.DataFrame:
    """scores: judge -> (K, units) samples."""
    rows = [
        {"unit_id": f"u{u}", "criterion": criterion, "rater_id": name, "value": float(s[k, u])}
        for name, s in scores.items()
        for k in range(s.shape[0])
        for u in range(s.shape[1])
    ]
    return _long(rows, "judge.csv")


def test_keys_and_rank_metrics_against_scipy() -> None:
    truth, h = _likert()
    rng = np.random.default_rng(1)
    judge = np.clip(truth + rng.normal(0, 0.8, truth.size), 1, 5)[None, :]
    doc = cal.calibrate(_human_frame(h), _judge_frame({"j": judge}), "ordinal", n_boot=50)
    e = doc["judges"]["j"]["criteria"]["warmth"]
    required = {
        "human_alpha",
        "alpha_judge_replaces_human",
        "alt_test_winning_rate",
        "spearman",
        "kendall",
        "mae",
        "accuracy",
        "balanced_f1",
        "kappa",
        "n_units",
    }
    assert required <= set(e)
    human_mean = h.mean(axis=0)
    assert e["spearman"] == pytest.approx(stats.spearmanr(judge[0], human_mean).statistic, abs=1e-6)
    assert e["kendall"] == pytest.approx(stats.kendalltau(judge[0], human_mean).statistic, abs=1e-6)
    assert e["mae"] == pytest.approx(np.abs(judge[0] - human_mean).mean(), abs=1e-6)
    assert e["n_units"] == 120 and e["accuracy"] is None  # not a binary criterion
    human_only = alpha_table(_human_frame(h), "ordinal", n_boot=0)["criteria"]["warmth"]["alpha"]
    assert e["human_alpha"] == pytest.approx(human_only)
    json.dumps(doc, allow_nan=False)


def test_alpha_judge_replaces_human_hand_case() -> None:
    """Two humans, judge identical to h0: replacing h0 gives the human alpha, replacing h1 gives
    alpha(h0, h0) = 1, so the mean is (human_alpha + 1) / 2."""
    _, h = _likert(humans=2)
    doc = cal.calibrate(_human_frame(h), _judge_frame({"copy": h[:1]}), "interval", n_boot=0)
    e = doc["judges"]["copy"]["criteria"]["warmth"]
    assert e["alpha_judge_replaces_human"] == pytest.approx((e["human_alpha"] + 1) / 2, abs=1e-6)


def test_alt_test_hand_case_and_winning_rates() -> None:
    # 3 humans x 4 units (nominal). Leave h0 out: the others are h1, h2.
    humans = pd.DataFrame(
        {"h0": ["a", "a", "b", "b"], "h1": ["a", "b", "b", "a"], "h2": ["a", "b", "b", "b"]},
        index=["u0", "u1", "u2", "u3"],
    )
    judge = pd.Series(["a", "b", "b", "a"], index=humans.index)
    out = cal.alt_test(judge, humans, nominal=True, epsilon=0.2, min_units=1)
    # h0 held out: judge matches (2, 2, 2, 1)/2 of {h1, h2}, h0 matches (2, 0, 2, 1)/2
    # -> judge >= h0 everywhere (rho_judge = 1), h0 >= judge on u0, u2, u3 (rho_human = 3/4).
    assert out["per_human"]["h0"]["rho_judge"] == 1.0
    assert out["per_human"]["h0"]["rho_human"] == 0.75
    # advantage probability = mean of rho_judge over the three held-out humans
    rhos = [out["per_human"][h]["rho_judge"] for h in ("h0", "h1", "h2")]
    assert out["advantage_prob"] == pytest.approx(np.mean(rhos), abs=1e-6)

    _, h = _likert(seed=3, units=200)
    wide = pd.DataFrame(h.T, index=[f"u{i}" for i in range(200)], columns=["h0", "h1", "h2"])
    consensus = pd.Series(np.round(h.mean(axis=0)), index=wide.index)
    rng = np.random.default_rng(0)
    random_judge = pd.Series(rng.integers(1, 6, 200).astype(float), index=wide.index)
    good = cal.alt_test(consensus, wide, nominal=False, epsilon=0.1)
    bad = cal.alt_test(random_judge, wide, nominal=False, epsilon=0.1)
    assert good["winning_rate"] == 1.0 and good["passed"] is True
    assert bad["winning_rate"] == 0.0 and bad["passed"] is False
    few = cal.alt_test(consensus.iloc[:20], wide, nominal=False)
    assert few["winning_rate"] is None and "< 30 units" in few["note"]


def test_benjamini_yekutieli() -> None:
    # m = 3, q = 0.05, H_3 = 11/6: thresholds i/3 * 0.05 / (11/6) = 0.00909, 0.01818, 0.02727
    assert cal._by_reject([0.001, 0.015, 0.5], 0.05) == [True, True, False]
    assert cal._by_reject([0.01, 0.04, 0.03], 0.05) == [False, False, False]
    assert cal._by_reject([0.02, 0.001, 0.025], 0.05) == [True, True, True]


def test_binary_metrics_hand_case() -> None:
    # 3 humans, 6 units; majority y = 1 1 1 0 0 0; judge (one sample) j = 1 1 0 0 0 1.
    # accuracy 4/6; F1(met) = 2*2/(2*2+1+1) = 2/3, F1(not met) = 2/3 -> balanced F1 2/3;
    # kappa: p_o = 4/6, p_e = 0.5*0.5 + 0.5*0.5 = 0.5 -> (2/3 - 1/2) / (1/2) = 1/3.
    h = np.array([[1, 1, 1, 0, 0, 0], [1, 1, 0, 0, 0, 1], [1, 0, 1, 0, 1, 0]], dtype=float)
    judge = np.array([[1, 1, 0, 0, 0, 1]], dtype=float)
    doc = cal.calibrate(_human_frame(h, "met"), _judge_frame({"j": judge}, "met"), "nominal")
    e = doc["judges"]["j"]["criteria"]["met"]
    assert e["accuracy"] == pytest.approx(4 / 6, abs=1e-6)
    assert e["balanced_f1"] == pytest.approx(2 / 3, abs=1e-6)
    assert e["kappa"] == pytest.approx(1 / 3, abs=1e-6)
    assert e["calibration"]["method"] == "logistic"


def test_ece_hand_case() -> None:
    # bins {0.1, 0.1} with labels {0, 1} and {0.9, 0.9} with {1, 1}:
    # 0.5 * |0.1 - 0.5| + 0.5 * |0.9 - 1.0| = 0.25
    ece, table = cal.expected_calibration_error(
        np.array([0.1, 0.1, 0.9, 0.9]), np.array([0, 1, 1, 1]), probability=True
    )
    assert ece == pytest.approx(0.25)
    assert [n for _, _, n in table] == [2, 2]


def test_isotonic_calibration_fixes_a_distorted_judge(tmp_path: Path) -> None:
    _, h = _likert(seed=5, units=400)
    rng = np.random.default_rng(2)
    distorted = 1 + (h.mean(axis=0) - 1) ** 2 / 4 + rng.normal(0, 0.2, 400)  # monotone, bent
    doc = cal.calibrate(
        _human_frame(h),
        _judge_frame({"bent": distorted[None, :]}),
        "interval",
        n_boot=0,
        plot_dir=tmp_path,
    )
    c = doc["judges"]["bent"]["criteria"]["warmth"]["calibration"]
    assert c["method"] == "isotonic" and c["error_metric"] == "mae"
    assert c["ece_after"] < c["ece_before"] / 3
    assert c["error_after"] < c["error_before"]
    png = Path(c["reliability_png"])
    assert png.parent == tmp_path and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_logistic_calibration_from_k_samples() -> None:
    """An overconfident judge: its K=5 samples agree far more than its accuracy warrants."""
    rng = np.random.default_rng(9)
    units = 600
    y = (rng.random(units) < 0.5).astype(float)
    humans = np.stack([np.where(rng.random(units) < 0.9, y, 1 - y) for _ in range(3)])
    believed = np.where(rng.random(units) < 0.7, y, 1 - y)  # 70% right, and always sure
    samples = np.stack(
        [np.where(rng.random(units) < 0.97, believed, 1 - believed) for _ in range(5)]
    )
    doc = cal.calibrate(
        _human_frame(humans, "met"), _judge_frame({"sure": samples}, "met"), "nominal", n_boot=0
    )
    e = doc["judges"]["sure"]["criteria"]["met"]
    c = e["calibration"]
    assert e["judge_samples"] == 5.0
    assert c["method"] == "logistic" and c["error_metric"] == "brier"
    assert c["ece_before"] > 0.15 and c["ece_after"] < c["ece_before"] / 2
    assert c["error_after"] < c["error_before"]


def test_system_ranking_and_its_ci() -> None:
    rng = np.random.default_rng(4)
    systems = 6
    quality = np.linspace(1.5, 4.5, systems)
    units = 300
    sys_of = np.arange(units) % systems
    truth = np.clip(np.round(quality[sys_of] + rng.normal(0, 0.8, units)), 1, 5)
    h = np.clip(truth[None, :] + rng.integers(-1, 2, (3, units)), 1, 5)
    judge = (0.5 * h.mean(axis=0) + 1 + rng.normal(0, 0.3, units))[None, :]
    doc = cal.calibrate(_human_frame(h, systems=systems), _judge_frame({"j": judge}), "ordinal")
    s = doc["judges"]["j"]["systems"]["warmth"]
    assert s["n_systems"] == systems and s["spearman"] == 1.0 and s["kendall"] == 1.0
    assert s["ci_low"] is not None and 0.5 < s["ci_low"] <= s["ci_high"] == 1.0
    human_means = {f"s{i}": h.mean(axis=0)[sys_of == i].mean() for i in range(systems)}
    for name, value in human_means.items():
        assert s["human_means"][name] == pytest.approx(value, abs=1e-6)
    two = cal.system_ranking({"a": np.ones(3), "b": np.ones(3)}, {"a": np.ones(3), "b": np.ones(3)})
    assert two["spearman"] is None and "three systems" in two["note"]


def test_bad_and_degenerate_inputs() -> None:
    _, h = _likert()
    with pytest.raises(
        RatingsError, match=r"judge\.csv: column 'criterion': no criterion in common"
    ):
        cal.calibrate(_human_frame(h), _judge_frame({"j": h[:1]}, "other"), "ordinal")
    flat = cal.calibrate(
        _human_frame(h), _judge_frame({"flat": np.full((1, 120), 3.0)}), "ordinal", n_boot=0
    )
    e = flat["judges"]["flat"]["criteria"]["warmth"]
    assert e["spearman"] is None and "constant" in e["note"]
    json.dumps(flat, allow_nan=False)
    combined = pd.concat(
        [
            _human_frame(h).assign(rater_type="human"),
            _judge_frame({"j": h[:1] + 0.5}).assign(rater_type="judge"),
        ]
    )
    doc = cal.calibrate(combined, combined, "interval", n_boot=0)  # one file passed as both
    assert list(doc["judges"]) == ["j"]
