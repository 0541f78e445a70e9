"""The board's rows as typed records: one `BoardRow` per accepted run (leaderboard.parquet) and
one `TaskRow` per run and task (tasks.parquet).

Fields are named, so a misspelt one is a type error rather than a silently missing column. A
row's parquet columns are its fields in order, with the groups whose names depend on the suite
(a score with its CI per category and dimension, diversity metrics, calibration and PPI per
dimension) spread into `<group>_<name>[_ci_low|_ci_high|...]` columns. The re-judging and
pairwise columns are kept as their own modules give them (rejudge_report.rejudge_columns,
pairwise_board.pairwise_columns)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Protocol

NO_LABELS = "no human labels"


class _ScoreBlock(Protocol):
    score: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class Interval:
    """A score with its 95% CI (all None when the run has no score there)."""

    score: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None

    @classmethod
    def of(cls, block: _ScoreBlock | None) -> Interval:
        return cls() if block is None else cls(block.score, block.ci_low, block.ci_high)

    @classmethod
    def read(cls, cols: Mapping[str, Any], prefix: str) -> Interval:
        return cls(*(_value(cols, f"{prefix}{end}") for end in ("", "_ci_low", "_ci_high")))

    def columns(self, prefix: str) -> dict[str, Any]:
        return {
            prefix: self.score,
            f"{prefix}_ci_low": self.ci_low,
            f"{prefix}_ci_high": self.ci_high,
        }


@dataclass(frozen=True)
class Calibration:
    """The judge's calibration against human labels on one dimension."""

    status: str = NO_LABELS
    winning_rate: float | None = None
    balanced_f1: float | None = None

    def columns(self, prefix: str) -> dict[str, Any]:
        return {
            prefix: self.status,
            f"{prefix}_winning_rate": self.winning_rate,
            f"{prefix}_balanced_f1": self.balanced_f1,
        }


@dataclass(frozen=True)
class PPIEstimate:
    """A prediction-powered score (human labels correcting the judge) with its CI."""

    score: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    n: int | None = None  # responses with human labels

    def columns(self, prefix: str) -> dict[str, Any]:
        return {
            prefix: self.score,
            f"{prefix}_ci_low": self.ci_low,
            f"{prefix}_ci_high": self.ci_high,
            f"{prefix}_n": self.n,
        }


@dataclass(frozen=True)
class BoardRow:
    run_key: str
    run_id: str
    model: str
    label: str
    provider: str
    weights: str
    size_b: float | None
    judge: str
    judge_params: str  # sorted-key JSON
    suite_version: str
    suite_hash: str  # its first 12 hex digits
    created_at: str
    samples: int
    n_tasks: int
    suite_tasks: int
    coverage: float
    status: str
    cost_usd: float | None
    source: str
    ranked: bool
    unranked_reason: str  # "" when ranked
    rejudge: Mapping[str, Any]  # rejudge_report.rejudge_columns, or none
    overall: Interval
    rank_score: Interval
    categories: Mapping[str, Interval]  # in the board's category order
    dimensions: Mapping[str, Interval]
    diversity: Mapping[str, float | None]  # metrics.DIVERSITY_KEYS
    calibration: Mapping[str, Calibration]  # per dimension
    ppi: Mapping[str, PPIEstimate]  # "overall", then per dimension
    rank: int | None  # None: not ranked
    n_better: int | None
    pairwise: Mapping[str, Any]  # pairwise_board.pairwise_columns

    @classmethod
    def read(
        cls, cols: Mapping[str, Any], categories: Sequence[str], dimensions: Sequence[str]
    ) -> BoardRow:
        """A row back from its columns (a board read with pandas: NaN and NA as None; groups
        an older board lacks come back empty or as their defaults)."""
        plain = {
            f.name: _value(cols, f.name)
            for f in fields(cls)
            if f.name not in (*_GROUPS, *_FLAT, *_INTERVALS)
        }
        cal = {
            d: Calibration(
                _value(cols, f"cal_{d}") or NO_LABELS,
                _value(cols, f"cal_{d}_winning_rate"),
                _value(cols, f"cal_{d}_balanced_f1"),
            )
            for d in dimensions
        }
        ppi = {
            s: PPIEstimate(
                *(_value(cols, f"ppi_{s}{e}") for e in ("", "_ci_low", "_ci_high", "_n"))
            )
            for s in ["overall", *dimensions]
        }
        return cls(
            **plain,
            rejudge=_prefixed(cols, "rejudge"),
            overall=Interval.read(cols, "overall"),
            rank_score=Interval.read(cols, "rank_score"),
            categories={c: Interval.read(cols, f"cat_{c}") for c in categories},
            dimensions={d: Interval.read(cols, f"dim_{d}") for d in dimensions},
            diversity={k.removeprefix("div_"): v for k, v in _prefixed(cols, "div_").items()},
            calibration=cal,
            ppi=ppi,
            pairwise=_prefixed(cols, "pw_"),
        )

    def columns(self) -> dict[str, Any]:
        """The row as leaderboard.parquet's columns, in the board's column order."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _GROUPS:
                for name, part in value.items():
                    out.update(part.columns(f"{_GROUPS[f.name]}{name}"))
            elif f.name in _FLAT:
                out.update({f"{_FLAT[f.name]}{k}": v for k, v in value.items()})
            elif isinstance(value, Interval):
                out.update(value.columns(f.name))
            else:
                out[f.name] = value
        return out


def _value(cols: Mapping[str, Any], name: str) -> Any:
    """A cell as a plain value: None for a missing column, NaN or NA."""
    value = cols.get(name)
    try:
        missing = value is None or bool(value != value)  # NaN is the one value unequal to itself
    except TypeError:  # pd.NA: its comparisons are NA too
        missing = True
    return None if missing else value


def _prefixed(cols: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    return {k: _value(cols, k) for k in cols if k.startswith(prefix)}


# Groups spread into one set of columns per name: field -> column prefix.
_GROUPS = {"categories": "cat_", "dimensions": "dim_", "calibration": "cal_", "ppi": "ppi_"}
# Groups whose keys are already column names (after a prefix).
_FLAT = {"rejudge": "", "diversity": "div_", "pairwise": ""}
_INTERVALS = ("overall", "rank_score")


@dataclass(frozen=True)
class TaskRow:
    """One run's score on one task (the model page)."""

    run_key: str
    task_id: str
    category: str
    title: str
    score: float | None
    rank_score: float | None  # missing verdicts counted against the run
    n: int | None


TASK_COLUMNS = [f.name for f in fields(TaskRow)]


def board_columns(rows: Sequence[BoardRow]) -> list[dict[str, Any]]:
    return [r.columns() for r in rows]


def task_columns(rows: Sequence[TaskRow]) -> list[dict[str, Any]]:
    # The fields by name, not dataclasses.asdict: its deep copy of every value (strings and
    # numbers, returned as they are) cost more than the board's other columns together.
    return [{name: getattr(r, name) for name in TASK_COLUMNS} for r in rows]
