"""The thresholds of spot re-judging, as data: leaderboard/data/rejudge.yaml (why each value:
docs/LEADERBOARD.md "Spot re-judging")."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from benchmark.datafile import load_yaml_data
from benchmark.engine.retry import RetryPolicy


class RejudgeRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    n: int = Field(ge=1)  # LLM verdicts re-judged per bundle by default
    margin: float = Field(ge=0.0)  # points of overall score a bundle may claim too many
    alpha: float = Field(gt=0.0, lt=0.5)  # one-sided level of the test against the margin


@cache
def packaged_rejudge_rules() -> RejudgeRules:
    """The packaged leaderboard/data/rejudge.yaml."""
    return load_yaml_data(
        RejudgeRules,
        package="leaderboard",
        resource="data/rejudge.yaml",
        path=None,
        flag="re-judging rules",
    )


@dataclass(frozen=True)
class RejudgeConfig:
    """What `--rejudge` asks for, validated before any call (see `rejudge_config`)."""

    judges: tuple[str, ...]
    n: int
    key: bytes = field(repr=False)  # the maintainer's sampling key
    cache: Path | None  # the engine's response cache file; None: nothing kept
    rules: RejudgeRules
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    key_note: str | None = None  # said on the board when the key is not kept
