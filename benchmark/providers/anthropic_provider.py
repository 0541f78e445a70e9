"""`anthropic/<model>` through the official SDK (AsyncAnthropic).

The request/response conversion lives in two pure functions, `anthropic_params` and
`completion_from_message`, shared with the Message Batches client (benchmark.batch)."""

from __future__ import annotations

import json
import os
from typing import Any

import anthropic
from anthropic.types import Message as AnthropicMessage

from ..errors import SpecError
from ..schemas import Usage
from .base import Completion, GenerateRequest
from .endpoints import effective_url, endpoint_of
from .loop_clients import LoopClients
from .sdk_errors import to_provider_error

API_KEY_VARS = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN")
# anthropic>=1.0 dropped the sampling keywords from `messages.create` (MIGRATION.md, "Removed
# deprecated request parameters"); the API still takes them on models that support sampling,
# so they travel in `extra_body`, which the SDK merges into the JSON body unchanged.
SAMPLING_PARAMS = ("temperature", "top_p", "top_k")


def anthropic_params(request: GenerateRequest, model: str) -> dict[str, Any]:
    """The JSON body of a Messages API request (also a batch request's `params`)."""
    system: list[dict[str, Any]] = []
    for block in request.system:
        entry: dict[str, Any] = {"type": "text", "text": block.text}
        if block.cache:
            entry["cache_control"] = {"type": "ephemeral"}
        system.append(entry)
    messages: list[dict[str, Any]] = []
    for msg in request.messages:
        if msg.role == "system":
            # The Messages API has no system role inside `messages`: fold it into `system`.
            system.append({"type": "text", "text": msg.content})
        else:
            messages.append({"role": msg.role, "content": msg.content})

    params: dict[str, Any] = {
        "model": model,
        "max_tokens": request.params.max_tokens,
        "messages": messages,
    }
    if system:
        params["system"] = system
    if request.params.temperature is not None:
        params["temperature"] = request.params.temperature
    if request.params.top_p is not None:
        params["top_p"] = request.params.top_p
    if request.structured is not None:
        out = request.structured
        params["tools"] = [
            {"name": out.name, "description": out.description, "input_schema": out.schema}
        ]
        params["tool_choice"] = {"type": "tool", "name": out.name}
    return params


def completion_from_message(message: AnthropicMessage) -> Completion:
    """A Completion from a Messages API reply. `structured` is the input of the tool_use block
    (we only ever offer one, forced, tool), None when absent or not an object."""
    texts = [block.text for block in message.content if block.type == "text"]
    structured: dict[str, Any] | None = None
    for block in message.content:
        if block.type == "tool_use":
            structured = block.input if isinstance(block.input, dict) else None
            if not texts:
                # Keep the raw answer visible in logs and run files.
                texts.append(json.dumps(block.input, ensure_ascii=False))
            break
    u = message.usage
    usage = Usage(
        input_tokens=u.input_tokens or 0,
        output_tokens=u.output_tokens or 0,
        cache_read_tokens=u.cache_read_input_tokens or 0,
        cache_write_tokens=u.cache_creation_input_tokens or 0,
    )
    return Completion(
        text="".join(texts),
        usage=usage,
        structured=structured,
        stop_reason=message.stop_reason,
        model=message.model,
    )


class AnthropicProvider:
    """One attempt per `generate` (SDK retries off: the runner owns retries)."""

    # The sampling temperatures the Messages API accepts; a run is refused before any call outside them.
    temperature_range = (0.0, 1.0)

    def __init__(self, model: str, *, base_url: str | None = None, timeout: float = 600.0) -> None:
        if not model:
            raise SpecError("model spec 'anthropic/' names no model (expected anthropic/<model>)")
        self.spec = f"anthropic/{model}"
        self.model = model
        self._api_key = os.environ.get("ANTHROPIC_API_KEY") or None
        self._auth_token = None if self._api_key else os.environ.get("ANTHROPIC_AUTH_TOKEN")
        if not self._api_key and not self._auth_token:
            raise SpecError(f"ANTHROPIC_API_KEY is not set (needed for model spec {self.spec})")
        self.base_url = effective_url("anthropic", base_url)
        self.endpoint = endpoint_of(self.spec, base_url)
        self.timeout = timeout
        self._clients: LoopClients[anthropic.AsyncAnthropic] = LoopClients(self._new_client)

    def _new_client(self) -> anthropic.AsyncAnthropic:
        if self._api_key:
            return anthropic.AsyncAnthropic(
                api_key=self._api_key, base_url=self.base_url, timeout=self.timeout, max_retries=0
            )
        return anthropic.AsyncAnthropic(
            auth_token=self._auth_token, base_url=self.base_url, timeout=self.timeout, max_retries=0
        )

    @property
    def client(self) -> anthropic.AsyncAnthropic:
        """The SDK client for the running event loop (the batch client takes it too)."""
        return self._clients.get()

    async def generate(self, request: GenerateRequest) -> Completion:
        params = anthropic_params(request, self.model)
        kwargs = {k: v for k, v in params.items() if k not in SAMPLING_PARAMS}
        sampling = {k: params[k] for k in SAMPLING_PARAMS if k in params}
        if sampling:
            kwargs["extra_body"] = sampling
        try:
            message = await self.client.messages.create(**kwargs)
        except anthropic.AnthropicError as exc:
            raise to_provider_error(
                exc, sdk=anthropic, spec=self.spec, base_url=self.base_url
            ) from exc
        return completion_from_message(message)
