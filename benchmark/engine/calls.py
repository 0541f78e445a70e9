"""The wrapper that owns everything around a provider call: cache, bounded concurrency,
retries with backoff, and accounting (calls, cache hits, failures, tokens) for progress and cost.
Providers themselves make exactly one attempt."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import MusebenchError, ProviderError, StorageError, UsageError
from ..records.schemas import Usage
from ._budget import Budget
from .cache import ResponseCache, cache_key
from .providers.base import Completion, GenerateRequest, Provider
from .retry import RetryPolicy, call_with_retries


@dataclass
class CallStats:
    calls: int = 0  # requests that reached the provider (each paid attempt)
    cache_hits: int = 0
    retries: int = 0
    failures: int = 0  # calls that failed after their last attempt
    usage: Usage = field(default_factory=Usage)  # tokens of paid calls only

    @property
    def total_tokens(self) -> int:
        u = self.usage
        return u.input_tokens + u.output_tokens + u.cache_read_tokens + u.cache_write_tokens


class CallsHalted(MusebenchError):
    """A call not started because the run has already failed (see `CallService.halt`)."""


class CallService:
    """`await service(request)`: a cached, retried, concurrency-bounded call to one provider."""

    def __init__(
        self,
        provider: Provider,
        cache: ResponseCache | None,
        semaphore: asyncio.Semaphore,
        policy: RetryPolicy,
        *,
        on_change: Callable[[], None] | None = None,
        halted: asyncio.Event | None = None,
        budget: Budget | None = None,
    ):
        self.provider = provider
        self.budget = budget  # --max-cost, shared by the services of one run
        self.cache = cache
        self.semaphore = semaphore
        self.policy = policy
        self.stats = CallStats()
        self._reached = False  # has any call to this provider succeeded yet?
        # Shared by the services of one run, so that halting one halts all.
        self._halted = halted if halted is not None else asyncio.Event()
        self._on_change = on_change or (lambda: None)

    def halt(self) -> None:
        """Start no more paid calls (cached answers are still served). After a fatal error
        (a full disk) a call could not be stored: paying for it would only mean paying again."""
        self._halted.set()

    @property
    def spec(self) -> str:
        return self.provider.spec

    @property
    def endpoint(self) -> str | None:
        return self.provider.endpoint

    def cached(self, request: GenerateRequest) -> Completion | None:
        if self.cache is None:
            return None
        return self.cache.get(cache_key(self.provider.spec, request, self.endpoint))

    async def __call__(self, request: GenerateRequest) -> Completion:
        key = cache_key(self.provider.spec, request, self.endpoint)
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                self.stats.cache_hits += 1
                self._on_change()
                return hit

        def on_retry(attempt: int, err: ProviderError, delay: float) -> None:
            self.stats.retries += 1
            self._on_change()

        held: list[float] = []  # what the budget holds for this call, once it has a slot

        async def attempt() -> Completion:
            async with self.semaphore:
                if self._halted.is_set():
                    raise CallsHalted(f"{self.spec}: call not made, the run has stopped")
                if self.budget is not None and not held:
                    held.append(self.budget.reserve(self.spec, [request]))
                self.stats.calls += 1
                try:
                    completion = await self.provider.generate(request)
                except ProviderError as err:
                    if err.unreachable and not self._reached:
                        raise UsageError(str(err)) from None
                    raise
                self._reached = True
                return completion

        try:
            completion = await call_with_retries(attempt, self.policy, on_retry=on_retry)
        except ProviderError:
            self.stats.failures += 1
            self._on_change()
            raise
        finally:
            if self.budget is not None and held:
                self.budget.settle(held[0], self.spec, None)
        if self.budget is not None and held:
            self.budget.settle(0.0, self.spec, completion.usage)
        # Store before anyone records the result, so a kill after this point never pays twice.
        if self.cache is not None:
            try:
                self.cache.put(key, self.provider.spec, completion)
            except StorageError:
                self.halt()  # at once: a call started now could not be stored either
                raise
        self.stats.usage = self.stats.usage + completion.usage
        self._on_change()
        return completion

    def prefill(self, request: GenerateRequest, completion: Completion) -> None:
        """Store a completion obtained elsewhere (a Message Batch result) under its key."""
        if self.cache is not None:
            self.cache.put(
                cache_key(self.provider.spec, request, self.endpoint),
                self.provider.spec,
                completion,
            )
        if self.budget is not None:
            self.budget.settle(0.0, self.spec, completion.usage, batch=True)
        self.stats.usage = self.stats.usage + completion.usage
