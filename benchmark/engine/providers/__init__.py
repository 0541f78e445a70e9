"""Model providers behind one small async interface (see `base.Provider`)."""

from __future__ import annotations

import math

from ...errors import SpecError
from .anthropic_provider import AnthropicProvider
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
from .openai_provider import OpenAIProvider
from .replay import ReplayProvider

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
        return AnthropicProvider(model, base_url=base_url, timeout=timeout)
    if provider == "openai":
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
