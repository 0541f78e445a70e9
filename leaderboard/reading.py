"""Reading a bundle's files within limits (leaderboard/data/verification.yaml): every file's
size is checked before anything is parsed, and JSONL is read line by line (no line longer than
`max_line_mib`) and validated a chunk of lines at a time, so reading never holds a whole file.

Validating a chunk as one JSON array is as fast as validating the whole file so (pydantic's
per-line validation is several times slower on judgment lines); a chunk that fails is validated
again line by line to name the first bad line."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from .errors import BundleRejected
from .rules import BUNDLE_FILES, VerificationRules

MIB = 1 << 20
CHUNK_BYTES = 4 * MIB  # lines validated together

R = TypeVar("R", bound=BaseModel)
_ADAPTERS: dict[type[BaseModel], TypeAdapter[Any]] = {}


def check_sizes(
    path: Path,
    rules: VerificationRules,
    names: Sequence[str] = BUNDLE_FILES,
    field: str = "max_file_mib",
) -> None:
    """Every named file within its limit (`rules.<field>[name]`, in MiB); the first over it is
    the rejection (`too_large`). Run bundles use max_file_mib, pairwise bundles their own."""
    limits: Mapping[str, float] = getattr(rules, field)
    for name in names:
        size, limit = (path / name).stat().st_size, limits[name]
        if size > limit * MIB:
            raise BundleRejected(
                "too_large",
                f"too large: {name} is {size / MIB:.1f} MiB, the limit is {limit:g} MiB "
                f"({field} in the board's verification rules)",
            )


def first_error(err: ValidationError) -> str:
    first = err.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "(root)"
    return f"{field}: {first['msg']}"


def read_model(path: Path, model: type[R]) -> R:
    """One JSON document (its size already checked)."""
    try:
        return model.model_validate_json(path.read_bytes())
    except ValidationError as err:
        raise BundleRejected("schema", f"{path.name}:{first_error(err)}") from None


def _adapter(model: type[R]) -> TypeAdapter[list[R]]:
    if model not in _ADAPTERS:
        _ADAPTERS[model] = TypeAdapter(list[model])  # type: ignore[valid-type]
    return _ADAPTERS[model]


def _validate(path: Path, model: type[R], lines: list[tuple[int, bytes]]) -> list[R]:
    """The records of a chunk of (line number, line) pairs; a bad line is named precisely."""
    if not lines:
        return []
    try:
        records = _adapter(model).validate_json(b"[" + b",".join(ln for _, ln in lines) + b"]")
        if len(records) == len(lines):
            return records
    except ValidationError:
        pass
    # Slow path, only for a broken chunk: find the first line that does not validate alone.
    for n, line in lines:
        try:
            model.model_validate_json(line)
        except ValidationError as err:
            raise BundleRejected("schema", f"{path.name}:{n}:{first_error(err)}") from None
    raise BundleRejected("schema", f"{path.name}: lines are not one JSON record each")


def _lines(path: Path, max_line: int) -> Iterator[tuple[int, bytes]]:
    """(line number, line) for every non-blank line, read one at a time."""
    with path.open("rb") as f:
        n = 0
        while line := f.readline(max_line + 1):
            n += 1
            if len(line) > max_line:
                raise BundleRejected(
                    "too_large",
                    f"too large: {path.name}:{n}: a line over {max_line / MIB:g} MiB "
                    "(max_line_mib in the board's verification rules)",
                )
            if not line.endswith(b"\n"):
                raise BundleRejected(
                    "schema", f"{path.name}:{n}: last line is truncated (no newline)"
                )
            if line.strip():
                yield n, line


def iter_records(path: Path, model: type[R], rules: VerificationRules) -> Iterator[R]:
    """The records of a JSONL file in file order, validated a chunk at a time."""
    chunk: list[tuple[int, bytes]] = []
    size = 0
    for n, line in _lines(path, int(rules.max_line_mib * MIB)):
        chunk.append((n, line))
        size += len(line)
        if size >= CHUNK_BYTES:
            yield from _validate(path, model, chunk)
            chunk, size = [], 0
    yield from _validate(path, model, chunk)
