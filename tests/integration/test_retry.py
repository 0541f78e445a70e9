"""The runner's retry policy, with injected sleep and random for exact delays, and end to end
against the fake server through the real SDK."""

from __future__ import annotations

import asyncio
import email.utils
from typing import Any

import pytest

from benchmark.engine.providers import GenerateRequest, make_provider
from benchmark.engine.providers.sdk_errors import parse_retry_after
from benchmark.engine.retry import RetryPolicy, call_with_retries
from benchmark.errors import ProviderError
from benchmark.records.schemas import Message
from tests.fakes import FakeAnthropic, Fault


class Script:
    """An async callable failing with the given errors in turn, then returning "ok"."""

    def __init__(self, *errors: Exception):
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def transient(retry_after: float | None = None) -> ProviderError:
    return ProviderError("HTTP 529", retryable=True, status=529, retry_after=retry_after)


def retry(
    fn: Any, policy: RetryPolicy, rand: float = 1.0
) -> tuple[Any, list[float], list[tuple[int, float]]]:
    slept: list[float] = []
    seen: list[tuple[int, float]] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async def go() -> Any:
        return await call_with_retries(
            fn,
            policy,
            on_retry=lambda attempt, err, delay: seen.append((attempt, delay)),
            sleep=sleep,
            rand=lambda: rand,
        )

    return asyncio.run(go()), slept, seen


def test_succeeds_after_transient_failures_with_exponential_backoff() -> None:
    fn = Script(transient(), transient(), transient())
    result, slept, seen = retry(fn, RetryPolicy(base_delay=1.0, max_delay=60.0), rand=1.0)
    assert result == "ok" and fn.calls == 4
    assert slept == [1.0, 2.0, 4.0]  # ceiling doubles; rand=1.0 takes the full ceiling
    assert seen == [(1, 1.0), (2, 2.0), (3, 4.0)]


def test_attempt_cap_reraises_last_error() -> None:
    errors = [ProviderError(f"fail {i}", retryable=True, status=500) for i in range(10)]
    fn = Script(*errors)
    with pytest.raises(ProviderError, match="fail 5"):
        retry(fn, RetryPolicy(max_attempts=6))
    assert fn.calls == 6


def test_backoff_is_capped_at_max_delay() -> None:
    fn = Script(*[transient() for _ in range(7)])
    _, slept, _ = retry(fn, RetryPolicy(max_attempts=8, base_delay=1.0, max_delay=10.0))
    assert slept == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0]


def test_full_jitter_scales_the_ceiling() -> None:
    fn = Script(transient(), transient())
    _, slept, _ = retry(fn, RetryPolicy(base_delay=2.0), rand=0.25)
    assert slept == [0.5, 1.0]
    no_jitter = RetryPolicy(base_delay=2.0, jitter=False)
    assert [no_jitter.delay(k, rand=lambda: 0.0) for k in (1, 2, 3)] == [2.0, 4.0, 8.0]


def test_retry_after_is_a_floor_capped_at_max_delay() -> None:
    fn = Script(
        transient(retry_after=7.0), transient(retry_after=500.0), transient(retry_after=0.1)
    )
    _, slept, _ = retry(fn, RetryPolicy(base_delay=1.0, max_delay=60.0), rand=0.0)
    assert slept == [7.0, 60.0, 0.1]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_non_retryable_is_not_retried(status: int) -> None:
    fn = Script(ProviderError("nope", retryable=False, status=status))
    with pytest.raises(ProviderError, match="nope"):
        retry(fn, RetryPolicy())
    assert fn.calls == 1


def test_other_exceptions_propagate_at_once() -> None:
    fn = Script(KeyError("bug"))
    with pytest.raises(KeyError):
        retry(fn, RetryPolicy())
    assert fn.calls == 1


def test_policy_validation() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="negative"):
        RetryPolicy(base_delay=-1)


def test_defaults() -> None:
    policy = RetryPolicy()
    assert (policy.max_attempts, policy.base_delay, policy.max_delay, policy.jitter) == (
        6,
        1.0,
        60.0,
        True,
    )


# ---------------------------------------------------------------------------- header parsing

NOW = 1_700_000_000.0


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "30"}, 30.0),
        ({"Retry-After": "1.5"}, 1.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after-ms": "soon", "retry-after": "9"}, 9.0),
        ({"retry-after": "-4"}, 0.0),
        ({"retry-after": email.utils.formatdate(NOW + 120, usegmt=True)}, 120.0),
        ({"retry-after": email.utils.formatdate(NOW - 120, usegmt=True)}, 0.0),
        ({"retry-after": "next tuesday"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers, now=NOW) == expected


# ---------------------------------------------------------------------------- end to end


def test_provider_with_retries_against_fake(fake_anthropic: FakeAnthropic) -> None:
    """429 (Retry-After: 0), 529 and a dropped connection, then success: four HTTP attempts,
    one per call_with_retries attempt (the SDK itself never retries)."""
    fake_anthropic.inject(Fault.rate_limit(0), Fault.overloaded(), Fault.drop())
    provider = make_provider("anthropic/m")
    request = GenerateRequest(messages=[Message(role="user", content="hello")])
    retries: list[tuple[int, int | None]] = []

    async def go() -> Any:
        return await call_with_retries(
            lambda: provider.generate(request),
            RetryPolicy(base_delay=0.01, max_delay=0.05),
            on_retry=lambda attempt, err, delay: retries.append((attempt, err.status)),
        )

    completion = asyncio.run(go())
    assert completion.text == "Fake reply to: hello"
    assert retries == [(1, 429), (2, 529), (3, None)]
    assert [r.status for r in fake_anthropic.requests] == [429, 529, -1, 200]
