"""The thresholds of leaderboard verification, as data: leaderboard/data/verification.yaml
(why each value: docs/LEADERBOARD.md "Verification")."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from benchmark.datafile import load_yaml_data
from benchmark.records.rundir import JUDGMENTS, MANIFEST, RESPONSES, SCORES

BUNDLE_FILES = (MANIFEST, RESPONSES, JUDGMENTS, SCORES)
# A pairwise bundle (docs/LEADERBOARD.md "Pairwise bundles"); bias_card.json is optional.
PAIRWISE_FILES = ("pairwise.json", "comparisons.jsonl", "ratings.json", "bias_card.json")


class VerificationRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    min_samples: int = Field(ge=1)  # samples per task of a ranked entry
    copy_share: float = Field(ge=0.0, le=1.0)  # duplicated responses above this: a copy
    max_chars_per_token: int = Field(ge=1)  # usage plausibility
    max_file_mib: dict[str, float]  # per bundle file, checked before parsing
    max_line_mib: float = Field(gt=0)  # one JSONL line
    stream_above_mib: float = Field(ge=0)  # responses.jsonl above this: streamed, not held
    refused_providers: list[str]  # model or judge providers never admitted (test fakes)
    refused_params: list[str] = []  # spec.model.params fields a ranked model may not set
    max_pairwise_file_mib: dict[str, float]  # per pairwise bundle file, checked before parsing

    @field_validator("max_file_mib")
    @classmethod
    def _every_file(cls, limits: dict[str, float]) -> dict[str, float]:
        if set(limits) != set(BUNDLE_FILES) or min(limits.values()) <= 0:
            raise ValueError(f"a positive limit for each of {', '.join(BUNDLE_FILES)}")
        return limits

    @field_validator("max_pairwise_file_mib")
    @classmethod
    def _every_pairwise_file(cls, limits: dict[str, float]) -> dict[str, float]:
        if set(limits) != set(PAIRWISE_FILES) or min(limits.values()) <= 0:
            raise ValueError(f"a positive limit for each of {', '.join(PAIRWISE_FILES)}")
        return limits


def load_rules(path: str | Path | None = None) -> VerificationRules:
    """The rules in `path`, or the packaged leaderboard/data/verification.yaml."""
    return load_yaml_data(
        VerificationRules,
        package="leaderboard",
        resource="data/verification.yaml",
        path=path,
        flag="verification rules",
    )


@cache
def packaged_rules() -> VerificationRules:
    return load_rules(None)
