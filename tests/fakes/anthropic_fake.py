"""A fake Anthropic API: POST /v1/messages (non-streaming) and the Message Batches endpoints,
in the wire format the real `anthropic` SDK parses (see anthropic.types.Message and
anthropic.types.messages.MessageBatch / MessageBatchIndividualResponse).

Prompt caching is simulated as the API documents it: the request is the sequence tools, then
system blocks, then message contents; each block carrying `cache_control` is a breakpoint. The
longest breakpoint prefix already cached for the model is read (`cache_read_input_tokens`); the
rest up to the last breakpoint is written (`cache_creation_input_tokens`) and every breakpoint
prefix is cached from then on; `input_tokens` counts only what follows the last breakpoint. A
prefix shorter than `cache_min_tokens` is neither read nor written (the API's minimum cacheable
length: 1,024 tokens on Sonnet and Opus 4 models; 0, the default, turns the minimum off)."""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from .faults import Fault
from .responders import Responder, forced_tool
from .server import FakeServer, Recorded, Reply, count_tokens, headers_for_retry

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    408: "timeout_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}
ERROR_MESSAGES = {529: "Overloaded", 429: "Number of request tokens has exceeded your rate limit"}
BATCH_PREFIX = "/v1/messages/batches"


def api_key_of(headers: dict[str, str]) -> str | None:
    """The key a request carries: `x-api-key`, or a bearer token (what anthropic>=2 sends)."""
    if "x-api-key" in headers:
        return headers["x-api-key"]
    auth = headers.get("authorization", "")
    return auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None


def _iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


