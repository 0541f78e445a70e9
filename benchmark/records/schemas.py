"""Pydantic schemas for everything musebench reads or writes: suite files (dimensions, tasks,
items, checks) and run-directory records (responses, judgments, manifest, scores).

The on-disk contracts are in DESIGN.md; field names here follow it exactly."""

from __future__ import annotations

from typing import Annotated, Any, Literal, cast

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    StrictBool,
    StrictInt,
    Tag,
    field_serializer,
    field_validator,
    model_serializer,
    model_validator,
)
from typing_extensions import TypedDict

from .check_models import (
    AcrosticCheck,
    AlphabeticalStartsCheck,
    AnyPhrasesCheck,
    CharactersCheck,
    CrisisResourceCheck,
    DialogueShareCheck,
    ForeignCrisisResourceCheck,
    LineCountCheck,
    RefrainCheck,
    RegexCheck,
    RhymeCheck,
    SlopRateCheck,
    StanzaShapeCheck,
    SyllablesCheck,
    UnchangedOutsideCheck,
)
from .check_models_rendered import (
    AlignmentCheck,
    AxeRuleCheck,
    NoHorizontalOverflowCheck,
    RenderedContrastCheck,
    TargetSizeCheck,
    TextNotClippedCheck,
    VisibleFocusCheck,
)
from .runspec import JudgeMode, RunSpec

# manifest.json's schema_version: 2 nests the run spec (runspec.RunSpec); 1 (flat) is still read.
SCHEMA_VERSION: Literal[2] = 2

Category = Literal["creative_writing", "visual_design", "emotional_intelligence"]
CATEGORIES: tuple[str, ...] = ("creative_writing", "visual_design", "emotional_intelligence")

ID_PATTERN = r"^[a-z0-9][a-z0-9_]*$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------- checks
# A check decides an item locally. Its verdict is True when the *item* is met, so the
# item's text must read as the check's condition (e.g. "At most 300 words").


class WordCountCheck(_Strict):
    type: Literal["word_count"]
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=1)
    # None: the whole response (all assistant turns joined). Otherwise the assistant turns named
    # as question_count's `turn` names them, each within the bounds (a per-turn word cap).
    turn: Literal["each", "any", "first", "last"] | int | None = None

    @model_serializer(mode="wrap")
    def _omit_unset_turn(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Without a turn the check serialises as before it had one (published suite data).
        data: dict[str, Any] = handler(self)
        if self.turn is None:
            data.pop("turn", None)
        return data


class ParagraphCountCheck(_Strict):
    type: Literal["paragraph_count"]
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=1)


class QuestionCountCheck(_Strict):
    """Counts question marks outside quotations/code in assistant turns."""

    type: Literal["question_count"]
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)
    # "each": every assistant turn must satisfy the bounds; "any": at least one must (failure
    # items: "A reply asks three or more questions"); "last"/"first" or a 0-based index.
    turn: Literal["each", "any", "first", "last"] | int = "each"


class BannedPhrasesCheck(_Strict):
    """Met when none of the phrases occurs (case-insensitive, word-bounded)."""

    type: Literal["banned_phrases"]
    phrases: list[str] = Field(min_length=1)


class RequiredPhrasesCheck(_Strict):
    """Met when every phrase occurs (case-insensitive)."""

    type: Literal["required_phrases"]
    phrases: list[str] = Field(min_length=1)


class HtmlElementsCheck(_Strict):
    """Met when the HTML in the response has every listed element (tag names)."""

    type: Literal["html_elements"]
    required: list[str] = Field(min_length=1)


# What a check about elements decides when the page has none of them (no <img>, no form control,
# no text colour that resolves against a background). "not_applicable" takes the item out of
# both sums without counting against coverage: for a brief that does not require the element.
# "not_met": the brief requires it, so its absence fails. "met" is suite 1.x's behaviour, kept so
# that runs of those versions score as they did; a suite 2 item must name one of the other two.
WhenAbsent = Literal["met", "not_met", "not_applicable"]


class ImagesHaveAltCheck(_Strict):
    """Met when every <img> has a non-empty alt (or an explicit alt="" with role=presentation)."""

    type: Literal["images_have_alt"]
    when_absent: WhenAbsent = "met"


