"""RUN_DIR/batches.json: the Message Batches a run has opened, so that a retry, a resume or a
kill never opens a second batch for the same requests.

An entry is written before the create call (`creating`: its id is not known yet), gets its id
when the create answers (`submitted`), and ends `collected` (results in the cache) or `gone`
(the server no longer knows it). A `creating` entry left by a timeout or a kill is looked up
among the server's batches before anything is created again."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import RunDirError
from ..records.rundir import write_json_atomic

BatchStatus = Literal["creating", "submitted", "collected", "gone"]


class BatchEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    batch_id: str | None = None  # None while `creating`
    custom_ids: list[str] = Field(min_length=1)  # the requests' cache keys
    submitted_at: datetime  # when the create call was sent (UTC)
    status: BatchStatus = "submitted"

    @model_validator(mode="after")
    def _id_once_created(self) -> BatchEntry:
        if self.batch_id is None and self.status != "creating":
            raise ValueError(f"a {self.status} batch needs its batch_id")
        return self


class BatchLog(BaseModel):
    model_config = ConfigDict(extra="forbid")
    batches: list[BatchEntry] = Field(default_factory=list)

    def live(self) -> list[BatchEntry]:
        """Batches that may still answer: submitted and not yet collected."""
        return [b for b in self.batches if b.status == "submitted"]

    def known_ids(self) -> set[str]:
        return {b.batch_id for b in self.batches if b.batch_id is not None}


def _advice(path: Path) -> str:
    return (
        f"restore it, or delete {path.name} to judge the unjudged requests afresh "
        "(results already collected are in the cache and not paid again; "
        "a batch still running would be)"
    )


def load_batch_log(path: Path) -> BatchLog:
    """The log of a run dir (empty when there is none); a corrupt file is a one-line error."""
    if not path.is_file():
        return BatchLog()
    try:
        return BatchLog.model_validate_json(path.read_bytes())
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(root)"
        if first["type"] in ("json_invalid", "json_type"):
            raise RunDirError(f"{path}: not valid JSON ({first['msg']}); {_advice(path)}") from None
        raise RunDirError(f"{path}:{where}: {first['msg']}; {_advice(path)}") from None


def save_batch_log(path: Path, log: BatchLog) -> None:
    write_json_atomic(path, log.model_dump(mode="json"))
