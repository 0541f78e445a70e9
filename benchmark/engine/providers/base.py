"""The provider interface: one async `generate` method, nothing else.

Retries, caching and concurrency belong to the runner (benchmark.engine.retry, benchmark.engine.cache,
benchmark.engine.runner), never to a provider: a provider makes exactly one attempt per call and
raises `ProviderError` with `retryable` set when another attempt could succeed."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from ...errors import ProviderError, UsageError
from ...records.runspec import GenerationParams
from ...records.schemas import Message, Usage
from ..retry import RetryPolicy


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
class ImagePart:
    """A PNG shown to the model after `label`, both after the text of the request's last user
    message (a rendered page's screenshots for a multimodal judge). Its sha256 is part of the
    cache key, so other pictures with the same text never share an answer."""

    label: str
    png: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.png).hexdigest()


@dataclass(frozen=True)
class GenerateRequest:
    messages: list[Message]
    params: GenerationParams = field(default_factory=GenerationParams)
    system: tuple[SystemBlock, ...] = ()
    structured: StructuredOutput | None = None
    # Sent after the last user message's text; only to providers with Capabilities(images=True).
    images: tuple[ImagePart, ...] = ()
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


@dataclass(frozen=True)
class Capabilities:
    """What a provider can do beyond `generate`, declared by its class, so that callers never
    recognise a provider by its spec prefix."""

    batch: bool = False  # has `batch_client()` (see BatchProvider): a half-price batch API
    prompt_caching: bool = False  # honours `SystemBlock.cache`
    replay: bool = False  # answers from recorded responses: free, so not worth caching
    images: bool = False  # sends GenerateRequest.images (image input)
    # Generation params it sends (GenerationParams); preflight refuses the others by flag.
    seed: bool = False
    reasoning_effort: bool = False
    thinking_budget: bool = False
    extra_body: bool = False


@runtime_checkable
class Provider(Protocol):
    """A model behind a spec like `anthropic/claude-sonnet-4-5`."""

    spec: str  # the full `provider/model` spec, as recorded in run files
    # The server behind the spec when it is not the provider's public API (providers.endpoints):
    # part of every cache key and of the run's identity.
    endpoint: str | None

    @property
    def capabilities(self) -> Capabilities:  # pragma: no cover
        """What it can do beyond `generate` (a class attribute in every provider)."""
        ...

    async def generate(self, request: GenerateRequest) -> Completion:  # pragma: no cover
        ...


class BatchClient(Protocol):
    """A provider's batch API bound to one model and event loop. Stateless: the caller records
    batch ids (batch_log) so that a killed run can poll and collect a batch still in flight."""

    async def submit(self, requests: Sequence[tuple[str, GenerateRequest]]) -> str:
        """Create one batch of (custom_id, request) pairs and return its id."""
        ...  # pragma: no cover

    async def poll(
        self, batch_id: str, *, interval: float, timeout: float | None, retry: RetryPolicy
    ) -> None:
        """Return when the batch has ended; BatchPollTimeout after `timeout` seconds,
        BatchGone when the server does not know it."""
        ...  # pragma: no cover

    async def results(
        self, batch_id: str, *, retry: RetryPolicy
    ) -> dict[str, Completion | ProviderError]:
        """Every entry of an ended batch by custom_id."""
        ...  # pragma: no cover

    async def find_created(self, n_requests: int, since: datetime, exclude: set[str]) -> str | None:
        """The id of a batch of `n_requests` created since `since` and not in `exclude`: the
        batch a create call whose answer was lost may have made."""
        ...  # pragma: no cover

    def may_have_created(self, err: ProviderError) -> bool:
        """Whether a failed `submit` may have created its batch all the same."""
        ...  # pragma: no cover


@runtime_checkable
class BatchProvider(Provider, Protocol):
    """A provider with `Capabilities(batch=True)`."""

    def batch_client(self) -> BatchClient: ...  # pragma: no cover


def batch_client(provider: Provider, flag: str = "--batch") -> BatchClient:
    """The batch API of `provider`, or a one-line UsageError naming `flag` if it has none."""
    if not provider.capabilities.batch or not isinstance(provider, BatchProvider):
        raise UsageError(f"{flag}: {provider.spec} has no batch API (anthropic/ judges have one)")
    return provider.batch_client()
