"""`replay/<path>`: answer from a responses.jsonl generated elsewhere, without any call.

A request is looked up by (task_id, sample); its answer is assistant turn N of that record's
transcript, where N is the number of assistant messages the request already holds, so
multi-turn tasks replay turn by turn."""

from __future__ import annotations

from pathlib import Path

from ...errors import ProviderError, SpecError
from ...records.jsonl import read_jsonl
from ...records.keys import ResponseKey, response_key
from ...records.schemas import ResponseRecord, Usage
from .base import Capabilities, Completion, GenerateRequest


def load_records(path: Path) -> dict[ResponseKey, ResponseRecord]:
    """Records by (task_id, sample). A resumed run may hold a failed line and a later
    successful one for the same key: a success wins over an error, and a later line over an
    earlier one of the same kind."""
    if not path.is_file():
        raise SpecError(f"replay file not found: {path}")
    records: dict[ResponseKey, ResponseRecord] = {}
    for record in read_jsonl(path, ResponseRecord, error=SpecError, cut_partial_tail=False):
        key = response_key(record)
        old = records.get(key)
        if old is None or record.error is None or old.error is not None:
            records[key] = record
    return records


class ReplayProvider:
    endpoint: str | None = None  # answers come from a file, not a server
    capabilities = Capabilities(replay=True)

    def __init__(self, path: str | Path, *, spec: str | None = None) -> None:
        """`spec` names the model in run files (the demo replays bundled files under
        `replay/<name>`); by default it is `replay/<path>`."""
        path = str(path)
        if not path:
            raise SpecError(
                "model spec 'replay/' names no file (expected replay/<responses.jsonl>)"
            )
        self.spec = spec or f"replay/{path}"
        self.path = Path(path)
        self._records = load_records(self.path)

    async def generate(self, request: GenerateRequest) -> Completion:
        where = f"{self.path}: task {request.task_id!r} sample {request.sample}"
        record = self._records.get(ResponseKey(request.task_id or "", request.sample))
        if record is None:
            raise ProviderError(f"{where}: no record to replay", retryable=False)
        if record.error is not None:
            raise ProviderError(f"{where}: the record is an error: {record.error}", retryable=False)
        turn = sum(1 for m in request.messages if m.role == "assistant" and not m.given)
        answers = [m.content for m in record.transcript if m.role == "assistant" and not m.given]
        if turn >= len(answers):
            raise ProviderError(
                f"{where}: no assistant turn {turn} (the record has {len(answers)})",
                retryable=False,
            )
        # The record's usage covers the whole transcript: report it once, on the first turn,
        # so summing a replayed run's usage gives the original total.
        usage = record.usage if turn == 0 else Usage()
        # The record's stop reason (already a kind, or None when it has none) stands for each of
        # its turns, so the replayed response ends the way the original did.
        return Completion(
            text=answers[turn], usage=usage, stop_reason=record.stop_reason, model=record.model
        )
