"""Model metadata for the board (provider, open/closed weights, size, a visible label) from a
YAML data file: leaderboard/data/models.yaml by default. Unknown models stay unknown."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from benchmark.datafile import load_yaml_data

UNKNOWN = "unknown"


class ModelMeta(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    pattern: str = Field(min_length=1)
    provider: str | None = None
    weights: Literal["open", "closed"] | None = None
    size_b: float | None = Field(default=None, gt=0)
    label: str | None = None


@dataclass(frozen=True)
class ModelDescription:
    """What the table says of one spec ("unknown" / None / "" where it does not know)."""

    provider: str
    weights: str
    size_b: float | None
    label: str


class ModelTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    models: list[ModelMeta]

    def find(self, spec: str) -> ModelMeta | None:
        low = spec.lower()
        return next((m for m in self.models if fnmatch.fnmatchcase(low, m.pattern.lower())), None)

    def describe(self, spec: str) -> ModelDescription:
        """provider, weights, size_b, label for a spec ("unknown" / None where not known)."""
        m = self.find(spec)
        return ModelDescription(
            provider=m.provider if m and m.provider else UNKNOWN,
            weights=m.weights if m and m.weights else UNKNOWN,
            size_b=m.size_b if m else None,
            label=m.label if m and m.label else "",
        )


def load_model_table(path: str | Path | None = None) -> ModelTable:
    return load_yaml_data(
        ModelTable, package="leaderboard", resource="data/models.yaml", path=path, flag="--models"
    )
