"""Krippendorff's alpha, Cohen's kappa, Gwet's AC1 and rater consensus against published
numbers and hand-computed values."""

from __future__ import annotations

import json
from typing import Any

import krippendorff
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from benchmark.errors import RatingsError, UsageError
from benchmark.measure import agreement as ag
from benchmark.measure.ratings import validate_ratings

# The 8 published reliability matrices (rows = coders, "." = missing) and their alphas, from
# ../shared/data/krippendorff_test_vectors/krippendorff_alpha_test_vectors.json, which cites:
# Wikipedia's computational example; Krippendorff (2011) "Computing Krippendorff's
# Alpha-Reliability" / Content Analysis (2004) p.230, p.224, p.227; Krippendorff (1980) p.133,
# p.139; Hayes & Krippendorff (2007) Communication Methods and Measures 1:77-89, p.84.
# String rows are comma-separated, number rows space-separated.
VECTORS: list[tuple[str, list[str], list[str] | None, dict[str, float]]] = [
    (
        "wikipedia_3coders_15units",
        [
            ". . . . . 3 4 1 2 1 1 3 3 . 3",
            "1 . 2 1 3 3 4 3 . . . . . . .",
            ". . 2 1 3 4 4 . 2 1 1 3 3 . 4",
        ],
        None,
        {"nominal": 0.691358, "interval": 0.810845},
    ),
    (
        "krippendorff_4coders_12units_numeric",
        [
            "1 2 3 3 2 1 4 1 2 . . .",
            "1 2 3 3 2 2 4 1 2 5 . 3",
            ". 3 3 3 2 3 4 2 2 5 1 .",
            "1 2 3 3 2 4 4 1 2 5 1 .",
        ],
        None,
        {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797},
    ),
    (
        "krippendorff_4coders_12units_strings",
        [
            "very low,low,mid,mid,low,very low,high,very low,low,.,.,.",
            "very low,low,mid,mid,low,low,high,very low,low,very high,.,mid",
            ".,mid,mid,mid,low,mid,high,low,low,very high,very low,.",
            "very low,low,mid,mid,low,high,high,very low,low,very high,very low,.",
        ],
        ["very low", "low", "mid", "high", "very high"],
        {"ordinal": 0.815, "nominal": 0.743},
    ),
    (
        "krippendorff2004_p224_binary_2coders_10units",
        [
            "1 1 0 0 0 0 0 0 0 0",
            "0 1 1 0 0 1 0 1 0 0",
        ],
        None,
        {"nominal": 0.095},
    ),
    (
        "krippendorff1980_p133_binary_2coders_10units",
        [
            "0 1 0 0 0 0 0 0 1 0",
            "0 1 1 0 0 1 0 1 0 0",
        ],
        None,
        {"nominal": 0.095},
    ),
    (
        "krippendorff2004_p227_nominal_2coders_12units",
        [
            "a a b b b b b c c c c c",
            "a b b b b b c c c c c c",
        ],
        None,
        {"nominal": 0.734},
    ),
    (
        "krippendorff1980_p139_3coders_9units",
        [
            "1 1 2 4 1 2 1 3 2",
            "1 2 2 4 4 2 2 3 2",
            "1 2 2 4 4 2 3 3 2",
        ],
        None,
        {"nominal": 0.642, "interval": 0.547},
    ),
    (
        "hayes_krippendorff_2007_5coders_40units",
        [
            "1 1 2 . 0 0 1 1 2 2 . 0 1 3 1 1 2 1 1 0 0 0 2 0 1 0 0 1 1 1 1 2 2 3 2 2 2 2 2 1",
            "1 1 3 0 0 0 0 . 2 1 1 0 2 3 1 1 1 2 1 0 0 0 3 0 2 1 0 2 1 1 1 1 2 2 2 2 2 2 2 1",
            "2 0 3 0 0 0 2 2 2 1 0 0 2 2 1 1 2 3 0 0 1 . 3 0 . 1 0 1 2 2 0 2 . 2 2 3 2 . 2 1",
            ". 1 3 . . . . 0 . 1 0 0 2 2 . . . 3 1 . 1 0 3 0 2 1 1 2 2 . . 1 2 2 . . . 1 2 .",
            "2 . . 0 0 0 1 . 2 . . . . 3 1 1 2 . . 0 . 0 . . 2 . 0 . . 2 0 . 2 . 2 2 2 2 . 1",
        ],
        None,
        {"ordinal": 0.7598, "nominal": 0.477, "interval": 0.757},
    ),
]


