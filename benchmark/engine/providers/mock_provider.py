"""`mock/<quality>[,<option>=<value>...]`: an in-process model and judge, for tests and demos.

It answers through the same `Provider` interface as the real providers, with no server and no
cost, so the runner, judging, cache and scoring code run unchanged. Answers are deterministic:
every draw is a hash of the request (system blocks, messages, schema, params, task, sample and
judged sample), never of the spec, so the same request always gets the same answer, repeated
samples differ, and raising the quality only turns answers good (the draws are shared).

Grammar (a SpecError names the bad part):
- quality: `good` (1.0), `bad` (0.0) or `q<number>` with the number in [0, 1] (`q0.7`).
  As a model: the share of replies that are good rather than templated (`mock_answers`).
  As a judge: P(met) of a positive item on an on-topic response (negative items: 1 - that).
- options, comma-separated, each at most once:
  `err=P`        share of requests that fail for good (a non-retryable error, like HTTP 400);
  `flaky=N`      every request fails N times with a retryable error (like HTTP 503) first;
  `trunc=P`      share of answers cut in half with stop reason `max_tokens`;
  `malformed=P`  share of judge answers that leave out their last item;
  `ungrounded=P` share of met verdicts whose evidence quotes words the response never says;
  `latency=S`    seconds each call takes (default 0);
  `bias=SEAT`    as a pairwise judge, where its wrong verdicts go: `first` (the response shown
                 first, A), `second` (B) or `none` (a random seat, the default).
A structured request is answered as a judge request: a pairwise one (criteria asking for a
`winner`) by `mock_answers.pairwise_answer`, which prefers the more relevant response with
probability `quality`; any other by `mock_answers.judge_answer` (one entry per id the schema
requires). An answer longer than the request's `max_tokens` (at four characters a
token) is cut there with stop reason `max_tokens`, as a real API does. Usage counts four
characters a token; system blocks marked for caching count as cache reads.

For tests: `MockProvider.requests` lists the requests an instance received, and when the
environment variable MUSEBENCH_MOCK_LOG names a file, every call appends one JSON line to it
(spec, task_id, sample, response_sample, kind, outcome); the variable is read at each call, so
child processes given it log too."""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import os
import re
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from ...errors import ProviderError, SpecError
from ...records.schemas import Usage
from .base import Capabilities, Completion, GenerateRequest
from .mock_answers import (
    Draw,
    Seat,
    is_pairwise_schema,
    judge_answer,
    model_reply,
    pairwise_answer,
)

LOG_ENV = "MUSEBENCH_MOCK_LOG"
QUALITY_NAMES = {"good": 1.0, "bad": 0.0}
CHARS_PER_TOKEN = 4
_QUALITY = re.compile(r"q(\d+(?:\.\d*)?|\.\d+)")


@dataclass(frozen=True)
class MockSettings:
    """A parsed `mock/...` spec. The option names are the spec's keys (see the module doc)."""

    quality: float
    err: float = 0.0
    flaky: int = 0
    trunc: float = 0.0
    malformed: float = 0.0
    ungrounded: float = 0.0
    latency: float = 0.0
    bias: Seat = "none"  # pairwise judge: the seat its wrong verdicts go to


SEATS: tuple[Seat, ...] = ("first", "second", "none")
_SHARES = ("err", "trunc", "malformed", "ungrounded")


def _option(spec: str, key: str, raw: str) -> float | int:
    try:
        value = int(raw) if key == "flaky" else float(raw)
    except ValueError:
        value = math.nan
    if key == "flaky" and isinstance(value, int) and value >= 0:
        return value
    if key in _SHARES and 0 <= value <= 1:
        return value
    if key == "latency" and 0 <= value < math.inf:
        return value
    want = {"flaky": "a whole number >= 0", "latency": "seconds >= 0"}.get(key, "a share in [0, 1]")
    raise SpecError(f"model spec {spec!r}: {key}={raw!r} must be {want}")


def parse_mock_spec(name: str) -> MockSettings:
    """The settings of `mock/<name>`."""
    spec = f"mock/{name}"
    quality_part, *option_parts = name.split(",")
    quality = QUALITY_NAMES.get(quality_part)
    match = _QUALITY.fullmatch(quality_part)
    if quality is None and match and float(match.group(1)) <= 1:
        quality = float(match.group(1))
    if quality is None:
        raise SpecError(
            f"model spec {spec!r}: quality {quality_part!r} is not good, bad or q<number in 0..1>"
        )
    known = {f.name for f in fields(MockSettings)} - {"quality"}
    options: dict[str, Any] = {}
    for part in option_parts:
        key, sep, raw = part.partition("=")
        if not sep or key not in known:
            raise SpecError(
                f"model spec {spec!r}: option {part!r} is not one of "
                + ", ".join(f"{k}=..." for k in sorted(known))
            )
        if key in options:
            raise SpecError(f"model spec {spec!r}: option {key!r} given twice")
        if key == "bias":
            if raw not in SEATS:
                raise SpecError(f"model spec {spec!r}: bias={raw!r} must be first, second or none")
            options[key] = raw
            continue
        options[key] = _option(spec, key, raw)
    return MockSettings(quality=quality, **options)


