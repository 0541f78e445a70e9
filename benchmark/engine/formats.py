"""The file formats musebench reads and writes, by name: the pydantic model behind each and its
JSON Schema (`musebench schema NAME`). docs/FORMATS.md documents them field by field; a test
keeps the two in step."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from ..errors import UsageError
from ..measure.cost import PriceTable
from ..records.schemas import Dimension, JudgmentRecord, Manifest, ResponseRecord, Scores, Task
from ._batch_log import BatchLog
from .pairwise.records import BiasCard, ComparisonRecord, PairwiseManifest, RatingsFile


@dataclass(frozen=True)
class FileFormat:
    name: str
    model: type[BaseModel]
    files: str  # where the format lives
    # Files musebench writes are described as written (serialization); inputs as accepted.
    mode: Literal["serialization", "validation"]


FORMATS: dict[str, FileFormat] = {
    f.name: f
    for f in (
        FileFormat("manifest", Manifest, "RUN_DIR/manifest.json", "serialization"),
        FileFormat("responses", ResponseRecord, "RUN_DIR/responses.jsonl", "serialization"),
        FileFormat(
            "replay", ResponseRecord, "the file of --model replay/FILE (responses)", "validation"
        ),
        FileFormat("judgments", JudgmentRecord, "RUN_DIR/judgments.jsonl", "serialization"),
        FileFormat("scores", Scores, "RUN_DIR/scores.json", "serialization"),
        FileFormat("batches", BatchLog, "RUN_DIR/batches.json", "serialization"),
        FileFormat("prices", PriceTable, "benchmark/data/prices.yaml, --prices FILE", "validation"),
        FileFormat("task", Task, "tasks/<category>/<id>.yaml", "validation"),
        FileFormat("dimension", Dimension, "rubrics/<dimension>.yaml", "validation"),
        FileFormat("pairwise", PairwiseManifest, "PAIRWISE_DIR/pairwise.json", "serialization"),
        FileFormat(
            "comparisons", ComparisonRecord, "PAIRWISE_DIR/comparisons.jsonl", "serialization"
        ),
        FileFormat("pairwise_ratings", RatingsFile, "PAIRWISE_DIR/ratings.json", "serialization"),
        FileFormat("bias_card", BiasCard, "AUDIT_DIR/bias_card.json", "serialization"),
    )
}


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of format `name`; an unknown name is a usage error listing the names."""
    fmt = FORMATS.get(name)
    if fmt is None:
        raise UsageError(f"schema: unknown format {name!r}; one of: {', '.join(FORMATS)}")
    schema = fmt.model.model_json_schema(mode=fmt.mode)
    schema["$comment"] = f"musebench {fmt.name}: {fmt.files} (docs/FORMATS.md)"
    return schema
