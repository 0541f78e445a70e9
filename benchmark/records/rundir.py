"""The run directory: manifest.json, responses.jsonl, judgments.jsonl, scores.json.

JSONL files are append-only while a run is going: each finished record is appended as one line and
flushed at once, so `kill -9` loses at most a partial last line, which the next open discards.
Records that ended in an error are rewritten away (atomically) only when a run is resumed, so the
retry appends the one line for that key and no key ever has two lines."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any, ClassVar

from pydantic import BaseModel, ValidationError

from ..errors import RunDirError, StorageError
from .jsonl import read_jsonl
from .schemas import JudgmentRecord, Manifest, ResponseRecord, Scores

MANIFEST = "manifest.json"
RESPONSES = "responses.jsonl"
JUDGMENTS = "judgments.jsonl"
SCORES = "scores.json"
BATCHES = "batches.json"
CACHE = "cache.sqlite"


def write_failed(path: Path, err: OSError) -> StorageError:
    """The one-line error for a write that failed (a full disk, no permission)."""
    return StorageError(
        f"{path}: cannot write ({err.strerror or err}); everything written before is kept: "
        "free some space or fix the permissions, then run the same command to resume"
    )


def write_json_atomic(path: Path, data: Any) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as err:
        with contextlib.suppress(OSError):
            tmp.unlink()  # the old file is untouched: only the new one failed
        raise write_failed(path, err) from None


def _repair_tail(path: Path) -> None:
    """Cut a partial last line left by a kill mid-write (no trailing newline)."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb+") as fh:
        fh.seek(-1, os.SEEK_END)
        if fh.read(1) == b"\n":
            return
        data = path.read_bytes()
        cut = data.rfind(b"\n") + 1
        fh.truncate(cut)


class JsonlAppender:
    """Appends one record per line, flushing each so a crash loses nothing finished.

    After a failed write (a full disk) nothing more is appended: the file then ends in at most
    one partial line, which the next open cuts, and the error is raised once, as a StorageError."""

    def __init__(self, path: Path):
        try:
            _repair_tail(path)
            self._fh: IO[str] = path.open("a", encoding="utf-8")
        except OSError as err:
            raise write_failed(path, err) from None
        self.path = path
        self._failed: StorageError | None = None

    def append(self, record: BaseModel) -> None:
        if self._failed is not None:
            raise self._failed
        try:
            self._fh.write(record.model_dump_json() + "\n")
            self._fh.flush()
        except OSError as err:
            self._failed = write_failed(self.path, err)
            raise self._failed from None

    def close(self) -> None:
        if self._failed is not None:
            # Already reported; the unwritten rest of the buffer is given up (see above).
            with contextlib.suppress(OSError):
                self._fh.close()
            return
        try:
            self._fh.flush()
            os.fsync(self._fh.fileno())
        except OSError as err:
            raise write_failed(self.path, err) from None
        finally:
            with contextlib.suppress(OSError):
                self._fh.close()


class OutputDir:
    """A directory a command writes and resumes: its manifest (named by the subclass) and its
    response cache; run and pairwise directories both are one."""

    manifest_name: ClassVar[str]

    def __init__(self, path: str | Path):
        self.path = Path(path)

    @property
    def manifest_path(self) -> Path:
        return self.path / self.manifest_name

    @property
    def cache_path(self) -> Path:
        return self.path / CACHE

    def write_manifest(self, manifest: BaseModel) -> None:
        """Create the directory if needed and replace its manifest atomically."""
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise write_failed(self.path, err) from None
        write_json_atomic(self.manifest_path, manifest.model_dump(mode="json"))


class RunDir(OutputDir):
    manifest_name = MANIFEST

    # ---------------------------------------------------------------- paths
    @property
    def responses_path(self) -> Path:
        return self.path / RESPONSES

    @property
    def judgments_path(self) -> Path:
        return self.path / JUDGMENTS

    @property
    def scores_path(self) -> Path:
        return self.path / SCORES

    @property
    def batches_path(self) -> Path:
        return self.path / BATCHES

    # ---------------------------------------------------------------- manifest
    def exists(self) -> bool:
        return self.manifest_path.is_file()

    def require(self) -> Manifest:
        """The manifest of an existing run, or a one-line error naming the directory."""
        if not self.path.is_dir():
            raise RunDirError(f"{self.path}: run directory not found")
        if not self.exists():
            raise RunDirError(f"{self.path}: not a run directory (no {MANIFEST})")
        return self.read_manifest()

    def read_manifest(self) -> Manifest:
        try:
            return Manifest.model_validate_json(self.manifest_path.read_text(encoding="utf-8"))
        except ValidationError as err:
            first = err.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "(root)"
            raise RunDirError(f"{self.manifest_path}:{field}: {first['msg']}") from None
        except ValueError as err:
            raise RunDirError(f"{self.manifest_path}: not valid JSON ({err})") from None

    # ---------------------------------------------------------------- records
    def responses(self) -> list[ResponseRecord]:
        return list(read_jsonl(self.responses_path, ResponseRecord))

    def judgments(self) -> list[JudgmentRecord]:
        return list(read_jsonl(self.judgments_path, JudgmentRecord))

    def read_scores(self) -> Scores:
        if not self.scores_path.is_file():
            raise RunDirError(f"{self.path}: no {SCORES} yet (run `musebench score {self.path}`)")
        try:
            return Scores.model_validate_json(self.scores_path.read_text(encoding="utf-8"))
        except ValidationError as err:
            first = err.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "(root)"
            raise RunDirError(
                f"{self.scores_path}:{field}: {first['msg']} "
                f"(rebuild it from the judgments with `musebench score {self.path}`)"
            ) from None

    def write_scores(self, scores: Scores) -> None:
        write_json_atomic(self.scores_path, scores.model_dump(mode="json"))

    def drop_failed(self) -> tuple[int, int]:
        """On resume: remove error lines (responses with `error`, judgments without a verdict
        because of an error) so that their retry appends the only line for that key.
        Rewrites atomically; returns how many lines of each kind were dropped."""
        dropped = []
        for path, model in (
            (self.responses_path, ResponseRecord),
            (self.judgments_path, JudgmentRecord),
        ):
            if not path.exists():
                dropped.append(0)
                continue
            records: list[BaseModel] = list(read_jsonl(path, model))
            keep = [r for r in records if not _is_failed(r)]
            dropped.append(len(records) - len(keep))
            if len(keep) != len(records):
                rewrite_jsonl(path, keep)
            else:
                _repair_tail(path)
        return dropped[0], dropped[1]


def is_failed(r: BaseModel) -> bool:
    """Whether `r` is a line a resume drops and redoes (see `RunDir.drop_failed`)."""
    return _is_failed(r)


def _is_failed(r: BaseModel) -> bool:
    if isinstance(r, ResponseRecord):
        return r.error is not None
    if isinstance(r, JudgmentRecord):
        # A check never fails this way; an LLM judgment with no verdict and an error is retried.
        return r.verdict is None and r.error is not None and r.source != "check"
    return False


def rewrite_jsonl(path: Path, records: Iterable[BaseModel]) -> None:
    """Replace `path` with `records`, one JSON line each, atomically (temp file, fsync, rename)."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            for r in records:
                fh.write(r.model_dump_json() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as err:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise write_failed(path, err) from None
