"""What a run *is*: the frozen, typed spec that manifest.json records and a resume must match.

Everything that can change a number is here (the suite and tasks, the model and the server it
was called at with its generation params, the judge with its params and prompt, the samples and
the seed); nothing about how the run executes (concurrency, timeouts, retries, cache, batching,
progress) is. A run directory is resumed only by a command whose spec equals the recorded one,
and a refusal names every field that differs (`spec_differences`).

This module depends on pydantic alone, so the records (schemas), the providers and the runner
can all import it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

JudgeMode = Literal["response", "dimension", "item"]
JUDGE_MODES: tuple[str, ...] = ("response", "dimension", "item")
# What a run judges with when no mode is given. Runs recorded without a mode (schema v1
# manifests, JudgeSpec below) were judged per dimension, and keep that reading.
DEFAULT_JUDGE_MODE: JudgeMode = "response"


ReasoningEffort = Literal["minimal", "low", "medium", "high"]
REASONING_EFFORTS: tuple[str, ...] = ("minimal", "low", "medium", "high")


DEFAULT_MAX_TOKENS = 2048  # a new model part's max_tokens when --max-tokens is left out


@dataclass(frozen=True)
class GenerationParams:
    """What the model is asked with. A field left None is not sent (and not in the cache key,
    so runs recorded before a field existed keep their keys)."""

    temperature: float | None = None
    max_tokens: int = 1024
    top_p: float | None = None
    seed: int | None = None  # sent only to providers that accept one (Capabilities.seed)
    system_prompt: str | None = None  # the run's system prompt, before the task's own
    reasoning_effort: ReasoningEffort | None = None  # OpenAI reasoning models
    thinking_budget: int | None = None  # Anthropic extended thinking, in tokens
    # Extra JSON body fields passed through as given, kept as canonical JSON text (sorted keys)
    # so that the params stay hashable and compare equal whatever the key order given.
    extra_body: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SuiteRef(_Frozen):
    """The suite a run answered, by version and content hash (rubrics included)."""

    version: str
    hash: str
    rubric_versions: dict[str, str]
    rubric_hashes: dict[str, str]


class ModelSpec(_Frozen):
    spec: str  # provider/model, as in run files
    # The server when it is not the provider's public API (providers.endpoints): two servers
    # behind one spec are two different models.
    endpoint: str | None = None
    params: GenerationParams


class PromptFingerprint(_Frozen):
    """The judge prompt's version and the sha256 of its file (judging.prompt)."""

    version: str
    sha256: str


class JudgeSpec(_Frozen):
    spec: str
    endpoint: str | None = None
    params: GenerationParams
    # None only in v1 manifests written before the prompt was recorded.
    prompt: PromptFingerprint | None
    samples: int = Field(default=1, ge=1)  # independent verdicts per item
    # One judge call per response, per (response, dimension) or per item. The default is
    # what runs recorded before the field existed did (new runs record theirs).
    mode: JudgeMode = "dimension"


class RunSpec(_Frozen):
    suite: SuiteRef
    tasks: tuple[str, ...]  # task ids, in suite order
    samples: int = Field(ge=1)  # responses per task
    seed: int = Field(ge=0)  # seeds the bootstrap
    model: ModelSpec
    judge: JudgeSpec | None  # None: generated only, not judged yet


def _shown(name: str, value: Any) -> str:
    if isinstance(value, SuiteRef):
        return f"{value.version} ({value.hash[:12]})"
    if isinstance(value, tuple) and name == "tasks":
        return f"{len(value)} tasks"
    if isinstance(value, str) and len(value) > 60:  # a system prompt: its start is enough
        return repr(value[:57] + "...")
    if isinstance(value, PromptFingerprint):
        return f"{value.version} ({value.sha256[:12]})"
    return str(value)


def _fields(spec: RunSpec) -> dict[str, Any]:
    """The spec flattened to one level: `model endpoint`, `model temperature`, `judge samples`,
    ... (a section's `spec` field is named after the section; each generation param by its own
    name, so a refusal names the flag that differs)."""
    out: dict[str, Any] = {}
    for name in RunSpec.model_fields:
        value = getattr(spec, name)
        if not isinstance(value, ModelSpec | JudgeSpec):
            out[name] = value
            continue
        for sub in type(value).model_fields:
            part = getattr(value, sub)
            if isinstance(part, GenerationParams):
                out.update({f"{name} {param}": v for param, v in vars(part).items()})
            else:
                out[name if sub == "spec" else f"{name} {sub}"] = part
    return out


def spec_differences(recorded: RunSpec, wanted: RunSpec) -> list[str]:
    """`different NAME (recorded; this command: wanted)` for every field that differs, in the
    spec's field order. A section present on one side only differs as a whole."""
    a, b = _fields(recorded), _fields(wanted)
    return [
        f"different {name} ({_shown(name, a.get(name))}; this command: {_shown(name, b.get(name))})"
        for name in dict.fromkeys([*a, *b])
        if a.get(name) != b.get(name)
    ]