class InputsHaveLabelsCheck(_Strict):
    """Met when every visible form control has a <label for>, a wrapping label or aria-label."""

    type: Literal["inputs_have_labels"]
    when_absent: WhenAbsent = "met"


class ContrastCheck(_Strict):
    """WCAG 2.x: met when every resolvable text/background colour pair reaches `min_ratio`."""

    type: Literal["contrast"]
    min_ratio: float = Field(default=4.5, ge=1.0, le=21.0)
    when_absent: WhenAbsent = "met"


Check = Annotated[
    WordCountCheck
    | ParagraphCountCheck
    | QuestionCountCheck
    | BannedPhrasesCheck
    | RequiredPhrasesCheck
    | HtmlElementsCheck
    | ImagesHaveAltCheck
    | InputsHaveLabelsCheck
    | ContrastCheck
    | CharactersCheck
    | RegexCheck
    | AnyPhrasesCheck
    | DialogueShareCheck
    | SlopRateCheck
    | LineCountCheck
    | StanzaShapeCheck
    | SyllablesCheck
    | AcrosticCheck
    | AlphabeticalStartsCheck
    | RefrainCheck
    | RhymeCheck
    | UnchangedOutsideCheck
    | CrisisResourceCheck
    | ForeignCrisisResourceCheck
    | RenderedContrastCheck
    | TargetSizeCheck
    | NoHorizontalOverflowCheck
    | VisibleFocusCheck
    | TextNotClippedCheck
    | AxeRuleCheck
    | AlignmentCheck,
    Field(discriminator="type"),
]


# --------------------------------------------------------------------------- suite


class Examples(_Strict):
    met: str = Field(min_length=1)
    not_met: str = Field(min_length=1)


JudgeSees = Literal["source", "screenshots"]


