"""The ratings long format (DESIGN.md): one row per (unit, criterion, rater) with a value.

Humans (the annotation app's export) and judges (a run's judgments) share it, so agreement and
calibration read one format. Files are CSV, JSONL or Parquet, chosen by extension. Columns:
`unit_id`, `criterion`, `rater_id`, `value`; optional `rater_type` (human | judge) and `system`
(the model that produced the unit).

Values are typed per criterion: a criterion holds numbers (booleans and "true"/"false" count as
1/0) or text, never both. Rows whose value is empty mean "not rated" (e.g. a null verdict) and are
dropped; their count is kept in `df.attrs["n_empty_values"]`. A judge file may repeat a
(unit, criterion, rater) triple: those rows are K samples of the same judge.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import RatingsError

REQUIRED_COLUMNS = ("unit_id", "criterion", "rater_id", "value")
OPTIONAL_COLUMNS = ("rater_type", "system", "comment", "flags")
RATER_TYPES = ("human", "judge")
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".parquet": "parquet"}

_TRUE = {"true": 1.0, "false": 0.0}


def _format_of(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise RatingsError(
            f"{path}: unknown ratings format {path.suffix or '(no extension)'!r}; "
            f"use one of {', '.join(FORMATS)}"
        )
    return fmt


def _read_jsonl(path: Path) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                raise RatingsError(f"{path}:{lineno}: not valid JSON ({err.msg})") from None
            if not isinstance(row, dict):
                raise RatingsError(f"{path}:{lineno}: each line must be a JSON object")
            rows.append(row)
    return pd.DataFrame(rows)


def _read_raw(path: Path, fmt: str) -> pd.DataFrame:
    if not path.is_file():
        raise RatingsError(f"{path}: no such ratings file")
    if path.stat().st_size == 0:
        raise RatingsError(f"{path}: empty file (no ratings)")
    try:
        if fmt == "csv":
            # Read as text so ids keep leading zeros and value typing is decided per criterion.
            return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        if fmt == "jsonl":
            return _read_jsonl(path)
        return pd.read_parquet(path)
    except RatingsError:
        raise
    except (ValueError, OSError, UnicodeDecodeError) as err:
        raise RatingsError(f"{path}: cannot read as {fmt}: {err}") from None


def _is_missing(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | dict | tuple):
        return False
    return bool(pd.isna(value))


def _classify(value: Any) -> tuple[str, float | str]:
    """(kind, normalised value) with kind in bool | number | text."""
    if isinstance(value, bool):
        return "bool", float(value)
    if isinstance(value, int | float):
        return "number", float(value)
    if hasattr(value, "item"):  # numpy / pyarrow scalars from Parquet
        return _classify(value.item())
    text = str(value).strip()
    if text.lower() in _TRUE:
        return "bool", _TRUE[text.lower()]
    try:
        number = float(text)
    except ValueError:
        return "text", text
    if math.isnan(number) or math.isinf(number):
        return "text", text
    return "number", number


def _typed_values(df: pd.DataFrame, source: str) -> pd.Series:
    """Normalise `value` per criterion; raise on a criterion that mixes numbers and text."""
    out = pd.Series(index=df.index, dtype=object)
    any_text = False
    for criterion, idx in df.groupby("criterion", sort=False).groups.items():
        classified = [_classify(v) for v in df.loc[idx, "value"]]
        kinds = {k for k, _ in classified}
        if "text" in kinds and len(kinds) > 1:
            text_ex = next(v for k, v in classified if k == "text")
            num_ex = next(v for k, v in classified if k != "text")
            raise RatingsError(
                f"{source}: column 'value': criterion {criterion!r} mixes numbers and text "
                f"(e.g. {num_ex:g} and {text_ex!r})"
            )
        if kinds == {"bool", "number"}:
            odd = [v for k, v in classified if k == "number" and v not in (0.0, 1.0)]
            if odd:
                raise RatingsError(
                    f"{source}: column 'value': criterion {criterion!r} mixes booleans and "
                    f"numbers (e.g. {odd[0]:g})"
                )
        any_text = any_text or kinds == {"text"}
        out.loc[idx] = [v for _, v in classified]
    return out if any_text else out.astype(float)


def validate_ratings(df: pd.DataFrame, source: str = "ratings") -> pd.DataFrame:
    """Check and normalise a long-format frame; `source` names it in errors (usually the path).

    Returns a new frame: id columns as str, `value` typed per criterion, empty values dropped.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        have = ", ".join(map(str, df.columns)) or "none"
        raise RatingsError(
            f"{source}: missing column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(c) for c in missing)} (found: {have})"
        )
    if df.empty:
        raise RatingsError(f"{source}: no rows")
    keep = [c for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if c in df.columns]
    out = df[keep].copy()
    for col in ("unit_id", "criterion", "rater_id"):
        blank = out[col].map(_is_missing)
        if blank.any():
            row = int(blank.to_numpy().argmax())
            raise RatingsError(f"{source}: column {col!r}: empty in data row {row + 1}")
        out[col] = out[col].map(lambda v: str(v.item() if hasattr(v, "item") else v).strip())
    if "rater_type" in out.columns:
        bad = out["rater_type"].map(lambda v: not _is_missing(v) and v not in RATER_TYPES)
        if bad.any():
            example = out.loc[bad, "rater_type"].iloc[0]
            raise RatingsError(
                f"{source}: column 'rater_type': {example!r} is not one of {', '.join(RATER_TYPES)}"
            )
    empty = out["value"].map(_is_missing)
    n_empty = int(empty.sum())
    out = out.loc[~empty].reset_index(drop=True)
    if out.empty:
        raise RatingsError(f"{source}: column 'value': every value is empty")
    out["value"] = _typed_values(out, source)
    out.attrs["source"] = source
    out.attrs["n_empty_values"] = n_empty
    return out


def load_ratings(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read and validate a ratings file (CSV, JSONL or Parquet by extension).

    Raises `RatingsError` (a `UsageError`) naming the file and column on bad input.
    """
    p = Path(path)
    raw = _read_raw(p, _format_of(p))
    return validate_ratings(raw, str(p))


def _json_value(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def write_ratings(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write a long-format frame to CSV, JSONL or Parquet (by extension), atomically.

    The frame is validated first, so a bad frame raises before anything is written, and an
    existing file is only replaced once the new one is complete.
    """
    p = Path(path)
    fmt = _format_of(p)
    clean = validate_ratings(df, f"{p} (frame to write)")
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{p.name}.", dir=p.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            if fmt == "csv":
                clean.to_csv(fh, index=False)
            elif fmt == "jsonl":
                for row in clean.to_dict(orient="records"):
                    fh.write(json.dumps({k: _json_value(v) for k, v in row.items()}) + "\n")
        if fmt == "parquet":
            # Parquet needs one type per column; mixed numeric/text criteria are stored as text
            # and re-typed per criterion on load.
            if clean["value"].dtype == object:
                clean = clean.assign(value=clean["value"].map(str))
            clean.to_parquet(tmp, index=False)
        os.replace(tmp, p)
    finally:
        if tmp.exists():
            tmp.unlink()
    return p