def _cell(c: str, domain: list[str] | None) -> Any:
    if c == "." or domain:
        return None if c == "." else c
    try:
        return float(c)
    except ValueError:
        return c  # nominal letters (Krippendorff 2004 p.227)


def _matrix(rows: list[str], domain: list[str] | None) -> list[list[Any]]:
    sep = "," if domain else " "
    return [[_cell(c, domain) for c in row.split(sep)] for row in rows]


def _long(matrix: list[list[Any]], criterion: str = "c") -> pd.DataFrame:
    rows = [
        {"unit_id": f"u{u}", "criterion": criterion, "rater_id": f"r{r}", "value": v}
        for r, row in enumerate(matrix)
        for u, v in enumerate(row)
        if v is not None and v == v
    ]
    return validate_ratings(pd.DataFrame(rows), "test")


@pytest.mark.parametrize("name,rows,domain,expected", VECTORS, ids=[v[0] for v in VECTORS])
def test_published_alpha_vectors(
    name: str, rows: list[str], domain: list[str] | None, expected: dict[str, float]
) -> None:
    matrix = _matrix(rows, domain)
    for level, value in expected.items():
        digits = len(str(value).split(".")[1])
        got = ag.krippendorff_alpha(matrix, level, value_domain=domain)
        assert got is not None and round(got, min(digits, 4)) == round(value, min(digits, 4)), (
            name,
            level,
            got,
        )
        assert round(got, 3) == round(value, 3)


@pytest.mark.parametrize("name,rows,domain,expected", VECTORS, ids=[v[0] for v in VECTORS])
def test_own_core_matches_published_vectors(
    name: str, rows: list[str], domain: list[str] | None, expected: dict[str, float]
) -> None:
    """The vectorised coincidence core (used for bootstraps and large inputs) on its own."""
    matrix = _matrix(rows, domain)
    if domain:  # ordinal text: ranks in the published order
        matrix = [[None if v is None else float(domain.index(v)) for v in r] for r in matrix]
    counts, dom = ag._counts_from_matrix(matrix, None)
    uc = ag.UnitCounts(counts, dom, np.arange(counts.shape[0]), len(matrix))
    for level, value in expected.items():
        stats = ag._AlphaStats(uc, level)
        assert round(float(stats.alpha(np.ones((1, stats.n_units)))[0]), 3) == round(value, 3)


def _random_matrix(rng: np.random.Generator, raters: int, units: int) -> np.ndarray:
    m = rng.integers(1, 6, size=(raters, units)).astype(float)
    m[1] = np.where(rng.random(units) < 0.6, m[0], m[1])  # some real agreement
    m[rng.random(m.shape) < 0.25] = np.nan
    return m


@pytest.mark.parametrize("level", ag.LEVELS)
def test_resample_weights_equal_the_package_on_duplicated_units(level: str) -> None:
    """A bootstrap resample is a reweighting of units: alpha with integer weights must equal the
    package's alpha on the matrix with units repeated that many times."""
    rng = np.random.default_rng(7)
    m = _random_matrix(rng, 4, 40)
    counts, dom = ag._counts_from_matrix(m.tolist(), None)
    uc = ag.UnitCounts(counts, dom, np.arange(counts.shape[0]), 4)
    stats = ag._AlphaStats(uc, level)
    keep = np.flatnonzero(uc.pairable)
    for _ in range(5):
        w = rng.integers(0, 3, size=len(keep)).astype(float)
        repeated = np.repeat(m[:, keep], w.astype(int), axis=1)
        expected = krippendorff.alpha(repeated, level_of_measurement=level)
        assert stats.alpha(w[None, :])[0] == pytest.approx(expected, abs=1e-9)


def test_large_value_domain_uses_the_exact_core() -> None:
    """Continuous scores (thousands of distinct values) are too big for the package's dense
    tensor; the exact core must equal the package where both fit, and the textbook variance
    form of interval alpha on the large input."""
    rng = np.random.default_rng(3)
    truth = rng.normal(size=3000)
    m = truth[None, :] + rng.normal(scale=0.5, size=(3, 3000))  # ~9000 distinct values
    got = ag.krippendorff_alpha(m.tolist(), "interval")
    # interval alpha, complete data, m raters per unit: 1 - (n-1) * sum_u m*SS_u/(m-1) / (n*SS)
    n = m.size
    ss_units = ((m - m.mean(axis=0)) ** 2).sum(axis=0)
    ss_total = ((m - m.mean()) ** 2).sum()
    expected = 1 - (n - 1) * (3 * ss_units / 2).sum() / (n * ss_total)
    assert got == pytest.approx(expected, abs=1e-9)
    small = m[:, :40]
    counts, dom = ag._counts_from_matrix(small.tolist(), None)
    stats = ag._AlphaStats(ag.UnitCounts(counts, dom, np.arange(40), 3), "interval")
    assert stats.alpha(np.ones((1, 40)))[0] == pytest.approx(
        krippendorff.alpha(small, level_of_measurement="interval"), abs=1e-9
    )


