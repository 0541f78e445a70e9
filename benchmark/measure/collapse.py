"""Mode collapse of one run, read off the diversity measures the board already holds: the rules
(measure, threshold, what crossing it means) are data, benchmark/data/mode_collapse.yaml,
with the reasons for each value in docs/LEADERBOARD.md."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from benchmark.datafile import load_yaml_data

Measure = Literal[
    "mean_pairwise_similarity", "distinct_k_ratio", "cross_prompt_similarity", "compression_ratio"
]


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1)
    measure: Measure
    at_least: float | None = None
    at_most: float | None = None
    means: str = Field(min_length=1)

    @model_validator(mode="after")
    def _one_bound(self) -> Rule:
        if (self.at_least is None) == (self.at_most is None):
            raise ValueError("give exactly one of at_least, at_most")
        return self

    def holds(self, value: float) -> bool:
        if self.at_least is not None:
            return value >= self.at_least
        return value <= float(self.at_most)  # type: ignore[arg-type]

    @property
    def bound(self) -> str:
        return f"≥ {self.at_least}" if self.at_least is not None else f"≤ {self.at_most}"


class Rules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    rules: list[Rule] = Field(min_length=1)


@dataclass(frozen=True)
class Finding:
    rule: Rule
    value: float

    def __str__(self) -> str:
        return f"{self.rule.name}: {self.rule.measure} = {self.value:.3g} ({self.rule.bound})"


@cache
def load_packaged_rules() -> Rules:
    return load_rules(None)


def load_rules(path: str | Path | None = None) -> Rules:
    """The rules in `path`, or the packaged benchmark/data/mode_collapse.yaml."""
    return load_yaml_data(
        Rules,
        package="benchmark",
        resource="data/mode_collapse.yaml",
        path=path,
        flag="mode collapse rules",
    )


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def run_measures(row: Mapping[str, Any]) -> dict[str, float | None]:
    """The measures the rules read, from a board row. distinct_k is the mean number of distinct
    samples per task; divided by the samples per task it is comparable across runs."""
    distinct_k, samples = _number(row.get("div_distinct_k")), _number(row.get("samples"))
    return {
        "mean_pairwise_similarity": _number(row.get("div_mean_pairwise_similarity")),
        "distinct_k_ratio": (
            distinct_k / samples if distinct_k is not None and samples and samples >= 2 else None
        ),
        "cross_prompt_similarity": _number(row.get("div_cross_prompt_similarity")),
        "compression_ratio": _number(row.get("div_compression_ratio")),
    }


def collapse_findings(row: Mapping[str, Any], rules: Rules | None = None) -> list[Finding]:
    """The rules a run's measures cross, in the rules' order (empty: no sign of collapse, or
    nothing measured)."""
    measures = run_measures(row)
    found = []
    for rule in (rules or load_packaged_rules()).rules:
        value = measures[rule.measure]
        if value is not None and rule.holds(value):
            found.append(Finding(rule, value))
    return found
