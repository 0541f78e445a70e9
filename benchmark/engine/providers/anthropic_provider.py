"""`anthropic/<model>` through the official SDK (AsyncAnthropic).

The request/response conversion lives in anthropic_convert, shared with the Message Batches
client (anthropic_batch), which is this provider's batch capability."""

from __future__ import annotations

import os

import anthropic

from ...errors import SpecError
from .anthropic_batch import AnthropicBatches
from .anthropic_convert import anthropic_params, completion_from_message, extra_fields
from .base import Capabilities, Completion, GenerateRequest
from .endpoints import effective_url, endpoint_of
from .loop_clients import LoopClients
from .sdk_errors import to_provider_error

API_KEY_VARS = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN")
# anthropic>=1.0 dropped the sampling keywords from `messages.create` (MIGRATION.md, "Removed
# deprecated request parameters"); the API still takes them on models that support sampling,
# so they travel in `extra_body`, which the SDK merges into the JSON body unchanged.
SAMPLING_PARAMS = ("temperature", "top_p", "top_k")


class AnthropicProvider:
    """One attempt per `generate` (SDK retries off: the runner owns retries)."""

    # The sampling temperatures the Messages API accepts; a run is refused before any call outside them.
    temperature_range = (0.0, 1.0)
    capabilities = Capabilities(
        batch=True, prompt_caching=True, images=True, thinking_budget=True, extra_body=True
    )

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
        """The SDK client for the running event loop."""
        return self._clients.get()

    def batch_client(self) -> AnthropicBatches:
        """The Message Batches API for this model (the batch capability)."""
        return AnthropicBatches(self.client, self.model)

    async def generate(self, request: GenerateRequest) -> Completion:
        params = anthropic_params(request, self.model)
        # Sampling params and --extra-body fields go in the SDK's extra_body: the SDK would
        # refuse an argument it does not know.
        passed = {*SAMPLING_PARAMS, *extra_fields(request)}
        kwargs = {k: v for k, v in params.items() if k not in passed}
        sampling = {k: params[k] for k in passed if k in params}
        if sampling:
            kwargs["extra_body"] = sampling
        try:
            message = await self.client.messages.create(**kwargs)
        except anthropic.AnthropicError as exc:
            raise to_provider_error(
                exc, sdk=anthropic, spec=self.spec, base_url=self.base_url
            ) from exc
        return completion_from_message(message)
