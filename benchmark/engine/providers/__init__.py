"""Model providers behind one small async interface (see `base.Provider`).

The Anthropic and OpenAI providers are imported on first use: their SDKs take about 2 s to
import, which every leaderboard process (the app, each build worker) would otherwise pay
only to read this package's light parts (base records, spec parsing)."""

from __future__ import annotations

import importlib
import math
from typing import TYPE_CHECKING, Any

from ...errors import SpecError
from .base import (
    BatchClient,
    BatchProvider,
    Capabilities,
    Completion,
    GenerateRequest,
    GenerationParams,
    Provider,
    StructuredOutput,
    SystemBlock,
    batch_client,
)
from .endpoints import endpoint_of
from .mock_provider import MockProvider, parse_mock_spec
from .replay import ReplayProvider

if TYPE_CHECKING:
    from .anthropic_provider import AnthropicProvider
    from .openai_provider import OpenAIProvider

_SDK_PROVIDERS = {"AnthropicProvider": ".anthropic_provider", "OpenAIProvider": ".openai_provider"}


def __getattr__(name: str) -> Any:
    if name in _SDK_PROVIDERS:
        return getattr(importlib.import_module(_SDK_PROVIDERS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


PROVIDERS = ("anthropic", "openai", "replay", "mock")


def parse_spec(spec: str) -> tuple[str, str]:
    """`provider/model` -> (provider, model). The model part may itself contain slashes
    (`openai/meta-llama/Llama-3.1-8B`, `replay/runs/a/responses.jsonl`)."""
    provider, sep, model = spec.partition("/")
    if not sep or not provider:
        raise SpecError(
            f"model spec {spec!r} is not provider/model (e.g. anthropic/claude-sonnet-4-5)"
        )
    if provider not in PROVIDERS:
        raise SpecError(
            f"unknown provider {provider!r} in model spec {spec!r} "
            f"(expected one of: {', '.join(p + '/' for p in PROVIDERS)})"
        )
    if not model:
        raise SpecError(f"model spec {spec!r} names no model after '{provider}/'")
    if provider == "mock":
        parse_mock_spec(model)  # its grammar is checked with the spec, before any run dir exists
    return provider, model


def temperature_range(spec: str, base_url: str | None = None) -> tuple[float, float] | None:
    """The temperatures `spec`'s API accepts at `base_url`, or None when it takes none (replay).
    Other OpenAI-compatible servers (vLLM, Ollama, ...) set no upper limit of OpenAI's."""
    provider, _model = parse_spec(spec)
    if provider == "mock":
        return MockProvider.temperature_range
    from .anthropic_provider import AnthropicProvider
    from .openai_provider import OpenAIProvider

    if provider == "anthropic":
        return AnthropicProvider.temperature_range
    if provider == "openai":
        if endpoint_of(spec, base_url) is not None:
            return (0.0, math.inf)
        return OpenAIProvider.temperature_range
    return None


def capabilities_of(spec: str) -> Capabilities:
    """What the provider class behind `spec` declares, without building it (no API key)."""
    provider, _model = parse_spec(spec)
    from .anthropic_provider import AnthropicProvider
    from .openai_provider import OpenAIProvider

    if provider == "anthropic":
        return AnthropicProvider.capabilities
    if provider == "openai":
        return OpenAIProvider.capabilities
    if provider == "mock":
        return MockProvider.capabilities
    return ReplayProvider.capabilities


def make_provider(spec: str, *, base_url: str | None = None, timeout: float = 600.0) -> Provider:
    """Build the provider for `spec`. Fails here (SpecError) on a bad spec or a missing API
    key, so a run stops before doing any work."""
    provider, model = parse_spec(spec)
    if provider == "anthropic":
        from .anthropic_provider import AnthropicProvider

        return AnthropicProvider(model, base_url=base_url, timeout=timeout)
    if provider == "openai":
        from .openai_provider import OpenAIProvider

        return OpenAIProvider(model, base_url=base_url, timeout=timeout)
    if provider == "mock":
        return MockProvider(model)  # in-process: no base URL, nothing to time out
    return ReplayProvider(model)


__all__ = [
    "AnthropicProvider",
    "BatchClient",
    "BatchProvider",
    "Capabilities",
    "Completion",
    "GenerateRequest",
    "GenerationParams",
    "MockProvider",
    "OpenAIProvider",
    "Provider",
    "ReplayProvider",
    "StructuredOutput",
    "SystemBlock",
    "batch_client",
    "capabilities_of",
    "make_provider",
    "parse_spec",
    "temperature_range",
]
