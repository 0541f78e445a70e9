"""Turn SDK exceptions (anthropic, openai) into `ProviderError` with `status`, `retryable` and
`retry_after`, so the runner's retry policy never needs to know which SDK raised.

Both SDKs share one shape: `APIStatusError` (has `.status_code` and `.response.headers`),
`APIConnectionError`, and its subclass `APITimeoutError`."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping
from typing import Any

from ...errors import ProviderError

# 408 request timeout, 409 conflict (lock contention), 429 rate limit: another attempt may work.
# Every 5xx too, incl. Anthropic's 529 overloaded.
RETRYABLE_STATUSES = frozenset({408, 409, 429})


def is_retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUSES or status >= 500


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds to wait from `retry-after-ms`, or `retry-after` (seconds or an HTTP date).
    None when absent or unparseable; never negative."""
    lowered = {k.lower(): v for k, v in headers.items()}
    ms = lowered.get("retry-after-ms")
    if ms is not None:
        try:
            return max(float(ms) / 1000.0, 0.0)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:  # pragma: no cover - older Pythons returned None on bad input
        return None
    return max(when.timestamp() - (time.time() if now is None else now), 0.0)


def _api_message(body: object) -> str | None:
    """The `error.message` of an Anthropic or OpenAI error body, if present."""
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict) and isinstance(err.get("message"), str):
            return str(err["message"])
        if isinstance(body.get("message"), str):
            return str(body["message"])
    return None


def to_provider_error(exc: Exception, *, sdk: Any, spec: str, base_url: str) -> ProviderError:
    """Map one SDK exception. `sdk` is the imported module (`anthropic` or `openai`); `spec`
    and `base_url` make the message say which model and which server failed."""
    if isinstance(exc, sdk.APITimeoutError):
        return ProviderError(f"{spec}: request to {base_url} timed out", retryable=True)
    if isinstance(exc, sdk.APIConnectionError):
        cause = exc.__cause__ or exc
        return ProviderError(
            f"{spec}: cannot reach {base_url} ({type(cause).__name__}: {cause})",
            retryable=True,
            unreachable=True,
        )
    if isinstance(exc, sdk.APIStatusError):
        status = int(exc.status_code)
        detail = _api_message(exc.body) or str(exc)
        return ProviderError(
            f"{spec}: HTTP {status} from {base_url}: {detail}",
            retryable=is_retryable_status(status),
            status=status,
            retry_after=parse_retry_after(exc.response.headers),
        )
    return ProviderError(f"{spec}: {type(exc).__name__}: {exc}", retryable=False)
