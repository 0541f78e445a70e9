"""Reading diversity input: a run directory, a responses.jsonl, or a CSV / Parquet / JSONL
table with prompt_id, model and text columns (a responses.jsonl's task_id serves as prompt_id).

Rows whose `error` field is set are failed generations: they are skipped and counted, never
silently. Any other problem is a one-line DiversityInputError naming the file, the column and
the row (1-based data row; for JSONL the line number)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ...errors import UsageError

Record = tuple[str, str, str]  # (prompt_id, model, text)
Cells = list[tuple[int, Any]]  # (row number for messages, value)

RESPONSES_FILE = "responses.jsonl"
PROMPT_ALIASES = ("prompt_id", "task_id")
TABLE_SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl"}


class DiversityInputError(UsageError):
    """Diversity input with a missing file, wrong columns, mixed value types or no rows."""


@dataclass(frozen=True)
class Columns:
    """Column names; `prompt` None means prompt_id, or task_id when only that is present."""

    prompt: str | None = None
    model: str = "model"
    text: str = "text"


@dataclass
class LoadedRecords:
    source: str
    records: list[Record]
    skipped_errors: int = 0
    notes: list[str] = field(default_factory=list)


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _labels(src: str, name: str, cells: Cells, row_word: str) -> list[str]:
    """A prompt or model column: all strings or all integers, read as labels."""
    first_of_kind: dict[str, int] = {}
    for row, v in cells:
        if _missing(v):
            raise DiversityInputError(f"{src}: column {name!r}, {row_word} {row}: missing value")
        if isinstance(v, bool) or not isinstance(v, str | int):
            raise DiversityInputError(
                f"{src}: column {name!r}, {row_word} {row}: expected a string or an integer, "
                f"got {type(v).__name__}"
            )
        first_of_kind.setdefault(type(v).__name__, row)
        if len(first_of_kind) > 1:
            (k1, r1), (k2, r2) = first_of_kind.items()
            raise DiversityInputError(
                f"{src}: column {name!r} mixes value types ({k1} at {row_word} {r1}, "
                f"{k2} at {row_word} {r2})"
            )
    return [str(v) for _, v in cells]


def _texts(src: str, name: str, cells: Cells, row_word: str) -> list[str]:
    for row, v in cells:
        if not isinstance(v, str):
            what = "missing value" if _missing(v) else f"expected text, got {type(v).__name__}"
            raise DiversityInputError(f"{src}: column {name!r}, {row_word} {row}: {what}")
    return [v for _, v in cells]


def _samples(src: str, cells: Cells, row_word: str) -> list[int]:
    for row, v in cells:
        if isinstance(v, bool) or not isinstance(v, int):
            raise DiversityInputError(
                f"{src}: column 'sample', {row_word} {row}: expected an integer, got {type(v).__name__}"
            )
    return [v for _, v in cells]


def records_from_table(
    src: str,
    columns: Iterable[str],
    get: Callable[[str], list[Any]],
    rows: list[int],
    cols: Columns = Columns(),
    row_word: str = "row",
) -> LoadedRecords:
    """Validated records from column-wise data: `get(name)` returns a column's values and
    `rows` the number to show in messages for each of its positions."""
    available = list(columns)
    if not rows:
        raise DiversityInputError(f"{src}: no rows")
    prompt_col = cols.prompt or next((a for a in PROMPT_ALIASES if a in available), "prompt_id")
    for name in (prompt_col, cols.model, cols.text):
        if name not in available:
            found = ", ".join(map(str, available)) or "none"
            raise DiversityInputError(f"{src}: missing column {name!r} (found: {found})")
    keep = list(range(len(rows)))
    if "error" in available:
        errors = get("error")
        keep = [i for i in keep if _missing(errors[i]) or errors[i] == ""]
    skipped = len(rows) - len(keep)
    if not keep:
        raise DiversityInputError(f"{src}: all {len(rows)} rows have an error; nothing to measure")

    def cells(name: str) -> Cells:
        values = get(name)
        return [(rows[i], values[i]) for i in keep]

    prompts = _labels(src, prompt_col, cells(prompt_col), row_word)
    models = _labels(src, cols.model, cells(cols.model), row_word)
    texts = _texts(src, cols.text, cells(cols.text), row_word)
    order = list(range(len(keep)))
    if "sample" in available:
        samples = _samples(src, cells("sample"), row_word)
        order.sort(key=lambda j: samples[j])  # stable: input order breaks ties
    records = [(prompts[j], models[j], texts[j]) for j in order]
    notes = [f"skipped {skipped} row(s) whose generation failed (error set)"] if skipped else []
    return LoadedRecords(src, records, skipped, notes)


def _native(v: Any) -> Any:
    """numpy / pandas scalars as plain Python values, so type checks see int, str, float."""
    if hasattr(v, "item") and not isinstance(v, str | bytes):
        return v.item()
    return v


def records_from_frame(
    df: pd.DataFrame, src: str = "<DataFrame>", cols: Columns = Columns()
) -> LoadedRecords:
    columns = [str(c) for c in df.columns]
    if len(set(columns)) != len(columns):
        raise DiversityInputError(f"{src}: duplicate column names")
    frame = df.copy()
    frame.columns = pd.Index(columns)

    def get(name: str) -> list[Any]:
        return [_native(v) for v in frame[name].tolist()]

    return records_from_table(src, columns, get, list(range(1, len(frame) + 1)), cols, "row")


def _read_jsonl(path: Path, cols: Columns) -> LoadedRecords:
    rows: list[int] = []
    objects: list[dict[str, Any]] = []
    keys: dict[str, None] = {}
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as err:
                raise DiversityInputError(
                    f"{path}: line {lineno}: not valid JSON ({err.msg})"
                ) from None
            if not isinstance(obj, dict):
                raise DiversityInputError(f"{path}: line {lineno}: expected a JSON object")
            rows.append(lineno)
            objects.append(obj)
            keys.update(dict.fromkeys(obj))
    if not objects:
        raise DiversityInputError(f"{path}: no rows")

    def get(name: str) -> list[Any]:
        return [obj.get(name) for obj in objects]

    return records_from_table(str(path), keys, get, rows, cols, "line")


def load_records(path: str | Path, cols: Columns = Columns()) -> LoadedRecords:
    """Records from a run directory, a responses.jsonl, or a CSV / Parquet / JSONL table."""
    p = Path(path)
    if p.is_dir():
        responses = p / RESPONSES_FILE
        if not responses.is_file():
            raise DiversityInputError(f"{p}: not a run directory (no {RESPONSES_FILE} in it)")
        return _read_jsonl(responses, cols)
    if not p.is_file():
        raise DiversityInputError(f"{p}: no such file or directory")
    kind = TABLE_SUFFIXES.get(p.suffix.lower())
    if kind is None:
        raise DiversityInputError(
            f"{p}: unsupported input (expected a run directory, .jsonl, .csv or .parquet)"
        )
    if kind == "jsonl":
        return _read_jsonl(p, cols)
    try:
        df = pd.read_csv(p) if kind == "csv" else pd.read_parquet(p)
    except pd.errors.EmptyDataError:
        raise DiversityInputError(f"{p}: no rows (the file is empty)") from None
    except (ValueError, OSError, pd.errors.ParserError) as err:
        raise DiversityInputError(
            f"{p}: cannot read as {kind} ({str(err).splitlines()[0]})"
        ) from None
    return records_from_frame(df, str(p), cols)
