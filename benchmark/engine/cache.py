"""A content-addressed SQLite cache of completed model calls.

The key hashes everything that can change an answer: provider, model, the server (when it is
not the provider's public API), every generation parameter, the system blocks, the messages,
the structured-output schema, the images (label and sha256) and the sample index,
so repeated samples of one prompt never collapse onto one key. Only successful completions are
stored; errors never are. One process writes (the runner's event loop); each `put` commits at
once so that a completed, paid call survives `kill -9`."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

from ..errors import StorageError
from ..records.schemas import Usage
from .providers.base import Completion, GenerateRequest

KEY_VERSION = 1


def cache_key(spec: str, request: GenerateRequest, endpoint: str | None = None) -> str:
    """The key of one call. `endpoint` (a server other than the provider's public API) is part
    of it, so two servers behind one spec never share answers; keys of calls to the public API
    are unchanged from earlier versions, so resuming an older run finds its cache."""
    payload: dict[str, Any] = {
        "v": KEY_VERSION,
        "spec": spec,
        "params": request.params.as_dict(),
        "system": [[b.text, b.cache] for b in request.system],
        "messages": [[m.role, m.content] for m in request.messages],
        "structured": (
            None
            if request.structured is None
            else [
                request.structured.name,
                request.structured.description,
                request.structured.schema,
            ]
        ),
        "task_id": request.task_id,
        "sample": request.sample,
        "response_sample": request.response_sample,
    }
    if endpoint is not None:
        payload["endpoint"] = endpoint
    if request.images:  # absent without images: keys of text-only calls are unchanged
        payload["images"] = [[im.label, im.sha256] for im in request.images]
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def unusable(path: Path, err: Exception) -> StorageError:
    """The one-line error for a cache file SQLite cannot use (a directory, another kind of file,
    a truncated or corrupt database, a full disk)."""
    if path.is_dir():
        return StorageError(f"{path}: is a directory, not a cache file")
    if isinstance(err, OSError):
        return StorageError(f"{path}: cannot create the cache file ({err.strerror or err})")
    if isinstance(err, sqlite3.OperationalError) and "full" in str(err):
        return StorageError(
            f"{path}: cannot store a completed call ({err}): free some space and run the same "
            "command to resume (the lines written so far are kept; calls not yet stored are asked again)"
        )
    return StorageError(
        f"{path}: not a usable SQLite cache ({err}); move it aside (e.g. `mv {path} "
        f"{path}.bad`) and run the same command again: lines already in the run directory are "
        "kept, calls cached but not yet written are paid again"
    )


class ResponseCache:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        except (OSError, sqlite3.Error) as err:
            raise unusable(self.path, err) from None
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS completions ("
                " key TEXT PRIMARY KEY, spec TEXT NOT NULL, value TEXT NOT NULL,"
                " created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
            )
        except sqlite3.Error as err:
            self._db.close()
            raise unusable(self.path, err) from None
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> Completion | None:
        try:
            row = self._db.execute("SELECT value FROM completions WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as err:
            raise unusable(self.path, err) from None
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        data = json.loads(row[0])
        data["usage"] = Usage(**data["usage"])
        return Completion(**data)

    def put(self, key: str, spec: str, completion: Completion) -> None:
        value = dataclasses.asdict(completion)
        value["usage"] = completion.usage.model_dump()
        try:
            self._db.execute(
                "INSERT OR REPLACE INTO completions (key, spec, value) VALUES (?, ?, ?)",
                (key, spec, json.dumps(value, ensure_ascii=False)),
            )
        except sqlite3.Error as err:
            raise unusable(self.path, err) from None

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM completions").fetchone()[0])

    def close(self) -> None:
        self._db.close()