def request_digest(request: GenerateRequest) -> bytes:
    """What every draw for `request` is seeded by: its content, not the spec."""
    payload = {
        "system": [[b.text, b.cache] for b in request.system],
        "messages": [[m.role, m.content] for m in request.messages],
        "structured": None if request.structured is None else request.structured.schema,
        "params": request.params.as_dict(),
        "task_id": request.task_id,
        "sample": request.sample,
        "response_sample": request.response_sample,
    }
    if request.images:  # other pictures, other draws; text-only draws are unchanged
        payload["images"] = [[im.label, im.sha256] for im in request.images]
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).digest()


def _tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def request_usage(request: GenerateRequest) -> Usage:
    """Input tokens of `request`; system blocks up to the last one marked for caching are read
    from the (pretend) prompt cache."""
    cached_upto = max((i + 1 for i, b in enumerate(request.system) if b.cache), default=0)
    cached = sum(_tokens(b.text) for b in request.system[:cached_upto])
    rest = [b.text for b in request.system[cached_upto:]]
    rest += [m.content for m in request.messages]
    if request.structured is not None:
        rest.append(json.dumps(request.structured.schema))
    return Usage(input_tokens=sum(_tokens(t) for t in rest), cache_read_tokens=cached)


@dataclass
class MockProvider:
    """The provider for `mock/<name>` (see the module doc)."""

    name: str
    temperature_range: ClassVar[tuple[float, float]] = (0.0, math.inf)  # it only reseeds draws
    # Cached like a paid provider, so tests of caching and resume can run on it.
    # Accepts images (it reads only their fingerprints) and every generation param (it only
    # hashes them into its draws), so multimodal judging and the flags can be tested.
    capabilities: ClassVar[Capabilities] = Capabilities(
        images=True, seed=True, reasoning_effort=True, thinking_budget=True, extra_body=True
    )
    settings: MockSettings = field(init=False)
    spec: str = field(init=False)
    endpoint: str | None = field(default=None, init=False)  # in-process: no server
    requests: list[GenerateRequest] = field(default_factory=list, init=False)
    _failures: dict[bytes, int] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.settings = parse_mock_spec(self.name)
        self.spec = f"mock/{self.name}"

    async def generate(self, request: GenerateRequest) -> Completion:
        self.requests.append(request)
        if self.settings.latency:
            await asyncio.sleep(self.settings.latency)
        digest = request_digest(request)

        def draw(label: str) -> float:
            h = hashlib.sha256(digest + label.encode("utf-8")).digest()
            return int.from_bytes(h[:8], "big") / 2**64

        try:
            self._fail_if_asked(digest, draw)
            completion = self._answer(request, draw)
        except ProviderError:
            self._log(request, "error")
            raise
        self._log(request, "ok")
        return completion

    def _fail_if_asked(self, digest: bytes, draw: Draw) -> None:
        done = self._failures.get(digest, 0)
        if done < self.settings.flaky:
            self._failures[digest] = done + 1
            raise ProviderError(
                f"{self.spec}: injected transient failure {done + 1} of {self.settings.flaky}",
                retryable=True,
                status=503,
            )
        if draw("error") < self.settings.err:
            raise ProviderError(
                f"{self.spec}: injected error (err={self.settings.err:g})",
                retryable=False,
                status=400,
            )

    def _answer(self, request: GenerateRequest, draw: Draw) -> Completion:
        s = self.settings
        user = next((m.content for m in reversed(request.messages) if m.role == "user"), "")
        structured: dict[str, Any] | None = None
        if request.structured is not None:
            schema = request.structured.schema
            ids = [str(i) for i in schema.get("required", [])]
            if is_pairwise_schema(schema):
                structured = pairwise_answer(user, ids, quality=s.quality, draw=draw, bias=s.bias)
            else:
                # The judge prompt puts the task and items in the system, the response in
                # the user message: read them all.
                prompt = "\n".join([*(b.text for b in request.system), user])
                structured = judge_answer(
                    prompt, ids, quality=s.quality, draw=draw, ungrounded=s.ungrounded
                )
            if ids and draw("malformed") < s.malformed:
                structured.pop(ids[-1])
            text = json.dumps(structured, ensure_ascii=False)
            stop = "tool_use"
        else:
            text = model_reply(user, good=draw("quality") < s.quality, draw=draw)
            stop = "end_turn"
        limit = request.params.max_tokens * CHARS_PER_TOKEN
        if draw("trunc") < s.trunc:
            limit = min(limit, len(text) // 2)
        if len(text) > limit:
            text, structured, stop = text[:limit], None, "max_tokens"
        usage = request_usage(request).model_copy(update={"output_tokens": _tokens(text)})
        return Completion(
            text=text, usage=usage, structured=structured, stop_reason=stop, model=self.name
        )

    def _log(self, request: GenerateRequest, outcome: str) -> None:
        path = os.environ.get(LOG_ENV)
        if not path:
            return
        line = {
            "spec": self.spec,
            "task_id": request.task_id,
            "sample": request.sample,
            "response_sample": request.response_sample,
            "kind": "judge" if request.structured is not None else "model",
            "outcome": outcome,
        }
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(line) + "\n")
