"""Re-derivation's fast paths give what the straightforward code gives (issue 15, speed): each
test runs a reference, written as the code was before the fast path, next to the code itself on
the demo corpus (every bundled response) and on hand-made edge cases, and compares outcomes,
records and rejection messages exactly."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from benchmark.checks._check_base import CheckResult
from benchmark.checks.task_checks import decide_item, gate_result
from benchmark.engine.demo import demo_models
from benchmark.engine.judging import check_judgments, item_record
from benchmark.records.schemas import (
    CHECK,
    ErrorKind,
    JudgmentRecord,
    Message,
    ResolvedTask,
    ResponseRecord,
    Usage,
    _none_from_empty,
)
from benchmark.suite import load_suite
from leaderboard import rederive
from leaderboard.bundle_job import transcript_json
from leaderboard.errors import BundleRejected
from leaderboard.rederive import check_programmatic


@cache
def _tasks() -> dict[str, ResolvedTask]:
    return {t.id: t for t in load_suite().tasks}


def _corpus() -> Iterator[tuple[ResolvedTask, ResponseRecord]]:
    """Every demo response with its task, and a failed copy of the first of each model."""
    for m in demo_models():
        for r in m.records:
            yield _tasks()[r.task_id], r
        first = m.records[0]
        yield _tasks()[first.task_id], first.model_copy(update={"error": "HTTP 500"})


# --------------------------------------------------------------------------- references


def reference_check_judgments(task: ResolvedTask, response: ResponseRecord) -> list[JudgmentRecord]:
    """check_judgments as it was written before check_results was split out of it."""
    records = []
    gate = None
    if response.error is None and any(it.check is not None for it in task.items):
        gate = gate_result(task, response.transcript, response.text)
    for item in task.items:
        if item.check is None:
            continue
        if response.error is not None:
            verdict, evidence, rationale, applies = None, "", "", True
            error: str | None = f"no response to check (generation failed: {response.error})"
            kind: ErrorKind | None = "no_response"
        else:
            result = decide_item(task, item, response.transcript, response.text, gate)
            verdict, evidence, rationale = result.verdict, result.evidence, result.rationale
            applies = result.applicable
            undecided = verdict is None and applies
            error = f"check could not be decided: {rationale}" if undecided else None
            kind = "check_undecided" if undecided else None
        records.append(
            item_record(
                task,
                response,
                item,
                CHECK,
                verdict=verdict,
                evidence=evidence,
                rationale=rationale,
                error=error,
                error_kind=kind,
                grounded=True if evidence else None,
                not_applicable=not applies,
            )
        )
    return records


def _verdict(j: JudgmentRecord) -> str:
    if j.not_applicable and j.verdict is None:
        return "not applicable"
    return "null" if j.verdict is None else str(j.verdict).lower()


def reference_check_programmatic(
    task: ResolvedTask, response: ResponseRecord, lines: list[JudgmentRecord]
) -> None:
    """check_programmatic as it was: every record built, then compared."""
    if response.error is not None:
        return
    submitted = {j.item_id: j for j in lines if j.judge == "check"}
    if not submitted:
        return
    for again in reference_check_judgments(task, response):
        j = submitted.get(again.item_id)
        if j is None:
            continue
        if j.verdict != again.verdict or j.not_applicable != again.not_applicable:
            raise BundleRejected(
                "check_mismatch",
                f"programmatic verdict does not match: {j.task_id}/{j.sample}/{j.item_id} is "
                f"{_verdict(j)} in the bundle, the check gives {_verdict(again)} "
                f"({again.rationale or 'no rationale'})",
            )


def _outcome(f: Callable[..., None], *args: object) -> tuple[str, str] | None:
    """None when `f(*args)` passes, else its rejection's code and reason."""
    try:
        f(*args)
    except BundleRejected as err:
        return err.code, err.reason
    return None


# --------------------------------------------------------------------------- check records


def test_check_judgments_as_before_on_the_demo_corpus() -> None:
    n = 0
    for task, r in _corpus():
        got, want = check_judgments(task, r), reference_check_judgments(task, r)
        assert got == want
        assert [j.model_dump_json() for j in got] == [j.model_dump_json() for j in want]
        n += len(got)
    assert n > 700  # the corpus has programmatic items, failed responses among them


def _variants(lines: list[JudgmentRecord]) -> Iterator[list[JudgmentRecord]]:
    """The honest lines, then each check line with its verdict or its N/A flag changed."""
    yield lines
    for i, j in enumerate(lines):
        flips = [{"verdict": v} for v in (True, False, None) if v is not j.verdict]
        flips.append({"not_applicable": not j.not_applicable})
        for update in flips:
            yield [*lines[:i], j.model_copy(update=update), *lines[i + 1 :]]
    yield lines[1:]  # a line missing


def test_check_programmatic_as_before_on_the_demo_corpus() -> None:
    outcomes = {"pass": 0, "reject": 0}
    for task, r in _corpus():
        honest = check_judgments(task, r)
        for lines in _variants(honest):
            want = _outcome(reference_check_programmatic, task, r, lines)
            assert _outcome(check_programmatic, task, r, lines) == want
            outcomes["pass" if want is None else "reject"] += 1
    assert outcomes["pass"] > 300 and outcomes["reject"] > 1000


