"""Token and dollar accounting from recorded usage and a price table (data/prices.yaml).

`--prices FILE` overrides the shipped table entry by entry: its entries are tried first, and an
entry with the same pattern replaces the shipped one. An entry without cache prices takes them
from the provider's documented ratios (data/cache_price_ratios.yaml)."""

from __future__ import annotations

import fnmatch
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..datafile import load_yaml_data
from ..records.schemas import Usage


class ModelPrice(BaseModel):
    """US dollars per million tokens for the specs matching `pattern` (fnmatch)."""

    model_config = ConfigDict(extra="forbid")
    pattern: str = Field(min_length=1)
    input: float = Field(ge=0)
    output: float = Field(ge=0)
    # None: the provider's documented ratio to `input` (data/cache_price_ratios.yaml).
    cache_write: float | None = Field(default=None, ge=0)
    cache_read: float | None = Field(default=None, ge=0)


class CacheRatio(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pattern: str = Field(min_length=1)
    cache_write: float = Field(ge=0)
    cache_read: float = Field(ge=0)
    source: str = Field(min_length=1)  # where the provider documents it


class CacheRatios(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rules: list[CacheRatio] = Field(min_length=1)

    def find(self, spec: str) -> CacheRatio | None:
        return next((r for r in self.rules if fnmatch.fnmatchcase(spec, r.pattern)), None)


@functools.cache
def cache_ratios() -> CacheRatios:
    return load_yaml_data(
        CacheRatios,
        package="benchmark",
        resource="data/cache_price_ratios.yaml",
        path=None,
        flag="cache ratios",
    )


class PriceTable(BaseModel):
    model_config = ConfigDict(extra="forbid")
    batch_discount: float = Field(default=0.5, gt=0, le=1)
    models: list[ModelPrice] = Field(default_factory=list)

    def find(self, spec: str) -> ModelPrice | None:
        """The first entry matching `spec`, its missing cache prices filled in from the ratios."""
        m = next((m for m in self.models if fnmatch.fnmatchcase(spec, m.pattern)), None)
        if m is None or (m.cache_write is not None and m.cache_read is not None):
            return m
        ratio = cache_ratios().find(spec)
        write, read = (ratio.cache_write, ratio.cache_read) if ratio else (1.0, 1.0)
        return m.model_copy(
            update={
                "cache_write": m.cache_write if m.cache_write is not None else m.input * write,
                "cache_read": m.cache_read if m.cache_read is not None else m.input * read,
            }
        )

    def overridden_by(self, other: PriceTable) -> PriceTable:
        """`other`'s entries first (first match wins), then this table's entries whose pattern
        `other` does not give; `other`'s batch_discount when its file sets one."""
        given = {m.pattern for m in other.models}
        discount = (
            other.batch_discount
            if "batch_discount" in other.model_fields_set
            else self.batch_discount
        )
        return PriceTable(
            batch_discount=discount,
            models=[*other.models, *(m for m in self.models if m.pattern not in given)],
        )


def load_prices(path: str | Path | None = None) -> PriceTable:
    """The shipped list prices, overridden entry by entry by the table at `path` (--prices)."""
    shipped = load_yaml_data(
        PriceTable, package="benchmark", resource="data/prices.yaml", path=None, flag="--prices"
    )
    if path is None:
        return shipped
    own = load_yaml_data(
        PriceTable, package="benchmark", resource="data/prices.yaml", path=path, flag="--prices"
    )
    return shipped.overridden_by(own)


@dataclass(frozen=True)
class CostLine:
    role: str  # "model" or "judge"
    spec: str
    usage: Usage
    dollars: float | None  # None when the spec is not in the price table
    batch: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "spec": self.spec,
            **self.usage.model_dump(),
            "dollars": self.dollars,
            "batch": self.batch,
        }


def price_usage(spec: str, usage: Usage, table: PriceTable, *, batch: bool = False) -> float | None:
    price = table.find(spec)
    if price is None:
        return None
    # Anthropic reports input_tokens excluding cache reads/writes; price each part separately.
    dollars = (
        usage.input_tokens * price.input
        + usage.output_tokens * price.output
        + usage.cache_write_tokens * (price.cache_write or 0.0)
        + usage.cache_read_tokens * (price.cache_read or 0.0)
    ) / 1_000_000
    if batch:
        dollars *= table.batch_discount
    return round(dollars, 6)
