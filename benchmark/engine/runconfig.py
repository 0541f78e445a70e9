"""A command's arguments (`RunConfig`, flat, as the CLI flags and the Python API give them),
split once into what the run is (`runspec.RunSpec`, recorded in the manifest) and how it
executes (`ExecOptions`, never recorded: changing them never changes a number).

An argument left out (None) means "as the run directory already is": `musebench judge RUN_DIR
--judge J` takes the model from the manifest, a resume without `--samples` keeps the recorded
count. An argument given must agree with the recorded spec, or the resume is refused naming
every field that differs."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import RunDirError, UsageError
from ..records.runspec import (
    DEFAULT_JUDGE_MODE,
    DEFAULT_MAX_TOKENS,
    GenerationParams,
    JudgeMode,
    JudgeSpec,
    ModelSpec,
    PromptFingerprint,
    ReasoningEffort,
    RunSpec,
    SuiteRef,
    spec_differences,
)
from ..suite import Suite
from .judging.prompt import prompt_fingerprint
from .providers import capabilities_of
from .providers.endpoints import endpoint_of
from .retry import RetryPolicy


@dataclass(frozen=True)
class ExecOptions:
    """How a run executes. None of it is part of the run's identity."""

    concurrency: int = 16  # calls in flight, model and judge together
    timeout: float = 600.0  # seconds per API call
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    cache_path: Path | None = None  # None: RUN_DIR/cache.sqlite
    batch: bool = False  # first judge asks through the judge provider's batch API
    batch_poll_interval: float = 30.0
    batch_wait: float | None = None  # seconds to wait for a batch; None: until it ends
    progress: bool = True
    max_cost: float | None = None  # None: no cap
    prices_path: Path | None = None  # prices for the cap (None: the shipped list prices)


@dataclass
class RunConfig:
    """The arguments of one command. None: as recorded in the run directory (or the default
    for a new run: all tasks, 1 sample, seed 0). `model` and `judge` bring their own settings:
    when `model` is None the whole recorded model part (spec, server, params) is kept, and so
    for `judge`."""

    model: str | None = None
    judge: str | None = None
    samples: int | None = None
    tasks: str | None = None
    concurrency: int = 16
    base_url: str | None = None
    judge_base_url: str | None = None
    seed: int | None = None
    temperature: float | None = None
    max_tokens: int | None = None  # None: as recorded; DEFAULT_MAX_TOKENS with a new --model
    top_p: float | None = None
    system_prompt: str | None = None  # the text (the CLI reads `@FILE`)
    reasoning_effort: ReasoningEffort | None = None
    thinking_budget: int | None = None
    extra_body: str | dict[str, Any] | None = None  # a JSON object, or its text
    judge_temperature: float | None = None
    judge_max_tokens: int = 2048
    judge_samples: int = 1
    judge_mode: JudgeMode = DEFAULT_JUDGE_MODE
    batch: bool = False
    batch_poll_interval: float = 30.0
    batch_wait: float | None = None
    suite_dir: str | Path | None = None
    cache_path: str | Path | None = None
    timeout: float = 600.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    progress: bool = True
    max_cost: float | None = None  # US dollars this command may spend (budget.Budget)
    prices_path: str | Path | None = None  # --prices: overrides the shipped list prices

    def options(self) -> ExecOptions:
        return ExecOptions(
            concurrency=self.concurrency,
            timeout=self.timeout,
            retry=self.retry,
            cache_path=Path(self.cache_path) if self.cache_path else None,
            batch=self.batch,
            batch_poll_interval=self.batch_poll_interval,
            batch_wait=self.batch_wait,
            progress=self.progress,
            max_cost=self.max_cost,
            prices_path=Path(self.prices_path) if self.prices_path else None,
        )

    def _params_given(self, model: str) -> dict[str, Any]:
        """The generation params these arguments give for `model` (None: left out). The run's
        seed is sent to the model only when its provider takes one."""
        return {
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "top_p": self.top_p,
            "seed": self.seed if capabilities_of(model).seed else None,
            "system_prompt": self.system_prompt,
            "reasoning_effort": self.reasoning_effort,
            "thinking_budget": self.thinking_budget,
            "extra_body": canonical_json(self.extra_body),
        }

    def model_spec(self, recorded_seed: int | None = None) -> ModelSpec | None:
        """The model part these arguments ask for; a resume without `--seed` keeps the seed
        recorded."""
        if self.model is None:
            return None
        given = self._params_given(self.model)
        if given["seed"] is None and capabilities_of(self.model).seed:
            given["seed"] = recorded_seed
        if given["max_tokens"] is None:
            given["max_tokens"] = DEFAULT_MAX_TOKENS
        return ModelSpec(
            spec=self.model,
            endpoint=endpoint_of(self.model, self.base_url),
            params=GenerationParams(**given),
        )

    def _on_recorded(self, recorded: ModelSpec) -> ModelSpec:
        """The recorded model part (kept whole without `--model`) with the model flags given
        laid over it: a resume then compares them with the manifest (check_resumable names each
        one that differs) instead of dropping them."""
        given = {k: v for k, v in self._params_given(recorded.spec).items() if v is not None}
        endpoint = recorded.endpoint
        if self.base_url is not None:
            endpoint = endpoint_of(recorded.spec, self.base_url)
        params = dataclasses.replace(recorded.params, **given)
        return recorded.model_copy(update={"endpoint": endpoint, "params": params})

    def judge_params(self) -> GenerationParams:
        """The judge's params: pinned, 0 for a single verdict; K independent samples need some
        temperature."""
        temp = self.judge_temperature
        if temp is None:
            temp = 0.0 if self.judge_samples == 1 else 1.0
        return GenerationParams(temperature=temp, max_tokens=self.judge_max_tokens)

    def judge_spec(self) -> JudgeSpec | None:
        if self.judge is None:
            return None
        return JudgeSpec(
            spec=self.judge,
            endpoint=endpoint_of(self.judge, self.judge_base_url),
            params=self.judge_params(),
            prompt=current_prompt(),
            samples=self.judge_samples,
            mode=self.judge_mode,
        )

    def spec(self, suite: Suite, recorded: RunSpec | None = None) -> RunSpec:
        """The spec these arguments ask for on `suite`, arguments left out taken from the
        `recorded` spec of an existing run."""
        model = self.model_spec(recorded.model.params.seed if recorded else None) or (
            self._on_recorded(recorded.model) if recorded else None
        )
        if model is None:
            raise UsageError("--model: required (e.g. anthropic/claude-sonnet-4-5)")
        if self.tasks is not None or recorded is None:
            tasks = tuple(t.id for t in suite.select(self.tasks))
        else:
            tasks = recorded.tasks
        return RunSpec(
            suite=suite_ref(suite),
            tasks=tasks,
            samples=_given(self.samples, recorded.samples if recorded else 1),
            seed=_given(self.seed, recorded.seed if recorded else 0),
            model=model,
            judge=self.judge_spec() or (recorded.judge if recorded else None),
        )


