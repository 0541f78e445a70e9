"""The Anthropic Message Batches API (half price, results within 24 h) through the SDK: the
batch capability of AnthropicProvider (`AnthropicBatches` is its `BatchClient`).

Stateless on purpose: `submit` returns the batch id, and the runner stores it in the run
directory so that a killed run can `poll` and fetch `results` of the batch still in flight;
`find_created` finds a batch whose create call lost its answer (the API takes no idempotency
key). Requests and replies use the same conversion as AnthropicProvider (anthropic_convert). Reads (retrieve, list,
results) are free and retried under the runner's RetryPolicy; a 404 is `BatchGone`."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

import anthropic
from anthropic.types.messages import MessageBatch, MessageBatchIndividualResponse

from ...errors import BatchGone, BatchPollTimeout, ProviderError
from ..retry import RetryPolicy, call_with_retries
from .anthropic_convert import anthropic_params, completion_from_message
from .base import Completion, GenerateRequest
from .sdk_errors import is_retryable_status, to_provider_error

# API limits on one batch (Message Batches docs).
MAX_REQUESTS = 100_000
# How much earlier than our create call the server's clock may date the batch it made.
CLOCK_SKEW = timedelta(minutes=5)
LIST_PAGE = 100
DEFAULT_RETRY = RetryPolicy()
CUSTOM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")

# An `errored` entry carries an error object; its type tells whether resubmitting can help.
ERROR_STATUS = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "timeout_error": 504,
    "overloaded_error": 529,
}


def _url(client: anthropic.AsyncAnthropic) -> str:
    return str(client.base_url)


def _error(
    exc: anthropic.AnthropicError, client: anthropic.AsyncAnthropic, what: str
) -> ProviderError:
    err = to_provider_error(exc, sdk=anthropic, spec=what, base_url=_url(client))
    if err.status == 404:
        return BatchGone(str(err), retryable=False, status=404)
    return err


# Answers after which a create call may still have made its batch: gateway errors in front of
# a server that may have finished (an error without a status is a timeout or a lost connection).
AMBIGUOUS_STATUSES = frozenset({500, 502, 504})


def may_have_created(err: ProviderError) -> bool:
    """Whether a failed `submit` may have created its batch all the same (the API takes no
    idempotency key, so only `find_created` can tell)."""
    return err.status is None or err.status in AMBIGUOUS_STATUSES


async def submit(
    client: anthropic.AsyncAnthropic,
    requests: Sequence[tuple[str, GenerateRequest]],
    model: str,
) -> str:
    """Create one batch of `(custom_id, request)` pairs for `model` (the API model name, as in
    AnthropicProvider.model) and return its id. Custom ids must be unique and match
    [a-zA-Z0-9_-]{1,64}."""
    if not requests:
        raise ValueError("a batch needs at least one request")
    if len(requests) > MAX_REQUESTS:
        raise ValueError(f"a batch holds at most {MAX_REQUESTS} requests, got {len(requests)}")
    seen: set[str] = set()
    for custom_id, _ in requests:
        if not CUSTOM_ID.match(custom_id):
            raise ValueError(f"batch custom_id {custom_id!r} must match [a-zA-Z0-9_-]{{1,64}}")
        if custom_id in seen:
            raise ValueError(f"batch custom_id {custom_id!r} is used twice")
        seen.add(custom_id)
    body = [{"custom_id": cid, "params": anthropic_params(req, model)} for cid, req in requests]
    try:
        batch = await client.messages.batches.create(requests=body)  # type: ignore[arg-type]
    except anthropic.AnthropicError as exc:
        raise to_provider_error(
            exc, sdk=anthropic, spec=f"anthropic/{model} batch", base_url=_url(client)
        ) from exc
    return batch.id


async def poll(
    client: anthropic.AsyncAnthropic,
    batch_id: str,
    *,
    interval: float = 30.0,
    timeout: float | None = None,
    on_tick: Callable[[MessageBatch], None] | None = None,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
    retry: RetryPolicy = DEFAULT_RETRY,
) -> MessageBatch:
    """Retrieve the batch every `interval` seconds until its processing has ended and return
    that final batch. `on_tick` sees every retrieved state (for progress bars). A failed
    retrieval (a timeout, a 5xx) is retried under `retry`, since a poll may run for hours;
    `BatchGone` at once on a 404; `BatchPollTimeout` after `timeout` seconds (None: wait as
    long as it takes)."""
    start = clock()

    async def retrieve() -> MessageBatch:
        try:
            return await client.messages.batches.retrieve(batch_id)
        except anthropic.AnthropicError as exc:
            raise _error(exc, client, f"batch {batch_id}") from exc

    while True:
        batch = await call_with_retries(retrieve, retry, sleep=sleep)
        if on_tick is not None:
            on_tick(batch)
        if batch.processing_status == "ended":
            return batch
        if timeout is not None and clock() - start + interval > timeout:
            raise BatchPollTimeout(
                f"batch {batch_id} has not ended after {clock() - start:.0f} s "
                "(it keeps running; poll again with the same id)",
                retryable=True,
            )
        await sleep(interval)


def _entry_outcome(entry: MessageBatchIndividualResponse) -> Completion | ProviderError:
    result = entry.result
    where = f"batch request {entry.custom_id}"
    if result.type == "succeeded":
        return completion_from_message(result.message)
    if result.type == "errored":
        error = result.error.error
        status = ERROR_STATUS.get(error.type)
        retryable = status is None or is_retryable_status(status)
        return ProviderError(
            f"{where}: {error.type}: {error.message}", retryable=retryable, status=status
        )
    # expired (not processed within 24 h) or canceled: resubmitting may well succeed.
    return ProviderError(f"{where}: {result.type}", retryable=True)


async def results(
    client: anthropic.AsyncAnthropic,
    batch_id: str,
    *,
    retry: RetryPolicy = DEFAULT_RETRY,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> dict[str, Completion | ProviderError]:
    """Every entry of an ended batch by custom_id: a Completion, or a ProviderError for an
    errored, expired or canceled request. Results come in any order; match them by id. A
    failed download is started again under `retry` (downloads are free)."""

    async def download() -> dict[str, Completion | ProviderError]:
        out: dict[str, Completion | ProviderError] = {}
        try:
            decoder = await client.messages.batches.results(batch_id)
            async for entry in decoder:
                out[entry.custom_id] = _entry_outcome(entry)
        except anthropic.AnthropicError as exc:
            raise _error(exc, client, f"batch {batch_id}") from exc
        return out

    return await call_with_retries(download, retry, sleep=sleep)


async def find_created(
    client: anthropic.AsyncAnthropic,
    n_requests: int,
    since: datetime,
    exclude: set[str],
) -> str | None:
    """The id of a batch of `n_requests` requests created since `since` (less CLOCK_SKEW) and
    not in `exclude`, or None. A create call whose answer was lost (a timeout, a dropped
    connection, a kill) may still have made its batch; looking for it before creating another
    keeps one set of requests from being paid twice. The oldest match wins (batches are listed
    newest first), since it is the one the first lost call made."""
    cutoff = since - CLOCK_SKEW
    found: str | None = None
    try:
        async for batch in client.messages.batches.list(limit=LIST_PAGE):
            if batch.created_at < cutoff:
                break
            c = batch.request_counts
            total = c.processing + c.succeeded + c.errored + c.canceled + c.expired
            if total == n_requests and batch.id not in exclude:
                found = batch.id
    except anthropic.AnthropicError as exc:
        raise _error(exc, client, "listing batches") from exc
    return found


class AnthropicBatches:
    """`BatchClient` for one model over one SDK client (that of the running event loop)."""

    def __init__(self, client: anthropic.AsyncAnthropic, model: str) -> None:
        self.client = client
        self.model = model

    async def submit(self, requests: Sequence[tuple[str, GenerateRequest]]) -> str:
        return await submit(self.client, requests, self.model)

    async def poll(
        self, batch_id: str, *, interval: float, timeout: float | None, retry: RetryPolicy
    ) -> None:
        await poll(self.client, batch_id, interval=interval, timeout=timeout, retry=retry)

    async def results(
        self, batch_id: str, *, retry: RetryPolicy
    ) -> dict[str, Completion | ProviderError]:
        return await results(self.client, batch_id, retry=retry)

    async def find_created(self, n_requests: int, since: datetime, exclude: set[str]) -> str | None:
        return await find_created(self.client, n_requests, since, exclude)

    def may_have_created(self, err: ProviderError) -> bool:
        return may_have_created(err)
