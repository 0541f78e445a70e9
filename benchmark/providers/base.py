"""The provider interface: one async `generate` method, nothing else.

Retries, caching and concurrency belong to the runner (benchmark.retry, benchmark.cache,
benchmark.runner), never to a provider: a provider makes exactly one attempt per call and
raises `ProviderError` with `retryable` set when another attempt could succeed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from ..schemas import Message, Usage


@dataclass(frozen=True)
class SystemBlock:
    """One block of the system prompt. `cache=True` marks the end of a static prefix for
    prompt caching (Anthropic `cache_control: ephemeral`); providers without caching ignore it."""

    text: str
    cache: bool = False


@dataclass(frozen=True)
class StructuredOutput:
    """Ask for a JSON object matching `schema`: a forced tool on Anthropic, a strict
    `response_format: json_schema` on OpenAI-compatible servers."""

    name: str
    description: str
    schema: dict[str, Any]


@dataclass(frozen=True)
class GenerationParams:
    temperature: float | None = None
    max_tokens: int = 1024
    top_p: float | None = None
    seed: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class GenerateRequest:
    messages: list[Message]
    params: GenerationParams = field(default_factory=GenerationParams)
    system: tuple[SystemBlock, ...] = ()
    structured: StructuredOutput | None = None
    # Metadata, not sent to APIs: the replay provider looks responses up by (task_id, sample),
    # and the cache key includes `sample` so that repeated samples never collapse onto one key.
    task_id: str | None = None
    sample: int = 0
    # For judge calls: which response sample is judged, so that two samples with identical
    # text are still judged (and paid for, and accounted) separately.
    response_sample: int | None = None


@dataclass(frozen=True)
class Completion:
    text: str
    usage: Usage = field(default_factory=Usage)
    # The parsed JSON object for structured requests (tool input / response_format), else None.
    # A structured request whose answer cannot be parsed still returns a Completion, with
    # `structured=None` and the raw text, so the judge can treat it as a malformed value.
    structured: dict[str, Any] | None = None
    stop_reason: str | None = None
    model: str | None = None


@runtime_checkable
class Provider(Protocol):
    """A model behind a spec like `anthropic/claude-sonnet-4-5`."""

    spec: str  # the full `provider/model` spec, as recorded in run files
    # The server behind the spec when it is not the provider's public API (providers.endpoints):
    # part of every cache key and of the run's identity.
    endpoint: str | None

    async def generate(self, request: GenerateRequest) -> Completion:  # pragma: no cover
        ...
