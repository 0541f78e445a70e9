"""judge_items with a scripted fake `call`: re-asks, bounded attempts, K samples, ties,
provider errors, usage; and check_judgments on programmatic items."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest

from benchmark.engine.judging import TIED, UNGROUNDED, check_judgments, judge_items, judge_sample_id
from benchmark.engine.providers.base import Completion, GenerateRequest, GenerationParams
from benchmark.errors import ProviderError, UsageError
from benchmark.records.schemas import (
    BannedPhrasesCheck,
    Dimension,
    JudgmentRecord,
    Message,
    ResolvedTask,
    ResponseRecord,
    RubricItem,
    Usage,
    WordCountCheck,
)

PARAMS = GenerationParams(temperature=0.0, max_tokens=2048)
DIM = Dimension(id="craft", name="Craft", version="1", description="Prose craft.")
TEXT = "She kept the key. Later the key opened the vault."
A = RubricItem(id="a", dimension="craft", text="Sets up the key.", points=3)
B = RubricItem(id="b", dimension="craft", text="Ends with a rescue.", points=-2)
W = RubricItem(
    id="w",
    dimension="craft",
    text="At most 5 words.",
    points=1,
    check=WordCountCheck(type="word_count", max=5),
)
S = RubricItem(
    id="s",
    dimension="craft",
    text="No 'vault'.",
    points=1,
    check=BannedPhrasesCheck(type="banned_phrases", phrases=["vault"]),
)
TASK = ResolvedTask(
    id="t1",
    category="creative_writing",
    title="T",
    system=None,
    prompt="Write.",
    turns=[],
    tags=[],
    items=[A, W, B, S],
    source="tasks/t1.yaml",
)
RESPONSE = ResponseRecord(
    task_id="t1",
    sample=3,
    model="m/x",
    transcript=[Message(role="user", content="Write."), Message(role="assistant", content=TEXT)],
    text=TEXT,
)
USAGE = Usage(input_tokens=100, output_tokens=10, cache_read_tokens=80)


def entry(verdict: bool, evidence: str = "") -> dict[str, Any]:
    return {"evidence": evidence, "rationale": f"said {verdict}", "verdict": verdict}


class FakeJudge:
    """Answers each request with `script(request, n)` (n = how many calls so far)."""

    def __init__(self, script: Callable[[GenerateRequest, int], Completion]) -> None:
        self.script = script
        self.requests: list[GenerateRequest] = []

    async def __call__(self, request: GenerateRequest) -> Completion:
        self.requests.append(request)
        await asyncio.sleep(0)
        return self.script(request, len(self.requests))

    def ids(self, i: int) -> list[str]:
        schema = self.requests[i].structured
        assert schema is not None
        return list(schema.schema["required"])


def judge(
    fake: FakeJudge,
    items: list[RubricItem] | None = None,
    response: ResponseRecord = RESPONSE,
    **kw: Any,
) -> list[JudgmentRecord]:
    return asyncio.run(
        judge_items(
            fake,
            TASK,
            response,
            items or [A, B],
            DIM,
            judge_spec="anthropic/j",
            params=PARAMS,
            **kw,
        )
    )


def answer(**entries: Any) -> Completion:
    return Completion(text="", structured=entries, usage=USAGE)


def test_single_sample_records() -> None:
    fake = FakeJudge(lambda r, n: answer(a=entry(True, "She kept the key."), b=entry(False)))
    recs = judge(fake)
    assert len(fake.requests) == 1 and fake.requests[0].sample == 0
    assert [(r.item_id, r.verdict, r.points, r.grounded) for r in recs] == [
        ("a", True, 3, True),
        ("b", False, -2, None),
    ]
    for r in recs:
        assert (r.task_id, r.sample, r.model, r.judge, r.dimension) == (
            "t1",
            3,
            "m/x",
            "anthropic/j",
            "craft",
        )
        assert r.votes is None and r.vote_agreement is None and r.error is None
    assert recs[0].evidence == "She kept the key."
    assert recs[0].usage == USAGE and recs[1].usage is None


def test_reask_only_the_malformed_items_with_a_distinct_sample() -> None:
    def script(req: GenerateRequest, n: int) -> Completion:
        if n == 1:
            return answer(a=entry(True), b={"verdict": "maybe"})
        return answer(b=entry(True, "Later the key opened the vault."))

    fake = FakeJudge(script)
    recs = judge(fake)
    assert len(fake.requests) == 2
    assert fake.ids(1) == ["b"]
    assert [r.sample for r in fake.requests] == [judge_sample_id(0, 0), judge_sample_id(0, 1)]
    assert fake.requests[0].sample != fake.requests[1].sample
    assert "verdict must be true or false" in fake.requests[1].messages[0].content
    assert [(r.item_id, r.verdict, r.error) for r in recs] == [("a", True, None), ("b", True, None)]
    # Usage of both calls, on the first record only.
    assert recs[0].usage == USAGE + USAGE and recs[1].usage is None


@pytest.mark.parametrize("max_reasks", [0, 1, 2, 4])
def test_reasks_are_bounded(max_reasks: int) -> None:
    fake = FakeJudge(lambda r, n: answer(a=entry(True)))  # never answers b
    recs = judge(fake, max_reasks=max_reasks)
    assert len(fake.requests) == 1 + max_reasks
    assert len({r.sample for r in fake.requests}) == 1 + max_reasks
    assert recs[0].verdict is True
    assert recs[1].verdict is None
    assert (
        recs[1].error == f"item missing from the judge's answer (after {1 + max_reasks} attempts)"
    )


def test_answer_without_json_is_reasked_then_fails_as_a_value() -> None:
    fake = FakeJudge(lambda r, n: Completion(text="Both look fine to me."))
    recs = judge(fake, max_reasks=1)
    assert len(fake.requests) == 2
    assert all(r.verdict is None and "no JSON object" in (r.error or "") for r in recs)
    assert all(r.error_kind == "malformed" for r in recs)


def test_ungrounded_met_is_not_reasked() -> None:
    fake = FakeJudge(lambda r, n: answer(a=entry(True, "a rescue by a wizard"), b=entry(False)))
    recs = judge(fake)
    assert len(fake.requests) == 1
    assert (recs[0].verdict, recs[0].grounded, recs[0].error) == (None, False, UNGROUNDED)
    assert (recs[0].error_kind, recs[1].error_kind) == ("ungrounded", None)


def test_k_samples_majority_votes_and_agreement() -> None:
    def script(req: GenerateRequest, n: int) -> Completion:
        k = req.sample % 1000
        a = entry(k != 1, "She kept the key." if k != 1 else "")
        b = entry(k == 2)
        return answer(a=a, b=b)

    fake = FakeJudge(script)
    recs = judge(fake, samples=3)
    assert sorted(r.sample for r in fake.requests) == [0, 1, 2]
    ra, rb = recs
    assert ra.verdict is True and ra.votes == [True, False, True]
    assert ra.vote_agreement == pytest.approx(2 / 3)
    assert ra.evidence == "She kept the key." and ra.grounded is True
    assert rb.verdict is False and rb.votes == [False, False, True]
    assert rb.rationale == "said False"
    assert ra.usage == Usage(input_tokens=300, output_tokens=30, cache_read_tokens=240)


def test_k_samples_tie_is_null() -> None:
    fake = FakeJudge(lambda r, n: answer(a=entry(r.sample == 0), b=entry(True)))
    ra, rb = judge(fake, samples=2)
    assert ra.verdict is None and ra.error == TIED and ra.error_kind == "tied"
    assert ra.votes == [True, False] and ra.vote_agreement == 0.5
    assert rb.verdict is True and rb.vote_agreement == 1.0


def test_k_samples_null_votes_drop_out_of_the_majority() -> None:
    # Sample 0 never answers b (even when re-asked); samples 1 and 2 say true.
    def script(req: GenerateRequest, n: int) -> Completion:
        if req.sample % 1000 == 0:
            return answer(a=entry(False))
        return answer(a=entry(False), b=entry(True))

    recs = judge(FakeJudge(script), samples=3, max_reasks=1)
    rb = recs[1]
    assert rb.votes == [None, True, True]
    assert rb.verdict is True and rb.vote_agreement == 1.0 and rb.error is None


def test_k_samples_all_null_keeps_the_error() -> None:
    fake = FakeJudge(lambda r, n: answer(a=entry(True)))
    rb = judge(fake, samples=2, max_reasks=0)[1]
    assert rb.verdict is None and rb.votes == [None, None] and rb.vote_agreement is None
    assert rb.error is not None and "item missing" in rb.error
    assert rb.error_kind == "malformed"


def test_reask_samples_never_collide_with_judge_samples() -> None:
    fake = FakeJudge(lambda r, n: answer(a=entry(True)))
    judge(fake, samples=3, max_reasks=2)
    assert len(fake.requests) == 9
    assert len({r.sample for r in fake.requests}) == 9


def test_provider_error_becomes_a_value_for_the_whole_group() -> None:
    def script(req: GenerateRequest, n: int) -> Completion:
        if req.sample == 1:
            raise ProviderError("529 overloaded", retryable=True, status=529)
        return answer(a=entry(True), b=entry(False))

    recs = judge(FakeJudge(script), samples=2)
    assert [r.verdict for r in recs] == [None, None]
    assert all(r.error == "judge call failed: 529 overloaded" for r in recs)
    assert all(r.error_kind == "judge_call_failed" for r in recs)
    assert recs[0].usage == USAGE  # the sample that did succeed


def test_provider_error_on_reask_fails_the_group() -> None:
    def script(req: GenerateRequest, n: int) -> Completion:
        if n == 2:
            raise ProviderError("timeout", retryable=True)
        return answer(a=entry(True))

    recs = judge(FakeJudge(script))
    assert all(r.verdict is None and "timeout" in (r.error or "") for r in recs)


def test_other_exceptions_propagate() -> None:
    def script(req: GenerateRequest, n: int) -> Completion:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        judge(FakeJudge(script))


def test_failed_response_is_not_sent_to_the_judge() -> None:
    fake = FakeJudge(lambda r, n: answer())
    failed = RESPONSE.model_copy(update={"error": "content filter", "text": ""})
    recs = judge(fake, response=failed)
    assert fake.requests == []
    assert all(r.verdict is None and "content filter" in (r.error or "") for r in recs)
    assert all(r.error_kind == "no_response" for r in recs)


def test_argument_validation() -> None:
    fake = FakeJudge(lambda r, n: answer())
    with pytest.raises(UsageError, match="judge-samples"):
        judge(fake, samples=0)
    with pytest.raises(UsageError, match="re-asks"):
        judge(fake, max_reasks=-1)
    assert (
        asyncio.run(judge_items(fake, TASK, RESPONSE, [], DIM, judge_spec="j", params=PARAMS)) == []
    )


def test_judgment_records_round_trip_as_jsonl() -> None:
    fake = FakeJudge(lambda r, n: answer(a=entry(True, "She kept the key."), b=entry(False)))
    for rec in judge(fake, samples=3):
        line = rec.model_dump_json()
        assert JudgmentRecord.model_validate(json.loads(line)) == rec
        # On disk an error kind is "" without an error, like the error (docs/FORMATS.md).
        assert json.loads(line)["error_kind"] == (rec.error_kind or "")
        assert (rec.error_kind is None) == (rec.error is None)


# --------------------------------------------------------------------------- checks


def test_check_judgments_runs_only_programmatic_items() -> None:
    recs = check_judgments(TASK, RESPONSE)
    assert [(r.item_id, r.verdict, r.judge) for r in recs] == [
        ("w", False, "check"),
        ("s", False, "check"),
    ]
    w, s = recs
    assert w.rationale.startswith("10 words") and w.evidence == "" and w.grounded is None
    assert s.evidence == "vault" and s.grounded is True and s.error is None
    assert (s.task_id, s.sample, s.model, s.points) == ("t1", 3, "m/x", 1)


def test_check_judgments_on_a_failed_response() -> None:
    failed = RESPONSE.model_copy(update={"error": "timeout", "text": ""})
    recs = check_judgments(TASK, failed)
    assert all(r.verdict is None and "timeout" in (r.error or "") for r in recs)
    assert all(r.error_kind == "no_response" and r.source == "check" for r in recs)


def test_an_undecidable_check_carries_an_error() -> None:
    """A check that names a turn the response lacks cannot be decided: an error, counted
    against coverage (unlike a check that does not apply; see the tests below)."""
    from benchmark.records.schemas import QuestionCountCheck

    q = RubricItem(
        id="q",
        dimension="craft",
        text="Third turn asks one question.",
        points=1,
        check=QuestionCountCheck(type="question_count", max=1, turn=2),
    )
    t = TASK.model_copy(update={"items": [q]})
    (rec,) = check_judgments(t, RESPONSE)
    assert rec.verdict is None and rec.error is not None and "could not be decided" in rec.error
    assert not rec.not_applicable


def test_a_check_that_does_not_apply_is_recorded_as_such() -> None:
    from benchmark.records.schemas import ImagesHaveAltCheck

    alt = RubricItem(
        id="alt",
        dimension="craft",
        text="Every image has alt text.",
        points=2,
        check=ImagesHaveAltCheck(type="images_have_alt", when_absent="not_applicable"),
    )
    page = "```html\n<html><body><p>No pictures here.</p></body></html>\n```"
    response = RESPONSE.model_copy(
        update={
            "text": page,
            "transcript": [*RESPONSE.transcript[:1], Message(role="assistant", content=page)],
        }
    )
    (rec,) = check_judgments(TASK.model_copy(update={"items": [alt]}), response)
    assert rec.verdict is None and rec.error is None and rec.not_applicable
    assert rec.judge == "check" and "does not apply" in rec.rationale
    # A failed generation is never "not applicable": it is an error.
    failed = RESPONSE.model_copy(update={"text": "", "error": "provider error: 500"})
    (rec2,) = check_judgments(TASK.model_copy(update={"items": [alt]}), failed)
    assert rec2.error is not None and not rec2.not_applicable
