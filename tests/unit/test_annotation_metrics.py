"""The adapter to benchmark.measure.agreement / benchmark.measure.calibration (annotation_app/metrics.py): the
tables it shapes carry the hand-computed Krippendorff alphas and judge accuracy."""

from __future__ import annotations

import pandas as pd
import pytest

from annotation_app import metrics


def _long(rows: list[tuple[str, str, str, int]], system: str = "m/x") -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "unit_id": u,
                "criterion": c,
                "rater_id": r,
                "value": v,
                "rater_type": "human",
                "system": system,
            }
            for u, c, r, v in rows
        ]
    )


# Criterion a: 4 responses x 2 raters, one disagreement (u3).
#   n = 8 pairable values, 3 ones and 5 zeros; D_o = 2/8; D_e = 2*3*5/(8*7) = 30/56;
#   alpha = 1 - (2/8)/(30/56) = 8/15.
# Criterion b (same dimension): 4 x 2, all agree. Pooled over a and b (8 units):
#   n = 16, 9 ones, 7 zeros; D_o = 2/16; D_e = 2*9*7/(16*15) = 126/240; alpha = 16/21.
A = [("u1", 1, 1), ("u2", 0, 0), ("u3", 1, 0), ("u4", 0, 0)]
B = [("u1", 1, 1), ("u2", 1, 1), ("u3", 0, 0), ("u4", 1, 1)]


def _two_criteria() -> pd.DataFrame:
    rows = []
    for crit, data in (("a", A), ("b", B)):
        for unit, x, y in data:
            rows += [(unit, crit, "r1", x), (unit, crit, "r2", y)]
    return _long(rows)


def test_alpha_per_criterion_matches_hand_computation() -> None:
    table = metrics.alpha_per_criterion(_two_criteria(), n_boot=50).set_index("criterion")
    assert table.loc["a", "alpha"] == pytest.approx(8 / 15)
    assert table.loc["b", "alpha"] == pytest.approx(1.0)  # D_o = 0
    assert table.loc["a", "n_units"] == 4 and table.loc["a", "n_raters"] == 2
    low, high = table.loc["a", "ci_low"], table.loc["a", "ci_high"]
    assert low is None or low <= 8 / 15 <= high


def test_alpha_per_dimension_pools_items() -> None:
    df = _two_criteria().assign(dimension="dim1")
    table = metrics.alpha_per_dimension(df, n_boot=50).set_index("dimension")
    assert table.loc["dim1", "alpha"] == pytest.approx(16 / 21)
    assert table.loc["dim1", "n_units"] == 8


def test_rater_agreement_with_two_raters_is_their_pairwise_alpha() -> None:
    table = metrics.rater_agreement(_two_criteria()).set_index("rater_id")
    assert table.loc["r1", "consensus_alpha"] == pytest.approx(16 / 21)
    assert table.loc["r2", "consensus_alpha"] == pytest.approx(16 / 21)
    assert table.loc["r1", "shared_units"] == 8


def test_judge_vs_human_accuracy_against_the_majority() -> None:
    # Three humans: majorities 1, 0, 1, 0; the judge says 1, 0, 0, 0 -> accuracy 3/4.
    humans = [(1, 1, 1), (0, 0, 0), (1, 1, 0), (0, 0, 1)]
    rows = [
        (f"u{i}", "a", f"h{k}", v) for i, votes in enumerate(humans) for k, v in enumerate(votes)
    ]
    judge = _long([(f"u{i}", "a", "anthropic/judge", v) for i, v in enumerate((1, 0, 0, 0))])
    judge["rater_type"] = "judge"
    table = metrics.judge_vs_human(_long(rows), judge, n_boot=50)
    assert list(table["judge"]) == ["anthropic/judge"] and list(table["criterion"]) == ["a"]
    assert table.loc[0, "accuracy"] == pytest.approx(0.75)
    assert table.loc[0, "n_units"] == 4 and table.loc[0, "n_humans"] == 3