@pytest.mark.parametrize(
    ("verdict", "line_verdict", "applicable", "line_na"),
    [
        (True, True, True, False),
        (None, None, False, True),  # not applicable
        (None, None, True, False),  # undecided
        (None, None, False, False),  # N/A, the line says applicable
        (False, None, True, True),
        (1, True, True, False),  # not a bool: the record's validation makes it one
        (0, False, True, False),
        (0, True, True, False),
    ],
)
def test_check_programmatic_on_hand_made_results(
    monkeypatch: pytest.MonkeyPatch,
    verdict: object,
    line_verdict: bool | None,
    applicable: bool,
    line_na: bool,
) -> None:
    task, r = next(
        (t, r) for t, r in _corpus() if r.error is None and any(it.check for it in t.items)
    )
    item = next(it for it in task.items if it.check is not None)
    result = CheckResult(verdict, "", "hand-made", applicable)  # type: ignore[arg-type]
    monkeypatch.setattr(rederive, "check_results", lambda *_: iter([(item, result)]))
    line = item_record(
        task, r, item, CHECK, verdict=line_verdict, not_applicable=line_na, rationale="x"
    )
    got = _outcome(check_programmatic, task, r, [line])
    again = item_record(
        task,
        r,
        item,
        CHECK,
        verdict=verdict,  # type: ignore[arg-type]
        rationale="hand-made",
        not_applicable=not applicable,
    )
    same = line.verdict == again.verdict and line.not_applicable == again.not_applicable
    assert (got is None) == same
    if got is not None:
        assert got[1].endswith(f"the check gives {_verdict(again)} (hand-made)")


# --------------------------------------------------------------------------- judgment lines


class ReferenceJudgment(BaseModel):
    """JudgmentRecord as it was declared before its "no value" validators moved inside each
    field's `| None` (before-validators on the fields, called for null too)."""

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
    judge: str
    error: str | None = None
    error_kind: ErrorKind | None = None
    not_applicable: bool = False
    grounded: bool | None = None
    votes: list[bool | None] | None = None
    vote_agreement: float | None = None
    usage: Usage | None = None
    response_id: str | None = Field(default=None, exclude_if=lambda v: v is None)

    _empty_is_none = field_validator("error", "error_kind", "votes", mode="before")(
        _none_from_empty
    )

    @field_validator("usage", mode="before")
    @classmethod
    def _zero_usage_is_none(cls, value: Any) -> Any:
        if isinstance(value, dict) and not any(value.values()):
            return None
        return value


ODD_VALUES: list[Any] = [
    None, "", [], {}, 0, 1, -1, 2.5, True, False, "x", "no_response", "tied", "null",
    [True], [None], [True, None, False], ["a"], [1], [[]], "[]",
    {"input_tokens": 0}, {"input_tokens": 3}, {"output_tokens": 0, "cache_read_tokens": None},
    {"foo": 0}, {"foo": 1}, {"input_tokens": "7"}, {"input_tokens": -1}, {"input_tokens": 1.5},
]  # fmt: skip
FIELDS = ["error", "error_kind", "votes", "usage", "vote_agreement", "response_id", "sample"]


def _judgment_lines() -> Iterator[dict[str, Any]]:
    """Runner-written lines of the demo corpus ("" / [] / zeros for no value), each with one
    field set to an odd value or left out, and the same line with nulls for no value."""
    task, r = next((t, r) for t, r in _corpus() if r.error is None)
    base = json.loads(check_judgments(task, r)[0].model_dump_json())
    yield base
    yield base | {"error": None, "error_kind": None, "votes": None, "usage": None}
    for name in FIELDS:
        yield {k: v for k, v in base.items() if k != name}
        for value in ODD_VALUES:
            yield base | {name: value}


def _validated(model: type[BaseModel], line: dict[str, Any], how: str) -> object:
    try:
        if how == "json":
            record = model.model_validate_json(json.dumps(line))
        else:
            record = model.model_validate(line)
    except ValidationError as err:
        return err.errors(include_url=False)
    return repr(record.__dict__), record.model_fields_set  # repr: 1 and True differ


@pytest.mark.parametrize("how", ["json", "python"])
def test_judgment_lines_validate_as_before(how: str) -> None:
    """The same lines accepted with the same values, the same rejected with the same errors
    (the first is the reason a submitter reads)."""
    rejected = 0
    for line in _judgment_lines():
        want = _validated(ReferenceJudgment, line, how)
        assert _validated(JudgmentRecord, line, how) == want, line
        rejected += isinstance(want, list)
    assert rejected > 50


def test_judgment_chunks_validate_as_before() -> None:
    """reading.py validates a chunk of lines as one JSON array: the same records."""
    lines = [json.dumps(line) for line in _judgment_lines()]
    good = [
        ln
        for ln in lines
        if not isinstance(_validated(ReferenceJudgment, json.loads(ln), "json"), list)
    ]
    data = ("[" + ",".join(good) + "]").encode()
    got = TypeAdapter(list[JudgmentRecord]).validate_json(data)
    want = TypeAdapter(list[ReferenceJudgment]).validate_json(data)
    assert [repr(j.__dict__) for j in got] == [repr(j.__dict__) for j in want]
    assert len(got) > 40


# --------------------------------------------------------------------------- details


def test_transcript_json_is_the_messages_dump() -> None:
    """bundle_job.transcript_json equals json.dumps of each message's model_dump: every demo
    transcript, and given turns (a fixed-history task's), unicode, quotes and empty content."""
    assert list(Message.model_fields) == ["role", "content", "given"]
    transcripts = [r.transcript for _, r in _corpus()]
    transcripts.append(
        [
            Message(role="system", content=""),
            Message(role="user", content='é "quoted" \\ \n\t\u2028 😀', given=True),
            Message(role="assistant", content="given answer", given=True),
            Message(role="user", content="next"),
            Message(role="assistant", content="<p>reply</p>"),
        ]
    )
    transcripts.append([])
    for t in transcripts:
        assert transcript_json(t) == json.dumps([m.model_dump() for m in t])
    assert any(m.given for t in transcripts for m in t)
