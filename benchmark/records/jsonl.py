"""The one reader of JSONL record files (run directories, replay files, bundled demo replies):
validated records, and a malformed line is a one-line error naming the file, line and field."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import RunDirError, UsageError

R = TypeVar("R", bound=BaseModel)


def read_jsonl(
    path: Path,
    model: type[R],
    *,
    error: type[UsageError] = RunDirError,
    cut_partial_tail: bool = True,
) -> Iterator[R]:
    """Yield the records of `path` (none when it does not exist). `cut_partial_tail`: a last
    line without its newline is a write cut short by a kill (run directory files), skipped;
    otherwise it is a record like any other (files written by other tools)."""
    if not path.exists():
        return
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if cut_partial_tail and not line.endswith("\n"):
                break  # partial last line from a kill: ignored, cut before the next append
            if not line.strip():
                continue
            try:
                yield model.model_validate_json(line)
            except ValidationError as err:
                first = err.errors()[0]
                field = ".".join(str(p) for p in first["loc"]) or "(line)"
                raise error(f"{path}:{n}:{field}: {first['msg']}") from None