def test_bootstrap_ci_brackets_alpha_and_is_deterministic() -> None:
    rng = np.random.default_rng(0)
    df = _long(_random_matrix(rng, 3, 200).tolist())
    uc = ag.unit_counts(df, "ordinal")
    one = ag.alpha_with_ci(uc, "ordinal", n_boot=500, seed=1)
    two = ag.alpha_with_ci(uc, "ordinal", n_boot=500, seed=1)
    assert one == two
    assert one["ci_low"] < one["alpha"] < one["ci_high"]
    assert one["ci_high"] - one["ci_low"] < 0.3
    other = ag.alpha_with_ci(uc, "ordinal", n_boot=500, seed=2)
    assert other["ci_low"] != one["ci_low"]


def test_bootstrap_ci_width_matches_a_per_resample_loop() -> None:
    """Same resampling scheme done naively with the package (units drawn with replacement):
    the vectorised CI must agree to Monte-Carlo precision."""
    rng = np.random.default_rng(11)
    m = _random_matrix(rng, 3, 120)
    m = m[:, (~np.isnan(m)).sum(axis=0) >= 2]
    df = _long(m.tolist())
    fast = ag.alpha_with_ci(ag.unit_counts(df, "interval"), "interval", n_boot=2000, seed=5)
    loop_rng = np.random.default_rng(99)
    n = m.shape[1]
    naive = [
        krippendorff.alpha(m[:, loop_rng.integers(0, n, n)], level_of_measurement="interval")
        for _ in range(2000)
    ]
    lo, hi = np.percentile(naive, [2.5, 97.5])
    assert fast["ci_low"] == pytest.approx(lo, abs=0.03)
    assert fast["ci_high"] == pytest.approx(hi, abs=0.03)


def test_degenerate_inputs_give_null_with_a_reason() -> None:
    one_rater = _long([[1.0, 2.0, 3.0]])
    table = ag.alpha_table(one_rater, "ordinal", n_boot=50)
    e = table["criteria"]["c"]
    assert e["alpha"] is None and "one rater" in e["note"]
    same = _long([[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]])
    e = ag.alpha_table(same, "interval", n_boot=50)["criteria"]["c"]
    assert e["alpha"] is None and "same value" in e["note"]
    unpaired = _long([[1.0, None, None], [None, 2.0, None], [None, None, 3.0]])
    e = ag.alpha_table(unpaired, "nominal", n_boot=50)["criteria"]["c"]
    assert e["alpha"] is None and "two or more raters" in e["note"]
    for doc in (table, ag.alpha_table(same, "nominal", n_boot=50)):
        json.dumps(doc, allow_nan=False)  # raises on NaN / inf
    assert ag.krippendorff_alpha([[1, 1], [1, 1]], "nominal") is None


def test_alpha_table_shape_pooled_kappa_and_ac1() -> None:
    rng = np.random.default_rng(4)
    a = _long(_random_matrix(rng, 2, 60).tolist(), "warmth")
    b = _long(_random_matrix(rng, 2, 60).tolist(), "clarity")
    df = validate_ratings(pd.concat([a, b]), "two-criteria")
    doc = ag.alpha_table(df, "nominal", n_boot=200)
    assert doc["level"] == "nominal" and set(doc["criteria"]) == {"warmth", "clarity"}
    keys = {"alpha", "ci_low", "ci_high", "n_units", "n_raters", "note"}
    assert keys <= set(doc["criteria"]["warmth"])
    e = doc["criteria"]["warmth"]
    wide = a.pivot(index="unit_id", columns="rater_id", values="value").dropna()
    assert e["cohen_kappa"] == pytest.approx(cohen_kappa_score(wide["r0"], wide["r1"]), abs=1e-6)
    assert e["gwet_ac1"] is not None and e["gwet_ac1_ci_low"] < e["gwet_ac1"]
    pooled = doc["pooled"]
    assert pooled["n_units"] == e["n_units"] + doc["criteria"]["clarity"]["n_units"]
    assert min(e["alpha"], doc["criteria"]["clarity"]["alpha"]) - 0.05 <= pooled["alpha"]
    json.dumps(doc, allow_nan=False)


