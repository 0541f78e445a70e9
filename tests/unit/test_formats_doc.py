"""docs/FORMATS.md and the models agree: every field of every documented model is in its table,
and every field in a table exists in its model; `musebench schema` prints each format."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import get_args

import pytest
from pydantic import BaseModel

from benchmark.cli import main
from benchmark.engine._batch_log import BatchEntry, BatchLog
from benchmark.engine.formats import FORMATS
from benchmark.measure.cost import ModelPrice, PriceTable
from benchmark.measure.ratings import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from benchmark.records.runspec import JudgeSpec, ModelSpec, PromptFingerprint, RunSpec, SuiteRef
from benchmark.records.schemas import (
    Counts,
    Coverage,
    JudgmentRecord,
    Manifest,
    Message,
    ResponseRecord,
    RunStatus,
    ScoreCI,
    Scores,
    ScoreStatus,
    StopCounts,
    Usage,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "FORMATS.md"
README = Path(__file__).resolve().parents[2] / "README.md"

MODELS: dict[str, type[BaseModel]] = {
    m.__name__: m
    for m in (
        Manifest,
        RunSpec,
        SuiteRef,
        ModelSpec,
        JudgeSpec,
        PromptFingerprint,
        Counts,
        ResponseRecord,
        Message,
        Usage,
        JudgmentRecord,
        Scores,
        ScoreCI,
        Coverage,
        StopCounts,
        BatchLog,
        BatchEntry,
        PriceTable,
        ModelPrice,
    )
}
# Blocks a later stage adds to a model that allows extra fields (Scores: the diversity block).
EXTRAS = {"Scores": {"diversity"}}


def _tables(text: str) -> dict[str, list[str]]:
    """Marker name -> the backticked first-column names of the table after the marker."""
    out: dict[str, list[str]] = {}
    for m in re.finditer(
        r"<!-- (?:model|columns): (\w+) -->\n(.*?)(?=\n<!--|\n## |\Z)", text, re.S
    ):
        rows = [ln for ln in m.group(2).splitlines() if ln.startswith("| `")]
        out[m.group(1)] = [re.match(r"\| `([^`]+)`", ln).group(1) for ln in rows]  # type: ignore[union-attr]
    return out


def test_every_model_field_is_documented_and_nothing_else() -> None:
    tables = _tables(DOC.read_text(encoding="utf-8"))
    for name, model in MODELS.items():
        assert name in tables, f"docs/FORMATS.md has no table for {name}"
        documented = tables[name]
        assert len(documented) == len(set(documented)), f"{name}: a field documented twice"
        expected = set(model.model_fields) | EXTRAS.get(name, set())
        assert set(documented) == expected, f"{name}: doc and model differ"
    assert set(tables) == set(MODELS) | {"ratings"}


def test_ratings_columns_match_the_reader() -> None:
    assert _tables(DOC.read_text(encoding="utf-8"))["ratings"] == [
        *REQUIRED_COLUMNS,
        *OPTIONAL_COLUMNS,
    ]


def test_every_format_has_a_schema_and_a_row_in_the_doc(capsys: pytest.CaptureFixture[str]) -> None:
    doc = DOC.read_text(encoding="utf-8")
    for name, fmt in FORMATS.items():
        assert f"| `{name}` |" in doc
        assert main(["schema", name]) == 0
        schema = json.loads(capsys.readouterr().out)
        assert set(schema["properties"]) == set(fmt.model.model_fields)
    # A written file's schema says what is on disk: "" for no error, not null.
    assert main(["schema", "responses"]) == 0
    error = json.loads(capsys.readouterr().out)["properties"]["error"]
    assert error["type"] == "string"
    assert main(["schema", "nope"]) == 2
    assert "unknown format 'nope'" in capsys.readouterr().err


def test_docs_link_only_files_in_the_repository() -> None:
    root = DOC.parents[1]
    for path in [README, *sorted((root / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        assert "../shared" not in text.replace("../shared/data", ""), path
        assert "DESIGN.md" not in text, path
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
            assert (path.parent / target).exists(), f"{path.name} links {target}, not in the repo"


def _status_rows(text: str) -> list[list[str]]:
    """The values each `status` row of a doc's tables lists, in order."""
    rows = [line.split("|")[2] for line in text.splitlines() if line.startswith("| `status` |")]
    return [re.findall(r"`([a-z]+)`", row) for row in rows]


def test_status_rows_list_every_status() -> None:
    run, scored = list(get_args(RunStatus)), list(get_args(ScoreStatus))
    # manifest.json, then scores.json (then batches.json, with statuses of its own)
    assert _status_rows(DOC.read_text())[:2] == [run, scored]
    engine = DOC.parent / "ENGINE.md"
    assert _status_rows(engine.read_text()) == [run]
