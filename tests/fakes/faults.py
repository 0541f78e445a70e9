"""Faults the fake servers apply to the next matching requests, in the order injected."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FaultKind = Literal["status", "slow", "late", "malformed", "invalid_json", "drop"]


@dataclass(frozen=True)
class Fault:
    """One fault for one request. `path`: only requests whose path starts with it take this
    fault (None: any request). `kind`:
    - status: answer `status` with the provider's error body (and Retry-After headers if set);
    - slow: sleep `delay` seconds, then answer normally (a client timeout fires first);
    - late: do the work at once (a batch is created), then sleep `delay` seconds before
      answering: the server acted but a client timeout loses the answer;
    - malformed: a structured answer that violates the schema (an unexpected key only);
    - invalid_json: Anthropic: text and no tool_use for a forced tool; OpenAI: content that
      is not JSON;
    - drop: close the connection without answering (a connection error)."""

    kind: FaultKind
    status: int = 0
    retry_after: str | None = None  # the header value, verbatim (seconds or an HTTP date)
    retry_after_ms: str | None = None
    delay: float = 0.0
    path: str | None = None

    @classmethod
    def rate_limit(cls, retry_after: float | str | None = 1, *, path: str | None = None) -> Fault:
        ra = None if retry_after is None else str(retry_after)
        return cls("status", status=429, retry_after=ra, path=path)

    @classmethod
    def error(
        cls, status: int, *, retry_after: float | str | None = None, path: str | None = None
    ) -> Fault:
        ra = None if retry_after is None else str(retry_after)
        return cls("status", status=status, retry_after=ra, path=path)

    @classmethod
    def server_error(cls, *, path: str | None = None) -> Fault:
        return cls("status", status=500, path=path)

    @classmethod
    def overloaded(cls, *, path: str | None = None) -> Fault:
        return cls("status", status=529, path=path)

    @classmethod
    def bad_request(cls, *, path: str | None = None) -> Fault:
        return cls("status", status=400, path=path)

    @classmethod
    def unauthorized(cls, *, path: str | None = None) -> Fault:
        return cls("status", status=401, path=path)

    @classmethod
    def slow(cls, delay: float, *, path: str | None = None) -> Fault:
        return cls("slow", delay=delay, path=path)

    @classmethod
    def late(cls, delay: float, *, path: str | None = None) -> Fault:
        return cls("late", delay=delay, path=path)

    @classmethod
    def malformed(cls, *, path: str | None = None) -> Fault:
        return cls("malformed", path=path)

    @classmethod
    def invalid_json(cls, *, path: str | None = None) -> Fault:
        return cls("invalid_json", path=path)

    @classmethod
    def drop(cls, *, path: str | None = None) -> Fault:
        return cls("drop", path=path)

    def matches(self, path: str) -> bool:
        return self.path is None or path.startswith(self.path)