def canonical_json(value: str | dict[str, Any] | None) -> str | None:
    """`value` (a JSON object or its text, checked by preflight) as sorted-key JSON text."""
    if value is None:
        return None
    obj = json.loads(value) if isinstance(value, str) else value
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def _given(value: int | None, otherwise: int) -> int:
    return otherwise if value is None else value


def suite_ref(suite: Suite) -> SuiteRef:
    return SuiteRef(
        version=suite.version,
        hash=suite.suite_hash,
        rubric_versions=suite.rubric_versions,
        rubric_hashes=dict(sorted(suite.rubric_hashes.items())),
    )


def check_resumable(recorded: RunSpec, wanted: RunSpec, run_dir: Path) -> None:
    """A run directory is resumed only under its own spec. A run generated without a judge
    takes the judge of the first command that brings one."""
    if recorded.judge is None:
        recorded = recorded.model_copy(update={"judge": wanted.judge})
    diffs = spec_differences(recorded, wanted)
    if diffs:
        raise RunDirError(
            f"{run_dir}: existing run has a {', a '.join(diffs)}; "
            "resume it with the same arguments or choose a new --out"
        )
    # A resume without --judge keeps the recorded judge, whose prompt this musebench may no
    # longer send: its remaining items would be judged with another prompt than the rest.
    prompt = wanted.judge.prompt if wanted.judge is not None else None
    now = current_prompt()
    if prompt is not None and prompt != now:
        raise RunDirError(
            f"{run_dir}: judged with judge prompt {prompt.version} ({prompt.sha256[:12]}); this "
            f"musebench judges with {now.version} ({now.sha256[:12]}) and never mixes two "
            "prompts in one run: score or report it as it is, or judge into a new --out"
        )


def current_prompt() -> PromptFingerprint:
    """The judge prompt this musebench sends (judging.prompt_fingerprint)."""
    fp = prompt_fingerprint()
    return PromptFingerprint(version=fp["prompt_version"], sha256=fp["prompt_sha256"])
