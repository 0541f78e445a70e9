"""`benchmark.load_run(dir)`: a run directory as typed records (manifest, responses, judgments,
scores), and its JSONL files as `datasets.Dataset`s with explicit features, so that several runs
concatenate whatever their first lines hold (docs/FORMATS.md "Loading a run in Python")."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from ..errors import UsageError
from .rundir import RunDir
from .schemas import JudgmentRecord, Manifest, ResponseRecord, Scores

if TYPE_CHECKING:
    import datasets

Table = Literal["responses", "judgments"]
TABLES: tuple[Table, ...] = ("responses", "judgments")


def _features(table: Table) -> datasets.Features:
    """The column types of a table: the on-disk JSON of its records (one JSON type per column)
    plus `run_id`, so rows of several runs stay apart after a concatenation."""
    from datasets import Features, List, Value

    usage = {
        k: Value("int64")
        for k in ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")
    }
    common = {"run_id": Value("string"), "task_id": Value("string"), "sample": Value("int64")}
    if table == "responses":
        message = {"role": Value("string"), "content": Value("string"), "given": Value("bool")}
        return Features(
            {
                **common,
                "model": Value("string"),
                "transcript": List(message),
                "text": Value("string"),
                "usage": usage,
                "error": Value("string"),
                "stop_reason": Value("string"),
            }
        )
    return Features(
        {
            **common,
            "model": Value("string"),
            "item_id": Value("string"),
            "dimension": Value("string"),
            "points": Value("int64"),
            "verdict": Value("bool"),
            "evidence": Value("string"),
            "rationale": Value("string"),
            "judge": Value("string"),
            "error": Value("string"),
            "error_kind": Value("string"),
            "not_applicable": Value("bool"),
            "grounded": Value("bool"),
            "votes": List(Value("bool")),
            "vote_agreement": Value("float64"),
            "usage": usage,
            "response_id": Value("string"),  # written only when recorded: "" here otherwise
        }
    )


def features(table: Table) -> datasets.Features:
    """The explicit `datasets` features of `table` ("responses" or "judgments")."""
    if table not in TABLES:
        raise UsageError(f"table: {table!r} is not one of {', '.join(TABLES)}")
    return _features(table)


@dataclass(frozen=True)
class LoadedRun:
    """One run directory, read and validated through RunDir (benchmark/records/rundir.py)."""

    path: Path
    manifest: Manifest
    responses: list[ResponseRecord]
    judgments: list[JudgmentRecord]
    scores: Scores | None  # None until the run is scored (`musebench score RUN_DIR`)

    def rows(self, table: Table) -> list[dict[str, Any]]:
        """The records of `table` as written on disk, each with the run's id."""
        records: list[Any] = self.responses if table == "responses" else self.judgments
        base = {"run_id": self.manifest.run_id}
        rows = []
        for r in records:
            row = {**base, **json.loads(r.model_dump_json())}
            if table == "judgments":
                row.setdefault("response_id", "")
            rows.append(row)
        return rows

    def dataset(self, table: Table) -> datasets.Dataset:
        """`table` as a `datasets.Dataset` with explicit features (`features(table)`)."""
        from datasets import Dataset

        schema = features(table)
        return Dataset.from_list(self.rows(table), features=schema)


@overload
def load_run(run_dir: str | Path) -> LoadedRun: ...
@overload
def load_run(run_dir: str | Path, *, dataset: Table) -> datasets.Dataset: ...
def load_run(run_dir: str | Path, *, dataset: Table | None = None) -> LoadedRun | datasets.Dataset:
    """The run at `run_dir` as typed records; with `dataset="responses"` or `"judgments"`, that
    file as a `datasets.Dataset` with explicit features instead. A missing or malformed run is a
    RunDirError naming the file, line and field."""
    if dataset is not None and dataset not in TABLES:
        raise UsageError(f"dataset: {dataset!r} is not one of {', '.join(TABLES)}")
    rd = RunDir(run_dir)
    manifest = rd.require()
    run = LoadedRun(
        path=rd.path,
        manifest=manifest,
        responses=rd.responses(),
        judgments=rd.judgments(),
        scores=rd.read_scores() if rd.scores_path.is_file() else None,
    )
    return run if dataset is None else run.dataset(dataset)