def test_text_labels_nominal_only_and_duplicates_rejected() -> None:
    df = _long([["a", "b", "a", "c"], ["a", "b", "b", "c"]])
    assert ag.alpha_table(df, "nominal", n_boot=20)["criteria"]["c"]["alpha"] is not None
    with pytest.raises(RatingsError, match="--level ordinal needs numbers"):
        ag.alpha_table(df, "ordinal", n_boot=20)
    dup = validate_ratings(pd.concat([_long([[1.0, 2.0], [1.0, 2.0]])] * 2), "dup.csv")
    with pytest.raises(RatingsError, match="more than once"):
        ag.alpha_table(dup, "ordinal", n_boot=20)
    with pytest.raises(UsageError, match="--level"):
        ag.alpha_table(df, "likert")


def test_cohen_kappa_worked_examples() -> None:
    # Wikipedia "Cohen's kappa" worked example: 50 proposals, yes/yes 20, yes/no 5,
    # no/yes 10, no/no 15 -> p_o = 0.7, p_e = 0.5, kappa = 0.4.
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert ag.cohen_kappa(a, b) == pytest.approx(0.4)
    # Hand-computed weighted example: a = (0, 1, 2), b = (0, 2, 2).
    # Linear weights |i-j|/2: observed disagreement 1/6, expected 1/2 -> 1 - 1/3 = 2/3.
    # Quadratic weights (i-j)^2/4: observed 1/12, expected 5/12 -> 1 - 1/5 = 0.8.
    assert ag.cohen_kappa([0, 1, 2], [0, 2, 2], "ordinal") == pytest.approx(2 / 3)
    assert ag.cohen_kappa([0, 1, 2], [0, 2, 2], "interval") == pytest.approx(0.8)
    rng = np.random.default_rng(2)
    x = rng.integers(1, 6, 80)
    y = np.clip(x + rng.integers(-1, 2, 80), 1, 5)
    for level, weights in (("nominal", None), ("ordinal", "linear"), ("ratio", "quadratic")):
        assert ag.cohen_kappa(x, y, level) == pytest.approx(
            cohen_kappa_score(x, y, weights=weights)
        )
    assert ag.cohen_kappa([1, 1, 1], [1, 1, 1]) is None


def test_gwet_ac1_hand_computed() -> None:
    # 2 raters, 4 units: (1,1) (1,1) (0,0) (1,0). p_a = 3/4; pi_1 = (1 + 1 + 0 + 1/2)/4 = 5/8;
    # p_e = 2 * 5/8 * 3/8 = 15/32; AC1 = (3/4 - 15/32) / (17/32) = 9/17.
    counts = np.array([[0, 2], [0, 2], [2, 0], [1, 1]])
    assert ag.gwet_ac1(counts)["ac1"] == pytest.approx(9 / 17, abs=1e-6)
    single = ag.gwet_ac1(np.array([[3], [3], [2]]))
    assert single["ac1"] == 1.0 and single["ci_low"] is None and single["note"]


def test_rater_consensus_flags_the_noisy_rater() -> None:
    rng = np.random.default_rng(5)
    truth = rng.integers(1, 6, 150).astype(float)
    good = [
        np.clip(truth + rng.integers(-1, 2, 150) * (rng.random(150) < 0.3), 1, 5) for _ in range(3)
    ]
    noisy = rng.integers(1, 6, 150).astype(float)
    df = _long([*[g.tolist() for g in good], noisy.tolist()])
    for level in ("nominal", "ordinal", "interval"):
        raters = ag.rater_consensus(df, level)
        worst = min(raters, key=lambda r: raters[r]["alpha"])
        assert worst == "r3", (level, raters)
        assert raters["r3"]["alpha"] < 0.2 < raters["r0"]["alpha"]


def test_perf_10k_units_3_raters_1000_resamples_under_5s() -> None:
    rng = np.random.default_rng(0)
    truth = rng.integers(1, 6, 10_000)
    vals = np.clip(truth[None, :] + rng.integers(-1, 2, (3, 10_000)), 1, 5).astype(float)
    df = pd.DataFrame(
        {
            "unit_id": np.tile(np.arange(10_000).astype(str), 3),
            "criterion": "c",
            "rater_id": np.repeat(["a", "b", "c"], 10_000),
            "value": vals.ravel(),
        }
    )
    uc = ag.unit_counts(df, "ordinal")
    out = ag.alpha_with_ci(uc, "ordinal", n_boot=1000, seed=0)
    assert out["ci_low"] < out["alpha"] < out["ci_high"]
