"""Read HANNA (Chhun et al., COLING 2022 / TACL 2024) into the ratings long format at run time.

HANNA ships one row per story-generating system in `hanna_metric_scores_llm.csv`; each cell is a
list of 96 per-story values. Human raters sit in columns `Human {1,2,3} {RE..CX}` (slot order
within a story is arbitrary: worker ids were not released, so slot k is not one person) and LLM
judges in `<judge> <RE..CX> <1..4>` (four columns per judge and criterion, called repetitions in
shared/README.md; their values are already averages, as the thirds show, and about 1% fall
outside the 1-5 scale: they are kept as published).

Units are `<system>/<story index>`; criteria are the full names (Relevance, ...). The data is
read from a path (../shared/data in the team checkout), never copied into the project.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pandas as pd

from ..errors import RatingsError
from .ratings import validate_ratings

CRITERIA = {
    "RE": "Relevance",
    "CH": "Coherence",
    "EM": "Empathy",
    "SU": "Surprise",
    "EG": "Engagement",
    "CX": "Complexity",
}
JUDGES = ("Beluga-13B", "OrcaPlatypus", "Mistral-7B", "Llama-13B", "ChatGPT")
SCORES_FILE = "hanna_metric_scores_llm.csv"


def _table(path: str | os.PathLike[str]) -> pd.DataFrame:
    p = Path(path)
    if p.is_dir():
        p = p / SCORES_FILE
    if not p.is_file():
        raise RatingsError(f"{p}: HANNA scores file not found")
    return pd.read_csv(p)


def _cells(table: pd.DataFrame, column: str, source: str) -> list[tuple[str, str, float]]:
    if column not in table.columns:
        raise RatingsError(f"{source}: missing column {column!r}")
    rows: list[tuple[str, str, float]] = []
    for system, cell in zip(table["Model"], table[column], strict=True):
        values = ast.literal_eval(cell) if isinstance(cell, str) else cell
        rows.extend((f"{system}/{i}", str(system), float(v)) for i, v in enumerate(values))
    return rows


def _long(records: list[dict[str, object]], source: str) -> pd.DataFrame:
    return validate_ratings(pd.DataFrame.from_records(records), source)


def hanna_human_ratings(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The 3 x 6 x 1,056 human ratings as a long frame (rater ids `human1..3` are slots)."""
    table = _table(path)
    records: list[dict[str, object]] = []
    for code, name in CRITERIA.items():
        for k in (1, 2, 3):
            for unit, system, value in _cells(table, f"Human {k} {code}", str(path)):
                records.append(
                    {
                        "unit_id": unit,
                        "criterion": name,
                        "rater_id": f"human{k}",
                        "value": value,
                        "rater_type": "human",
                        "system": system,
                    }
                )
    return _long(records, f"{path} (humans)")


def hanna_judge_ratings(
    path: str | os.PathLike[str],
    judges: tuple[str, ...] = JUDGES,
    reps: tuple[int, ...] = (1, 2, 3, 4),
) -> pd.DataFrame:
    """LLM judges' ratings as a long frame, one row per rep (K = len(reps) samples per unit)."""
    table = _table(path)
    records: list[dict[str, object]] = []
    for judge in judges:
        for code, name in CRITERIA.items():
            for rep in reps:
                for unit, system, value in _cells(table, f"{judge} {code} {rep}", str(path)):
                    records.append(
                        {
                            "unit_id": unit,
                            "criterion": name,
                            "rater_id": judge,
                            "value": value,
                            "rater_type": "judge",
                            "system": system,
                        }
                    )
    return _long(records, f"{path} (judges)")


def binarize(df: pd.DataFrame, threshold: float, suffix: str | None = None) -> pd.DataFrame:
    """value >= threshold -> 1 else 0, criteria renamed `<criterion><suffix>` (default
    `>=<threshold>`): a met / not-met view of a Likert criterion."""
    tag = suffix if suffix is not None else f">={threshold:g}"
    out = df.assign(
        value=(df["value"].astype(float) >= threshold).astype(float),
        criterion=df["criterion"] + tag,
    )
    out.attrs = dict(df.attrs)
    return out
