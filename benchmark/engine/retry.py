"""The runner's retry policy: capped attempts, exponential backoff with full jitter, and the
server's Retry-After honoured. Providers make one attempt per call; only this module retries.

Delay before retry k (k = 1 after the first failure):
    backoff = uniform(0, min(max_delay, base_delay * 2**(k-1)))      (full jitter)
    delay   = min(max(backoff, retry_after), max_delay)
A Retry-After is a floor (waiting less would only earn another 429), but it is capped at
`max_delay`, so a server asking for an hour cannot stall a run: the attempt cap then decides."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from ..errors import ProviderError

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 60.0
    # Full jitter spreads concurrent clients that failed together (AWS architecture blog,
    # "Exponential Backoff And Jitter"); False gives the plain exponential ceiling.
    jitter: bool = True

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("RetryPolicy.max_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("RetryPolicy delays must not be negative")

    def delay(
        self,
        attempt: int,
        retry_after: float | None = None,
        rand: Callable[[], float] = random.random,
    ) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        backoff = ceiling * rand() if self.jitter else ceiling
        if retry_after is not None:
            backoff = max(backoff, retry_after)
        return min(backoff, self.max_delay)


async def call_with_retries(
    fn: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    on_retry: Callable[[int, ProviderError, float], None] | None = None,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    rand: Callable[[], float] = random.random,
) -> T:
    """Await `fn()` until it succeeds, a non-retryable ProviderError occurs, or
    `policy.max_attempts` attempts have failed; then the last error is raised.
    `on_retry(attempt, error, delay)` is called before each wait. Other exceptions propagate
    at once: they are bugs, not transient failures."""
    attempt = 1
    while True:
        try:
            return await fn()
        except ProviderError as err:
            if not err.retryable or attempt >= policy.max_attempts:
                raise
            wait = policy.delay(attempt, err.retry_after, rand)
            if on_retry is not None:
                on_retry(attempt, err, wait)
            await sleep(wait)
            attempt += 1
