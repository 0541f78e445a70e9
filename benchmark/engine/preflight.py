"""Everything a run is given, checked before its first paid call.

A value that can only fail later (a negative seed at scoring, a temperature the API rejects on
every call, a timeout that times every call out) is refused here with a one-line UsageError
naming its flag, so no run pays for work it cannot finish."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any, Protocol

from ..errors import StorageError, UsageError
from ..measure.cost import load_prices
from ..records.runspec import DEFAULT_MAX_TOKENS, REASONING_EFFORTS, ReasoningEffort
from ._budget import require_price
from .cache import ResponseCache
from .judging import SAMPLE_STRIDE
from .providers import capabilities_of, parse_spec, temperature_range


class RunOptions(Protocol):
    """The fields of `runconfig.RunConfig` checked here (None: not given, as recorded)."""

    model: str | None
    judge: str | None
    base_url: str | None
    judge_base_url: str | None
    samples: int | None
    concurrency: int
    seed: int | None
    temperature: float | None
    max_tokens: int | None
    top_p: float | None
    system_prompt: str | None
    reasoning_effort: ReasoningEffort | None
    thinking_budget: int | None
    extra_body: str | dict[str, Any] | None
    judge_temperature: float | None
    judge_max_tokens: int
    judge_samples: int
    timeout: float
    batch: bool
    batch_wait: float | None
    batch_poll_interval: float
    max_cost: float | None
    prices_path: str | Path | None


def _whole(value: object, flag: str, low: int, high: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageError(f"{flag} must be a whole number, not {value!r}")
    if value < low or (high is not None and value > high):
        span = f"at least {low}" if high is None else f"between {low} and {high}"
        raise UsageError(f"{flag} must be {span}, not {value}")


def _number(value: object, flag: str, *, positive: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise UsageError(f"{flag} must be a finite number, not {value!r}")
    if value < 0 or (positive and value == 0):
        raise UsageError(f"{flag} must be {'above' if positive else 'at least'} 0, not {value:g}")
    return float(value)


def _temperature(value: float | None, flag: str, spec: str, base_url: str | None) -> None:
    if value is None:
        return
    t = _number(value, flag, positive=False)
    bounds = temperature_range(spec, base_url)
    if bounds is not None and not bounds[0] <= t <= bounds[1]:
        provider = spec.split("/", 1)[0]
        raise UsageError(
            f"{flag} must be between {bounds[0]:g} and {bounds[1]:g} for {provider}/ models, "
            f"not {t:g}"
        )


def check_options(opts: RunOptions) -> None:
    """Raise UsageError for the first value a run could not complete with."""
    for spec in (opts.model, opts.judge):
        if spec is not None:
            parse_spec(spec)
    if opts.samples is not None:
        _whole(opts.samples, "--samples", 1)
    _whole(opts.concurrency, "--concurrency", 1)
    if opts.seed is not None:
        _whole(opts.seed, "--seed", 0)
    if opts.max_tokens is not None:
        _whole(opts.max_tokens, "--max-tokens", 1)
    _whole(opts.judge_max_tokens, "judge_max_tokens", 1)
    _whole(opts.judge_samples, "--judge-samples", 1, SAMPLE_STRIDE)
    _number(opts.timeout, "--timeout", positive=True)
    _number(opts.batch_poll_interval, "batch_poll_interval", positive=False)
    if opts.batch_wait is not None:
        _number(opts.batch_wait, "--batch-wait", positive=False)
    if opts.batch and opts.judge is not None and not capabilities_of(opts.judge).batch:
        # Before --dry-run prices a batch discount the judge cannot have, and before any call.
        raise UsageError(f"--batch: {opts.judge} has no batch API (anthropic/ judges have one)")
    if opts.model is not None:
        _temperature(opts.temperature, "--temperature", opts.model, opts.base_url)
    if opts.judge is not None:
        _temperature(opts.judge_temperature, "--judge-temperature", opts.judge, opts.judge_base_url)
    check_generation(opts)
    if opts.max_cost is not None:
        _number(opts.max_cost, "--max-cost", positive=True)
        prices = load_prices(opts.prices_path)
        for spec in (opts.model, opts.judge):
            if spec is not None and not capabilities_of(spec).replay:
                require_price(spec, prices)


# Body fields a run sets itself: --extra-body may not replace them (the run would not be what
# its manifest says).
RESERVED_BODY = ("model", "messages", "system", "max_tokens", "max_completion_tokens")


def _supported(spec: str, flag: str, capability: str) -> None:
    if not getattr(capabilities_of(spec), capability):
        provider = spec.split("/", 1)[0]
        raise UsageError(f"{flag}: {provider}/ models do not take it")


def _extra_body(value: str | dict[str, Any]) -> None:
    try:
        obj = json.loads(value) if isinstance(value, str) else value
    except json.JSONDecodeError as err:
        raise UsageError(f"--extra-body: not JSON ({err.msg} at char {err.pos})") from None
    if not isinstance(obj, dict):
        raise UsageError("--extra-body: must be a JSON object, e.g. '{\"top_k\": 40}'")
    clash = sorted(set(obj) & set(RESERVED_BODY))
    if clash:
        raise UsageError(f"--extra-body: sets {', '.join(clash)}, which the run sets itself")


def _thinking(opts: RunOptions, budget: object) -> None:
    # Anthropic's documented bounds: at least 1024 tokens, below max_tokens, and no
    # temperature but 1 while thinking.
    _whole(budget, "--thinking-budget", 1024)
    assert isinstance(budget, int)
    if opts.temperature not in (None, 1, 1.0):
        raise UsageError("--thinking-budget: the provider takes no --temperature but 1 with it")
    if opts.model is None and opts.max_tokens is None:
        return  # a resume keeps the recorded max_tokens, compared with the recorded budget
    max_tokens = opts.max_tokens or DEFAULT_MAX_TOKENS
    if budget >= max_tokens:
        raise UsageError(
            f"--thinking-budget must be below --max-tokens ({max_tokens}), not {budget}"
        )


def check_generation(opts: RunOptions) -> None:
    """The model's generation flags (GenerationParams), each against what its provider takes.
    Without --model a flag is compared with the recorded model part on resume
    (RunConfig._on_recorded): a value that differs is refused there, naming it."""
    model = opts.model
    if opts.top_p is not None:
        p = _number(opts.top_p, "--top-p", positive=False)
        if p > 1:
            raise UsageError(f"--top-p must be between 0 and 1, not {p:g}")
    if opts.system_prompt is not None and not opts.system_prompt.strip():
        raise UsageError("--system-prompt: empty")
    if opts.reasoning_effort is not None:
        if opts.reasoning_effort not in REASONING_EFFORTS:
            raise UsageError(
                f"--reasoning-effort must be one of {', '.join(REASONING_EFFORTS)}, "
                f"not {opts.reasoning_effort!r}"
            )
        if model is not None:
            _supported(model, "--reasoning-effort", "reasoning_effort")
    if opts.thinking_budget is not None:
        if model is not None:  # first: no budget value helps a provider without thinking
            _supported(model, "--thinking-budget", "thinking_budget")
        _thinking(opts, opts.thinking_budget)
    if opts.extra_body is not None:
        _extra_body(opts.extra_body)
        if model is not None:
            _supported(model, "--extra-body", "extra_body")


def check_out_dir(path: Path, flag: str) -> None:
    """`path` is a directory this process can write in, or one it can create (nothing is
    created here: bad input leaves no trace)."""
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        where = "exists" if existing == path else f"is under {existing}, which exists"
        raise UsageError(f"{flag} {path}: {where} and is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        where = "" if existing == path else f" ({existing})"
        raise UsageError(f"{flag} {path}: the directory{where} is not writable")


def check_cache(path: Path, flag: str) -> None:
    """`path` is, or can become, an SQLite cache."""
    try:
        ResponseCache(path).close()
    except StorageError as err:
        raise StorageError(f"{flag} {err}") from None