@dataclass
class FakeBatch:
    id: str
    requests: list[dict[str, Any]]
    created_at: datetime
    retrievals: int = 0
    results: list[dict[str, Any]] | None = None
    ended_at: datetime | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class FakeAnthropic(FakeServer):
    """`batch_polls`: how many retrievals of a batch still report `in_progress` before it ends
    (so a test can stop polling midway and resume by id). `batch_outcomes`: custom_id ->
    "expired" | "canceled" | an error type such as "invalid_request_error" (an errored entry);
    other entries succeed. `api_key`: when set, other keys get 401."""

    def __init__(
        self,
        responder: Responder | None = None,
        *,
        latency: float = 0.0,
        batch_polls: int = 1,
        api_key: str | None = None,
        cache_min_tokens: int = 0,
    ):
        super().__init__(responder, latency=latency)
        self.batch_polls = batch_polls
        self.cache_min_tokens = cache_min_tokens
        self.batch_outcomes: dict[str, str] = {}
        self.api_key = api_key
        self.batches: dict[str, FakeBatch] = {}
        self._cache: set[str] = set()
        self._ids = itertools.count(1)

    # ------------------------------------------------------------------ errors
    def error_reply(self, status: int, message: str, fault: Fault | None = None) -> Reply:
        err_type = ERROR_TYPES.get(
            status, "api_error" if status >= 500 else "invalid_request_error"
        )
        body = {
            "type": "error",
            "error": {"type": err_type, "message": ERROR_MESSAGES.get(status, message)},
            "request_id": f"req_fake{next(self._ids):06d}",
        }
        return Reply(status, body, headers=headers_for_retry(fault))

    # ------------------------------------------------------------------ routing
    def route(self, request: Recorded, fault: Fault | None) -> Reply:
        method, path, body = request.method, request.path, request.body
        if self.api_key is not None and api_key_of(request.headers) != self.api_key:
            return self.error_reply(401, "invalid x-api-key")
        if method == "POST" and path == "/v1/messages":
            return Reply(200, self.message(body, fault))
        if method == "POST" and path == BATCH_PREFIX:
            return Reply(200, self._create_batch(body))
        if method == "GET" and path == BATCH_PREFIX:
            return Reply(200, self._list_batches(request.query))
        if method == "GET" and path.startswith(BATCH_PREFIX + "/"):
            rest = path[len(BATCH_PREFIX) + 1 :].split("/")
            batch = self.batches.get(rest[0])
            if batch is None:
                return self.error_reply(404, f"batch {rest[0]} not found")
            if len(rest) == 1:
                return Reply(200, self._retrieve(batch))
            if rest[1:] == ["results"]:
                return self._results(batch)
        return self.error_reply(404, f"no route for {method} {path}")

    # ------------------------------------------------------------------ messages
    def _usage(self, params: dict[str, Any], output_text: str) -> dict[str, Any]:
        parts: list[Any] = [
            *params.get("tools", []),
            *(
                [{"type": "text", "text": params["system"]}]
                if isinstance(params.get("system"), str)
                else params.get("system", [])
            ),
        ]
        for message in params.get("messages", []):
            content = message.get("content")
            parts.extend(content if isinstance(content, list) else [message])
        cuts = [
            i + 1 for i, p in enumerate(parts) if isinstance(p, dict) and p.get("cache_control")
        ]
        total = count_tokens(json.dumps(parts))
        # (tokens, key) of every breakpoint prefix long enough to be cached, shortest first.
        prefixes = [
            (
                count_tokens(json.dumps(parts[:cut])),
                hashlib.sha256(
                    json.dumps([params.get("model"), parts[:cut]], sort_keys=True).encode()
                ).hexdigest(),
            )
            for cut in cuts
        ]
        prefixes = [(n, key) for n, key in prefixes if n >= max(self.cache_min_tokens, 1)]
        read = write = 0
        if prefixes:
            with self._lock:
                read = max((n for n, key in prefixes if key in self._cache), default=0)
                self._cache.update(key for _, key in prefixes)
            write = prefixes[-1][0] - read
        return {
            "input_tokens": max(total - read - write, 1),
            "output_tokens": count_tokens(output_text),
            "cache_creation_input_tokens": write,
            "cache_read_input_tokens": read,
        }

    def message(self, params: dict[str, Any], fault: Fault | None = None) -> dict[str, Any]:
        """The Message object answering `params` (also used for batch entries)."""
        tool = forced_tool(params)
        answer = self.responder(params)
        if fault is not None and fault.kind == "malformed" and tool is not None:
            answer = {"unexpected": "not what the schema asked for"}
        if fault is not None and fault.kind == "invalid_json":
            answer = "I cannot use the tool; here is prose instead of JSON."
        content: list[dict[str, Any]]
        if isinstance(answer, dict) and tool is not None:
            content = [
                {
                    "type": "tool_use",
                    "id": f"toolu_fake{next(self._ids):06d}",
                    "name": tool["name"],
                    "input": answer,
                }
            ]
            stop_reason = "tool_use"
            out_text = json.dumps(answer)
        else:
            text = answer if isinstance(answer, str) else json.dumps(answer)
            max_chars = 4 * int(params.get("max_tokens", 1024))
            stop_reason = "max_tokens" if len(text) > max_chars else "end_turn"
            text = text[:max_chars]
            content = [{"type": "text", "text": text}]
            out_text = text
        return {
            "id": f"msg_fake{next(self._ids):06d}",
            "type": "message",
            "role": "assistant",
            "model": params.get("model", "unknown"),
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": self._usage(params, out_text),
        }

    # ------------------------------------------------------------------ batches
    def _create_batch(self, body: dict[str, Any]) -> dict[str, Any]:
        batch = FakeBatch(
            id=f"msgbatch_fake{next(self._ids):06d}",
            requests=list(body["requests"]),
            created_at=datetime.now(UTC),
        )
        with self._lock:
            self.batches[batch.id] = batch
        return self._batch_json(batch)

    def _list_batches(self, query: dict[str, str]) -> dict[str, Any]:
        """Newest first, `limit` per page (default 20), paged by `after_id`; listing does not
        advance a batch's processing (only retrievals do)."""
        with self._lock:
            ordered = sorted(self.batches.values(), key=lambda b: (b.created_at, b.id))[::-1]
        ids = [b.id for b in ordered]
        after = query.get("after_id")
        start = 0 if after is None else (ids.index(after) + 1 if after in ids else len(ids))
        page = ordered[start : start + int(query.get("limit", 20))]
        return {
            "data": [self._batch_json(b) for b in page],
            "has_more": start + len(page) < len(ordered),
            "first_id": page[0].id if page else None,
            "last_id": page[-1].id if page else None,
        }

    def _retrieve(self, batch: FakeBatch) -> dict[str, Any]:
        with batch.lock:
            batch.retrievals += 1
            if batch.results is None and batch.retrievals > self.batch_polls:
                batch.results = [self._batch_entry(r) for r in batch.requests]
                batch.ended_at = datetime.now(UTC)
        return self._batch_json(batch)

    def _batch_entry(self, request: dict[str, Any]) -> dict[str, Any]:
        custom_id = request["custom_id"]
        outcome = self.batch_outcomes.get(custom_id)
        result: dict[str, Any]
        if outcome is None:
            result = {"type": "succeeded", "message": self.message(request["params"])}
        elif outcome in ("expired", "canceled"):
            result = {"type": outcome}
        else:
            result = {
                "type": "errored",
                "error": {
                    "type": "error",
                    "error": {"type": outcome, "message": f"injected batch error: {outcome}"},
                },
            }
        return {"custom_id": custom_id, "result": result}

    def _batch_json(self, batch: FakeBatch) -> dict[str, Any]:
        n = len(batch.requests)
        counts = {"processing": n, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
        if batch.results is not None:
            counts["processing"] = 0
            for entry in batch.results:
                counts[entry["result"]["type"]] += 1
        ended = batch.results is not None
        return {
            "id": batch.id,
            "type": "message_batch",
            "processing_status": "ended" if ended else "in_progress",
            "request_counts": counts,
            "created_at": _iso(batch.created_at),
            "expires_at": _iso(batch.created_at + timedelta(hours=24)),
            "ended_at": _iso(batch.ended_at) if batch.ended_at else None,
            "archived_at": None,
            "cancel_initiated_at": None,
            "results_url": f"{self.url}{BATCH_PREFIX}/{batch.id}/results" if ended else None,
        }

    def _results(self, batch: FakeBatch) -> Reply:
        if batch.results is None:
            return self.error_reply(400, f"batch {batch.id} is still in progress")
        lines = "".join(json.dumps(entry) + "\n" for entry in batch.results)
        return Reply(200, lines.encode(), content_type="application/binary")
