"""A fake OpenAI-compatible API: POST /v1/chat/completions (non-streaming), incl.
`response_format: json_schema`, in the wire format the real `openai` SDK parses
(openai.types.chat.ChatCompletion).

Automatic prefix caching is simulated on the static prefix: the structured-output schema (which
OpenAI puts before the system prompt) and the system prompt. The second and later requests with
the same prefix and model report the system prompt's tokens in
`prompt_tokens_details.cached_tokens`, unless the prefix is shorter than `cache_min_tokens`
(OpenAI caches prompts of 1,024 tokens or more; 0, the default, turns the minimum off)."""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from typing import Any

from .faults import Fault
from .responders import Responder, structured_schema, system_text
from .server import FakeServer, Recorded, Reply, count_tokens, headers_for_retry

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    403: "invalid_request_error",
    404: "invalid_request_error",
    429: "requests",
    500: "server_error",
    503: "server_error",
}
ERROR_CODES = {401: "invalid_api_key", 429: "rate_limit_exceeded", 404: "model_not_found"}


class FakeOpenAI(FakeServer):
    """`url` is the server root; the SDK's base URL is `base_url` (root + /v1).
    `api_key`: when set, other bearer tokens get 401."""

    def __init__(
        self,
        responder: Responder | None = None,
        *,
        latency: float = 0.0,
        api_key: str | None = None,
        cache_min_tokens: int = 0,
    ):
        super().__init__(responder, latency=latency)
        self.api_key = api_key
        self.cache_min_tokens = cache_min_tokens
        self._cache: set[str] = set()
        self._ids = itertools.count(1)

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def error_reply(self, status: int, message: str, fault: Fault | None = None) -> Reply:
        body = {
            "error": {
                "message": message,
                "type": ERROR_TYPES.get(
                    status, "server_error" if status >= 500 else "invalid_request_error"
                ),
                "param": None,
                "code": ERROR_CODES.get(status),
            }
        }
        return Reply(status, body, headers=headers_for_retry(fault))

    def route(self, request: Recorded, fault: Fault | None) -> Reply:
        if self.api_key is not None and request.headers.get("authorization") != (
            f"Bearer {self.api_key}"
        ):
            return self.error_reply(401, "Incorrect API key provided")
        if request.method == "POST" and request.path == "/v1/chat/completions":
            return Reply(200, self.completion(request.body, fault))
        return self.error_reply(404, f"no route for {request.method} {request.path}")

    def completion(self, params: dict[str, Any], fault: Fault | None = None) -> dict[str, Any]:
        schema = structured_schema(params)
        answer = self.responder(params)
        if fault is not None and fault.kind == "malformed" and schema is not None:
            answer = {"unexpected": "not what the schema asked for"}
        text = json.dumps(answer) if isinstance(answer, dict) else answer
        if fault is not None and fault.kind == "invalid_json":
            text = '{"verdicts": [unterminated'
        limit = params.get("max_completion_tokens") or params.get("max_tokens")
        finish = "stop"
        if limit is not None and schema is None and len(text) > 4 * int(limit):
            text, finish = text[: 4 * int(limit)], "length"

        prompt = count_tokens(json.dumps(params.get("messages", [])))
        cached = 0
        system = system_text(params)
        if system and count_tokens(system) >= self.cache_min_tokens:
            prefix = [params.get("model"), params.get("response_format"), system]
            key = hashlib.sha256(json.dumps(prefix, sort_keys=True).encode()).hexdigest()
            with self._lock:
                hit = key in self._cache
                self._cache.add(key)
            cached = min(count_tokens(system), prompt) if hit else 0
        completion_tokens = count_tokens(text)
        return {
            "id": f"chatcmpl-fake{next(self._ids):06d}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": params.get("model", "unknown"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text, "refusal": None},
                    "finish_reason": finish,
                    "logprobs": None,
                }
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt + completion_tokens,
                "prompt_tokens_details": {"cached_tokens": cached},
            },
        }
