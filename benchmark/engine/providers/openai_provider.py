"""`openai/<model>` through the official SDK (AsyncOpenAI): OpenAI itself or any
OpenAI-compatible server (vLLM, Ollama, TGI, llama.cpp) via OPENAI_BASE_URL or `--base-url`."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Sequence
from typing import Any

import openai
from openai.types.chat import ChatCompletion

from ...errors import SpecError
from ...records.schemas import Usage
from .base import Capabilities, Completion, GenerateRequest, ImagePart
from .endpoints import effective_url, endpoint_of
from .loop_clients import LoopClients
from .sdk_errors import to_provider_error

# Local servers usually run without auth, but the SDK refuses to start without some key.
PLACEHOLDER_KEY = "not-needed"


def openai_params(request: GenerateRequest, model: str, *, token_param: str) -> dict[str, Any]:
    """The keyword arguments of `chat.completions.create`. `token_param` is `max_tokens` (what
    local OpenAI-compatible servers accept) or `max_completion_tokens` (what OpenAI's own
    reasoning models require)."""
    messages: list[dict[str, Any]] = []
    system = "\n\n".join(block.text for block in request.system)
    if system:
        messages.append({"role": "system", "content": system})
    messages.extend({"role": m.role, "content": m.content} for m in request.messages)
    if request.images:
        last = next((m for m in reversed(messages) if m["role"] == "user"), None)
        if last is None:
            raise ValueError("a request with images needs a user message to carry them")
        last["content"] = image_url_parts(last["content"], request.images)
    params: dict[str, Any] = {
        "model": model,
        "messages": messages,
        token_param: request.params.max_tokens,
    }
    if request.params.temperature is not None:
        params["temperature"] = request.params.temperature
    if request.params.top_p is not None:
        params["top_p"] = request.params.top_p
    if request.params.seed is not None:
        params["seed"] = request.params.seed
    if request.params.reasoning_effort is not None:
        params["reasoning_effort"] = request.params.reasoning_effort
    if request.params.extra_body is not None:
        params["extra_body"] = json.loads(request.params.extra_body)
    if request.structured is not None:
        out = request.structured
        params["response_format"] = {
            "type": "json_schema",
            "json_schema": {
                "name": out.name,
                "description": out.description,
                "schema": out.schema,
                "strict": True,
            },
        }
    return params


def image_url_parts(text: str, images: Sequence[ImagePart]) -> list[dict[str, Any]]:
    """A user message's content with images: text parts and `image_url` data URLs."""
    parts: list[dict[str, Any]] = [{"type": "text", "text": text}]
    for im in images:
        parts.append({"type": "text", "text": im.label})
        url = "data:image/png;base64," + base64.b64encode(im.png).decode("ascii")
        parts.append({"type": "image_url", "image_url": {"url": url, "detail": "high"}})
    return parts


def parse_json_object(text: str) -> dict[str, Any] | None:
    """The JSON object in `text`, or None when it does not parse or is not an object."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def completion_from_chat(response: ChatCompletion, *, structured: bool) -> Completion:
    if not response.choices:
        text, finish = "", None
    else:
        choice = response.choices[0]
        text, finish = choice.message.content or "", choice.finish_reason
    usage = Usage()
    if response.usage is not None:
        details = response.usage.prompt_tokens_details
        cached = (details.cached_tokens or 0) if details else 0
        # OpenAI's prompt_tokens include the cached ones; Usage follows Anthropic, where
        # input_tokens is the uncached rest, so input + cache_read is the whole prompt for both.
        usage = Usage(
            input_tokens=max((response.usage.prompt_tokens or 0) - cached, 0),
            output_tokens=response.usage.completion_tokens or 0,
            cache_read_tokens=cached,
        )
    return Completion(
        text=text,
        usage=usage,
        structured=parse_json_object(text) if structured else None,
        stop_reason=finish,
        model=response.model,
    )


class OpenAIProvider:
    """One attempt per `generate` (SDK retries off: the runner owns retries)."""

    # The sampling temperatures the Chat Completions API accepts; a run is refused before any call outside them.
    temperature_range = (0.0, 2.0)
    # No batch API here; OpenAI-compatible servers cache prompt prefixes on their own, unmarked.
    capabilities = Capabilities(images=True, seed=True, reasoning_effort=True, extra_body=True)

    def __init__(self, model: str, *, base_url: str | None = None, timeout: float = 600.0) -> None:
        if not model:
            raise SpecError("model spec 'openai/' names no model (expected openai/<model>)")
        self.spec = f"openai/{model}"
        self.model = model
        # None for OpenAI's own API, however reached: the runner passes its URL explicitly.
        custom_url = endpoint_of(self.spec, base_url)
        key = os.environ.get("OPENAI_API_KEY") or None
        if key is None:
            if custom_url is None:
                raise SpecError(
                    f"OPENAI_API_KEY is not set (needed for model spec {self.spec}; "
                    "for a local server give --base-url or OPENAI_BASE_URL instead)"
                )
            key = PLACEHOLDER_KEY
        self._api_key = key
        self.base_url = effective_url("openai", base_url)
        self.endpoint = endpoint_of(self.spec, base_url)
        # OpenAI's reasoning models reject `max_tokens`; many local servers only know it.
        self.token_param = "max_tokens" if custom_url else "max_completion_tokens"
        self.timeout = timeout
        self._clients: LoopClients[openai.AsyncOpenAI] = LoopClients(self._new_client)

    def _new_client(self) -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(
            api_key=self._api_key, base_url=self.base_url, timeout=self.timeout, max_retries=0
        )

    @property
    def client(self) -> openai.AsyncOpenAI:
        return self._clients.get()

    async def generate(self, request: GenerateRequest) -> Completion:
        params = openai_params(request, self.model, token_param=self.token_param)
        try:
            response = await self.client.chat.completions.create(**params)
        except openai.OpenAIError as exc:
            raise to_provider_error(
                exc, sdk=openai, spec=self.spec, base_url=self.base_url
            ) from exc
        return completion_from_chat(response, structured=request.structured is not None)
