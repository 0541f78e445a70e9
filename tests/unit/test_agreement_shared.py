"""Agreement reproduced on the real data in ../shared/data (skips in a fresh clone)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchmark.measure import agreement as ag
from benchmark.measure._hanna import hanna_human_ratings
from benchmark.measure.ratings import validate_ratings
from tests.unit.test_agreement import VECTORS, _matrix

# HANNA human ratings, published ICC(1,1) ("single raters absolute", pingouin) per criterion from
# the authors' notebook (reference_icc_human_coling_notebook.txt). For complete data interval
# alpha equals ICC(1,1) up to a small-sample term, so they must agree to 1e-3.
HANNA_ICC1 = {
    "Relevance": 0.137622,
    "Coherence": -0.0547567,
    "Empathy": 0.115955,
    "Surprise": 0.0512276,
    "Engagement": 0.180231,
    "Complexity": 0.278044,
}
# Krippendorff's alpha of the same ratings as recorded in derived_hanna_irr.json.
HANNA_ALPHA = {
    "Relevance": {"nominal": 0.059, "ordinal": 0.1651, "interval": 0.1375},
    "Coherence": {"nominal": -0.0403, "ordinal": -0.0539, "interval": -0.0547},
    "Empathy": {"nominal": 0.0424, "ordinal": 0.1171, "interval": 0.1159},
    "Surprise": {"nominal": -0.0342, "ordinal": 0.0149, "interval": 0.0512},
    "Engagement": {"nominal": 0.0467, "ordinal": 0.1666, "interval": 0.1801},
    "Complexity": {"nominal": 0.0995, "ordinal": 0.2658, "interval": 0.2779},
}
# Gwet's AC1 (95% CI) of the user study, from the authors' irrCAC output
# (reference_user_study_gwet_ac1_tacl_notebook.txt), 2 decimals.
USER_STUDY_AC1 = {
    "Answer.a-1-guidelines.1": (0.90, 0.85, 0.96),
    "Answer.a-2-syntax.1": (0.97, 0.93, 1.00),
    "Answer.a-3-superfluous.1": (0.66, 0.55, 0.78),
    "Answer.a-5-unsubstantiated.1": (0.60, 0.47, 0.74),
    "Answer.a-6-incoherence.1": (0.81, 0.73, 0.89),
}


def test_embedded_vectors_match_the_shared_file(shared_data: Path) -> None:
    data = json.loads(
        (
            shared_data / "krippendorff_test_vectors" / "krippendorff_alpha_test_vectors.json"
        ).read_text()
    )
    assert [v["name"] for v in data] == [v[0] for v in VECTORS]
    for entry, (_, rows, domain, expected) in zip(data, VECTORS, strict=True):
        published = [
            [None if c is None else (c if domain or isinstance(c, str) else float(c)) for c in r]
            for r in entry["matrix"]
        ]
        assert _matrix(rows, domain) == published
        assert entry["expected"] == expected and entry["value_domain"] == domain


def test_hayes_krippendorff_csv_ordinal(shared_data: Path) -> None:
    csv = pd.read_csv(
        shared_data / "krippendorff_test_vectors" / "hayes_krippendorff_2007_dataset.csv"
    )
    matrix = [
        [None if v == "." else float(v) for v in csv[col].astype(str)]
        for col in csv.columns
        if col.startswith("obs")
    ]
    assert round(ag.krippendorff_alpha(matrix, "ordinal") or 0, 4) == 0.7598


def test_hanna_human_alpha_per_criterion(shared_data: Path) -> None:
    humans = hanna_human_ratings(shared_data / "hanna")
    assert len(humans) == 1056 * 3 * 6
    for level in ("nominal", "ordinal", "interval"):
        doc = ag.alpha_table(humans, level, n_boot=0)
        for criterion, expected in HANNA_ALPHA.items():
            e = doc["criteria"][criterion]
            assert e["n_units"] == 1056 and e["n_raters"] == 3
            assert round(e["alpha"], 4) == expected[level], (criterion, level)
            if level == "interval":
                assert e["alpha"] == pytest.approx(HANNA_ICC1[criterion], abs=1e-3)


def test_hanna_long_file_matches_the_wide_table(shared_data: Path) -> None:
    """derived_hanna_human_ratings_long.csv, converted to our format, gives the same alphas."""
    raw = pd.read_csv(shared_data / "hanna" / "derived_hanna_human_ratings_long.csv")
    long = raw.melt(
        id_vars=["model", "story_idx_in_model", "judge"],
        value_vars=list(HANNA_ALPHA),
        var_name="criterion",
        value_name="value",
    )
    df = validate_ratings(
        pd.DataFrame(
            {
                "unit_id": long["model"] + "/" + long["story_idx_in_model"].astype(str),
                "criterion": long["criterion"],
                "rater_id": "slot" + long["judge"].astype(str),
                "value": long["value"],
            }
        ),
        "derived_hanna_human_ratings_long.csv",
    )
    doc = ag.alpha_table(df, "ordinal", n_boot=0)
    for criterion, expected in HANNA_ALPHA.items():
        assert round(doc["criteria"][criterion]["alpha"], 4) == expected["ordinal"]


def test_user_study_gwet_ac1(shared_data: Path) -> None:
    study = pd.read_csv(shared_data / "hanna" / "user_study.csv")
    # Raters are consecutive row triples (rows i, i+1, i+2 rate one explanation).
    unit = np.arange(len(study)) // 3
    rows = []
    for col in study.columns[2:]:
        rows.extend(
            {"unit_id": str(u), "criterion": col, "rater_id": f"r{i % 3}", "value": float(v)}
            for i, (u, v) in enumerate(zip(unit, study[col], strict=True))
        )
    doc = ag.alpha_table(validate_ratings(pd.DataFrame(rows), "user_study"), "nominal", n_boot=0)
    for col, (ac1, lo, hi) in USER_STUDY_AC1.items():
        e = doc["criteria"][col]
        assert (round(e["gwet_ac1"], 2), round(e["gwet_ac1_ci_low"], 2)) == (ac1, lo), col
        assert round(e["gwet_ac1_ci_high"], 2) == hi, col
    # the published case where AC1 and alpha diverge: high AC1, alpha near zero
    assert doc["criteria"]["Answer.a-2-syntax.1"]["alpha"] < 0.05
    # a single observed category: alpha undefined with a reason, AC1 = agreement
    flat = doc["criteria"]["Answer.a-4-incorrectness.1"]
    assert flat["alpha"] is None and "same value" in flat["note"] and flat["gwet_ac1"] == 1.0