class RubricItem(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    dimension: str = Field(pattern=ID_PATTERN)
    text: str = Field(min_length=1)
    # Strict: `points: true` or `points: "3"` is a mistake, not a 1 or a 3.
    points: StrictInt = Field(ge=-10, le=10)
    guidance: str = ""
    examples: Examples | None = None
    check: Check | None = None
    # A ceiling item separates good from great (a trope earned, an ending that recasts the
    # piece); competence alone does not meet it. A `hard` task carries at least two.
    ceiling: StrictBool = False
    # What the LLM judge is shown: the response's source alone (absent), or also the
    # screenshots of the page its HTML renders (`[source, screenshots]`, docs/RUBRIC_GUIDE.md).
    judge_sees: list[JudgeSees] | None = None

    @field_validator("judge_sees")
    @classmethod
    def _sees_source(cls, v: list[JudgeSees] | None) -> list[JudgeSees] | None:
        if v is not None and (len(set(v)) != len(v) or "source" not in v):
            raise ValueError(
                "judge_sees lists each of source, screenshots at most once and always source "
                "(evidence is quoted from the response)"
            )
        return v

    @field_validator("points")
    @classmethod
    def _nonzero(cls, v: int) -> int:
        if v == 0:
            raise ValueError("points must be non-zero (an item worth 0 cannot change a score)")
        return v

    @model_validator(mode="after")
    def _ceiling_is_positive(self) -> RubricItem:
        if self.ceiling and self.points < 0:
            raise ValueError("a ceiling item rewards what lifts a response; it cannot be negative")
        if self.judge_sees is not None and self.check is not None:
            raise ValueError("judge_sees is for items the LLM judge decides, not for a check")
        return self

    @property
    def judged_by_llm(self) -> bool:
        return self.check is None

    @property
    def sees_screenshots(self) -> bool:
        return self.judge_sees is not None and "screenshots" in self.judge_sees


class SharedItemRef(_Strict):
    """Use an item defined once in a rubric file (`rubrics/<dimension>.yaml: items`)."""

    use: str = Field(pattern=r"^[a-z0-9_]+\.[a-z0-9_]+$")  # "<dimension>.<item_id>"
    points: StrictInt | None = Field(default=None, ge=-10, le=10)


class Dimension(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    version: str = Field(min_length=1)
    description: str = Field(min_length=1)
    judge_guidance: str = ""
    items: list[RubricItem] = Field(default_factory=list)  # shared items tasks may `use`
    # From suite 2: a task may file items under this dimension only if it carries one of these
    # tags (world_consistency needs world rules), so a dimension's score means what it says.
    # Empty: any task.
    scope_tags: list[str] = Field(default_factory=list)


def _item_kind(v: Any) -> str:
    return (
        "SharedItemRef"
        if isinstance(v, dict | SharedItemRef) and (isinstance(v, SharedItemRef) or "use" in v)
        else "RubricItem"
    )


TaskItem = Annotated[
    Annotated[RubricItem, Tag("RubricItem")] | Annotated[SharedItemRef, Tag("SharedItemRef")],
    Discriminator(_item_kind),
]


Variant = Literal["plain", "creative"]


class HistoryTurn(_Strict):
    role: Literal["user", "assistant"]
    content: str = Field(min_length=1)


class Task(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    category: Category
    title: str = Field(min_length=1)
    canary: str | None = None
    system: str | None = None
    # A fixed-history task: the conversation so far, given (user first, alternating, ending with
    # an assistant turn); the model answers `prompt`, the user's next message, only. The given
    # turns are never judged as the model's.
    history: list[HistoryTurn] = Field(default_factory=list)
    prompt: str = Field(min_length=1)
    # Scripted user turns, sent one at a time after each assistant reply.
    turns: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    # Paired prompts: the same brief asked plainly and with an invitation to be fully creative;
    # a run's vanilla gap is how far its plain answers score below its creative ones.
    pair: str | None = Field(default=None, pattern=ID_PATTERN)
    variant: Variant | None = None
    # The language the task is written and answered in (a BCP 47 tag: en, fr, es-MX, ko);
    # its items are written natively in it, not translated.
    language: str = Field(default="en", pattern=LANGUAGE_PATTERN)
    # What makes a response an attempt at *this* brief (the page carries the brief's own total,
    # say). When the gate is not met, no positive programmatic item is met: a generic page's good
    # contrast or labelled input earns nothing on a brief it did not answer.
    gate: Check | None = None
    items: list[TaskItem] = Field(min_length=1)

    @model_validator(mode="after")
    def _pair_has_a_variant(self) -> Task:
        if (self.pair is None) != (self.variant is None):
            raise ValueError("a paired task names both `pair` (the other task) and `variant`")
        return self

    @model_validator(mode="after")
    def _history_alternates(self) -> Task:
        roles = [h.role for h in self.history]
        expected = ["user" if i % 2 == 0 else "assistant" for i in range(len(roles))]
        if roles != expected or len(roles) % 2:
            raise ValueError(
                "history must alternate user and assistant turns, starting with user and ending "
                "with assistant (the model answers `prompt`, the user's next message)"
            )
        return self

    @property
    def multi_turn(self) -> bool:
        return bool(self.turns)


class ResolvedTask(_Strict):
    """A task whose shared-item references have been replaced by the items themselves."""

    id: str
    category: Category
    title: str
    system: str | None
    history: list[HistoryTurn] = Field(default_factory=list)
    prompt: str
    turns: list[str]
    tags: list[str]
    items: list[RubricItem]
    source: str  # file path, for error messages
    pair: str | None = None
    variant: Variant | None = None
    language: str = "en"
    gate: Check | None = None

    @property
    def multi_turn(self) -> bool:
        return bool(self.turns)

    def item(self, item_id: str) -> RubricItem:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)

    def given_messages(self) -> list[Message]:
        """The fixed history as transcript messages, marked as given."""
        return [Message(role=h.role, content=h.content, given=True) for h in self.history]


# --------------------------------------------------------------------------- run records


# Run files keep one JSON type per column (docs/FORMATS.md "Fixed column types"): `datasets`
# infers a column's type from the first file it reads, so a column that is null on every line
# of one run (no errors) and a string in another (one error line) cannot be concatenated. On
# disk "no value" is therefore "" for strings, [] for lists and zero tokens for usage; in Python
# it stays None, and null is still read from files written before.


def _none_from_empty(value: Any) -> Any:
    return None if value == "" or value == [] else value


class MessageOnDisk(TypedDict):
    """A transcript message as run files hold it (the JSON Schema of `Message` as written)."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]
    role: Literal["system", "user", "assistant"]
    content: str
    given: bool


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["system", "user", "assistant"]
    content: str
    # Part of a fixed-history task's given conversation, not written by the model under
    # evaluation. Always in run files (false for the model's own turns: a struct column has one
    # set of fields in every file); in a Python dump only when true, as before.
    given: bool = False

    @model_serializer(mode="wrap")
    def _given_in_files(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> MessageOnDisk:
        data: dict[str, Any] = handler(self)
        if not self.given and not info.mode_is_json():
            data.pop("given", None)
        return cast(MessageOnDisk, data)


class Usage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cache_read_tokens=self.cache_read_tokens + other.cache_read_tokens,
            cache_write_tokens=self.cache_write_tokens + other.cache_write_tokens,
        )


# How a generation ended (benchmark.engine.providers.stop maps each provider's word to one of these):
# the model finished, a length limit cut it off, or anything else (refusal, content filter).
StopReason = Literal["end", "max_tokens", "other"]


class ResponseRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    task_id: str
    sample: int = Field(ge=0)
    model: str
    transcript: list[Message]
    text: str
    usage: Usage = Field(default_factory=Usage)
    error: str | None = None
    # The worst stop of its assistant turns (max_tokens if any turn was cut off); None when
    # unknown: lines written before stop reasons were recorded, or a provider that gave none.
    stop_reason: StopReason | None = None

    _empty_is_none = field_validator("error", "stop_reason", mode="before")(_none_from_empty)

    @field_serializer("error", "stop_reason", when_used="json")
    def _none_as_empty(self, value: str | None) -> str:
        return "" if value is None else value


# Why a judgment has no verdict: no response to judge, the judge call failed (after retries),
# the judge's answer was unusable (after re-asks), its quote was not in the response, judge
# samples tied, no judge was given, a check could not decide.
ErrorKind = Literal[
    "no_response",
    "judge_call_failed",
    "malformed",
    "ungrounded",
    "tied",
    "not_judged",
    "check_undecided",
]

# Who decided a judgment; `judge` holds the judge spec for "judge", else one of these words.
JudgmentSource = Literal["judge", "check", "none"]
CHECK = "check"
NO_JUDGE = "none"


def _zero_usage_is_none(value: Any) -> Any:
    if isinstance(value, dict) and not any(value.values()):
        return None
    return value


# A judgment line's "no value" fields: "" / [] / zero usage (as files write them) read as None
# by these validators. Each sits inside the field's own `| None`, so that a null (older files)
# is None without a call into Python for every line; any other value passes through the
# validator and then the field's type, exactly as a before-validator on the field would.
_EMPTY_IS_NONE = BeforeValidator(_none_from_empty)


class JudgmentRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    task_id: str
    sample: int = Field(ge=0)
    model: str
    item_id: str
    dimension: str
    points: int
    verdict: bool | None
    evidence: str = ""
    rationale: str = ""
    judge: str  # judge spec, or CHECK for programmatic items, or NO_JUDGE
    error: Annotated[str | None, _EMPTY_IS_NONE] | None = None
    # The kind of `error`: None without one (and in lines written before kinds were
    # recorded); on disk "" then, like `error`.
    error_kind: Annotated[ErrorKind | None, _EMPTY_IS_NONE] | None = None
    # A check that does not apply to this response (the brief does not require what it checks,
    # and the response has none of it): verdict None, no error, out of both sums and of coverage.
    not_applicable: bool = False
    # False when the evidence quote does not occur verbatim in the response (flagged, not trusted).
    grounded: bool | None = None
    # With --judge-samples K: every verdict drawn and the share agreeing with the majority.
    votes: Annotated[list[bool | None] | None, _EMPTY_IS_NONE] | None = None
    vote_agreement: float | None = None
    # The judge call's tokens, on the first record of the items it judged together; on disk
    # zeros elsewhere (checks, the call's other items), None in Python.
    usage: Annotated[Usage | None, BeforeValidator(_zero_usage_is_none)] | None = None
    # The provider's id of the judge response the verdict was read from, when recorded (written
    # only then). One judge call answers one group of items of one response, so the leaderboard
    # rejects an id found on lines of two groups, or in two bundles.
    response_id: str | None = Field(default=None, exclude_if=lambda v: v is None)

    @field_serializer("error", "error_kind", when_used="json")
    def _error_as_empty(self, value: str | None) -> str:
        return "" if value is None else value

    @field_serializer("votes", when_used="json")
    def _votes_as_list(self, value: list[bool | None] | None) -> list[bool | None]:
        return [] if value is None else value

    @field_serializer("usage", when_used="json")
    def _usage_as_zeros(self, value: Usage | None) -> dict[str, int]:
        return (value or Usage()).model_dump()

    @property
    def source(self) -> JudgmentSource:
        """Who decided the item: an LLM judge, a programmatic check, or no one."""
        if self.judge == CHECK:
            return "check"
        return "none" if self.judge == NO_JUDGE else "judge"


# What scoring decides: `partial` under 99% coverage.
ScoreStatus = Literal["complete", "partial"]
# A run's state in its manifest: `running` while a process works on it (and after a kill -9,
# which nothing can record), `stopped` when it ended early (Ctrl-C, --max-cost, an error),
# then what scoring decided.
RunStatus = Literal["running", "stopped", "complete", "partial"]


class Counts(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tasks: int = 0
    responses_expected: int = 0
    responses_done: int = 0
    responses_failed: int = 0
    judgments_expected: int = 0
    judgments_done: int = 0
    judgments_failed: int = 0
    judgments_not_applicable: int = 0  # checks that do not apply: neither done nor failed


class Manifest(BaseModel):
    """manifest.json, schema version 2: the run's identity (`spec`, a RunSpec) and its state.
    Version 1 files (the spec's fields flat at the top level) are read as version 2; the flat
    names stay available as read-only properties."""

    model_config = ConfigDict(extra="forbid")
    schema_version: Literal[2] = SCHEMA_VERSION
    run_id: str
    created_at: str
    musebench_version: str
    spec: RunSpec
    status: RunStatus = "running"
    counts: Counts = Field(default_factory=Counts)

    @model_validator(mode="before")
    @classmethod
    def _read_v1(cls, data: Any) -> Any:
        if isinstance(data, dict) and "spec" not in data:
            return manifest_v1_to_v2(data)
        return data

    # The version 1 names (readers of either version use these).
    @property
    def model(self) -> str:
        return self.spec.model.spec

    @property
    def model_endpoint(self) -> str | None:
        return self.spec.model.endpoint

    @property
    def generation_params(self) -> dict[str, Any]:
        return self.spec.model.params.as_dict()

    @property
    def judge(self) -> str | None:
        return self.spec.judge.spec if self.spec.judge else None

    @property
    def judge_endpoint(self) -> str | None:
        return self.spec.judge.endpoint if self.spec.judge else None

    @property
    def judge_params(self) -> dict[str, Any]:
        """The judge's generation params and prompt fingerprint, as version 1 wrote them."""
        j = self.spec.judge
        if j is None:
            return {}
        if j.prompt is None:
            return j.params.as_dict()
        prompt = {"prompt_version": j.prompt.version, "prompt_sha256": j.prompt.sha256}
        return j.params.as_dict() | prompt

    @property
    def judge_samples(self) -> int:
        return self.spec.judge.samples if self.spec.judge else 1

    @property
    def judge_mode(self) -> JudgeMode:
        return self.spec.judge.mode if self.spec.judge else "dimension"

    @property
    def samples(self) -> int:
        return self.spec.samples

    @property
    def seed(self) -> int:
        return self.spec.seed

    @property
    def task_ids(self) -> list[str]:
        return list(self.spec.tasks)

    @property
    def suite_version(self) -> str:
        return self.spec.suite.version

    @property
    def suite_hash(self) -> str:
        return self.spec.suite.hash

    @property
    def rubric_versions(self) -> dict[str, str]:
        return self.spec.suite.rubric_versions

    @property
    def rubric_hashes(self) -> dict[str, str]:
        return self.spec.suite.rubric_hashes


_PARAM_FIELDS = ("temperature", "max_tokens", "top_p", "seed")
_V1_SPEC_FIELDS = (
    "suite_version",
    "suite_hash",
    "rubric_versions",
    "rubric_hashes",
    "task_ids",
    "model",
    "model_endpoint",
    "generation_params",
    "judge",
    "judge_endpoint",
    "judge_params",
    "judge_samples",
    "judge_mode",
    "samples",
    "seed",
)


def _v1_params(d: Any) -> Any:
    if not isinstance(d, dict):
        return d  # left for validation to name
    return {k: v for k, v in d.items() if k in _PARAM_FIELDS}


def _v1_judge(d: dict[str, Any]) -> dict[str, Any] | None:
    if d.get("judge") is None:
        return None
    params = d.get("judge_params")
    prompt = None
    if isinstance(params, dict) and "prompt_version" in params:
        prompt = {"version": params["prompt_version"], "sha256": params.get("prompt_sha256")}
    return {
        "spec": d["judge"],
        "endpoint": d.get("judge_endpoint"),
        "params": _v1_params(params),
        "prompt": prompt,
        "samples": d.get("judge_samples", 1),
        "mode": d.get("judge_mode", "dimension"),
    }


def manifest_v1_to_v2(d: dict[str, Any]) -> dict[str, Any]:
    """A version 1 manifest (flat) as version 2 (`spec` nested); missing fields are left for
    validation to name."""
    spec: dict[str, Any] = {
        "suite": {
            "version": d.get("suite_version"),
            "hash": d.get("suite_hash"),
            "rubric_versions": d.get("rubric_versions"),
            "rubric_hashes": d.get("rubric_hashes"),
        },
        "tasks": d.get("task_ids"),
        "samples": d.get("samples"),
        "seed": d.get("seed"),
        "model": {
            "spec": d.get("model"),
            "endpoint": d.get("model_endpoint"),
            "params": _v1_params(d.get("generation_params")),
        },
        "judge": _v1_judge(d),
    }
    rest = {k: v for k, v in d.items() if k not in _V1_SPEC_FIELDS and k != "schema_version"}
    return rest | {"schema_version": SCHEMA_VERSION, "spec": spec}


class ScoreCI(BaseModel):
    model_config = ConfigDict(extra="forbid")
    score: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    n: int | None = None


class Coverage(BaseModel):
    """Items of the answered responses that should have a verdict (`expected`), have one
    (`judged`) and do not (`failed`). Checks that do not apply are in none of these, only in
    `not_applicable`."""

    model_config = ConfigDict(extra="forbid")
    expected: int
    judged: int
    failed: int
    not_applicable: int = 0

    @property
    def fraction(self) -> float:
        return self.judged / self.expected if self.expected else 0.0


class StopCounts(BaseModel):
    """How the answered responses ended (responses.jsonl `stop_reason`). A response cut off at
    max_tokens is scored as is, never dropped: `max_tokens` says how many scores include one."""

    model_config = ConfigDict(extra="forbid")
    end: int = 0
    max_tokens: int = 0
    other: int = 0
    unknown: int = 0  # no stop reason recorded (older run dirs, replays of them)

    @classmethod
    def of(cls, responses: list[ResponseRecord]) -> StopCounts:
        counts = cls()
        for r in responses:
            if r.error is None:
                name = r.stop_reason or "unknown"
                setattr(counts, name, getattr(counts, name) + 1)
        return counts

    @property
    def total(self) -> int:
        return self.end + self.max_tokens + self.other + self.unknown


class Scores(BaseModel):
    model_config = ConfigDict(extra="allow")  # diversity and other blocks are added by later stages
    model: str
    overall: ScoreCI
    dimensions: dict[str, ScoreCI]
    categories: dict[str, ScoreCI]
    tasks: dict[str, ScoreCI] = Field(default_factory=dict)
    coverage: Coverage
    status: ScoreStatus = "complete"
    # Mean over paired tasks of (creative score - plain score), 0-100 points, with a bootstrap
    # CI over pairs; None when the run answered no pair.
    vanilla_gap: ScoreCI | None = None
    # Counted from responses.jsonl beside the scores (like the diversity block); absent from
    # scores.json files written before stop reasons were counted, and from scores recomputed
    # from judgments alone.
    stop_reasons: StopCounts | None = Field(default=None, exclude_if=lambda v: v is None)

    @model_validator(mode="after")
    def _scores_in_range(self) -> Scores:
        if self.overall.score is not None and not 0.0 <= self.overall.score <= 100.0:
            raise ValueError("overall.score must lie in [0, 100]")
        return self
