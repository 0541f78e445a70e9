"""The one place the annotation app calls the measurement modules: benchmark.measure.ratings (long format
IO), benchmark.measure.agreement (Krippendorff's alpha, rater consensus) and benchmark.measure.calibration
(judge vs human). No metric is computed here; this only shapes their documents into the tables
the admin pages show."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from benchmark.measure import agreement, calibration, ratings

COLUMNS = ("unit_id", "criterion", "rater_id", "value", "rater_type", "system", "comment", "flags")
FORMATS = tuple(ratings.FORMATS)
LEVEL = "nominal"  # verdicts are met (1) / not met (0); "unsure" is left out as not rated


def read_ratings(path: str | Path) -> pd.DataFrame:
    return ratings.load_ratings(path)


def write_ratings(df: pd.DataFrame, path: str | Path) -> Path:
    """Write the long format by extension, atomically (benchmark.measure.ratings validates first and
    replaces an existing file only once the new one is complete)."""
    return ratings.write_ratings(df, path)


def _validated(df: pd.DataFrame, source: str) -> pd.DataFrame:
    return ratings.validate_ratings(df, source)


def _criteria_rows(table: dict[str, Any], key: str) -> pd.DataFrame:
    rows = [
        {
            key: name,
            "alpha": e.get("alpha"),
            "ci_low": e.get("ci_low"),
            "ci_high": e.get("ci_high"),
            "n_units": e.get("n_units"),
            "n_raters": e.get("n_raters"),
            "note": e.get("note"),
        }
        for name, e in table.get("criteria", {}).items()
    ]
    return pd.DataFrame(
        rows, columns=[key, "alpha", "ci_low", "ci_high", "n_units", "n_raters", "note"]
    )


def alpha_per_criterion(df: pd.DataFrame, *, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Krippendorff's alpha (nominal) per rubric item, with bootstrap CI."""
    table = agreement.alpha_table(
        _validated(df, "annotation store"), LEVEL, n_boot=n_boot, seed=seed
    )
    return _criteria_rows(table, "criterion")


def alpha_per_dimension(df: pd.DataFrame, *, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Alpha per rubric dimension: each (response, item) pair is a unit of its item's dimension.
    `df` is the long format plus a `dimension` column."""
    pooled = df.assign(unit_id=df["unit_id"] + "#" + df["criterion"], criterion=df["dimension"])
    pooled = pooled.drop(columns=["dimension"])
    table = agreement.alpha_table(
        _validated(pooled, "annotation store (by dimension)"), LEVEL, n_boot=n_boot, seed=seed
    )
    return _criteria_rows(table, "dimension")


def rater_agreement(df: pd.DataFrame) -> pd.DataFrame:
    """Each annotator's alpha against the leave-one-out consensus of the others, over every
    (response, item) they share."""
    pooled = df.assign(unit_id=df["unit_id"] + "#" + df["criterion"], criterion="all")
    per_rater = agreement.rater_consensus(_validated(pooled, "annotation store"), LEVEL)
    rows = [
        {
            "rater_id": r,
            "consensus_alpha": e.get("alpha"),
            "shared_units": e.get("n_units"),
            "note": e.get("note"),
        }
        for r, e in per_rater.items()
    ]
    return pd.DataFrame(rows, columns=["rater_id", "consensus_alpha", "shared_units", "note"])


JUDGE_COLUMNS = (
    "n_units",
    "n_humans",
    "human_alpha",
    "alpha_judge_replaces_human",
    "accuracy",
    "balanced_f1",
    "kappa",
    "alt_test_winning_rate",
    "alt_test_passed",
    "note",
)


def judge_vs_human(
    human: pd.DataFrame, judge: pd.DataFrame, *, n_boot: int = 1000, seed: int = 0
) -> pd.DataFrame:
    """Per judge and rubric item: agreement of the LLM judge with the annotators."""
    doc = calibration.calibrate(
        _validated(human, "annotation store (humans)"),
        _validated(judge, "annotation store (judges)"),
        LEVEL,
        n_boot=n_boot,
        seed=seed,
    )
    rows = [
        {"judge": j, "criterion": c, **{k: e.get(k) for k in JUDGE_COLUMNS}}
        for j, jd in doc.get("judges", {}).items()
        for c, e in jd.get("criteria", {}).items()
    ]
    return pd.DataFrame(rows, columns=["judge", "criterion", *JUDGE_COLUMNS])
