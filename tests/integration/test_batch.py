"""The Message Batches client against the fake Anthropic API through the real SDK: submit,
poll, results, and resuming a batch in flight by its id."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from benchmark.engine.providers import (
    AnthropicProvider,
    GenerateRequest,
    GenerationParams,
    StructuredOutput,
    SystemBlock,
    make_provider,
)
from benchmark.engine.providers import anthropic_batch as batch
from benchmark.engine.retry import RetryPolicy
from benchmark.errors import ProviderError
from benchmark.records.schemas import Message
from tests.fakes import FakeAnthropic, Fault

SCHEMA = {
    "type": "object",
    "properties": {"item_a": {"type": "boolean"}, "item_b": {"type": "boolean"}},
    "required": ["item_a", "item_b"],
}


def judge(i: int) -> GenerateRequest:
    return GenerateRequest(
        messages=[Message(role="user", content=f"response {i}")],
        params=GenerationParams(temperature=0.0, max_tokens=512),
        system=(SystemBlock("static judge instructions " * 30, cache=True),),
        structured=StructuredOutput("verdicts", "One verdict per item.", SCHEMA),
    )


def provider() -> AnthropicProvider:
    p = make_provider("anthropic/claude-judge")
    assert isinstance(p, AnthropicProvider)
    return p


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def no_sleep(seconds: float) -> None:
    return None


def test_submit_sends_the_provider_request_shape(fake_anthropic: FakeAnthropic) -> None:
    p = provider()
    batch_id = run(batch.submit(p.client, [("t1-s0", judge(0)), ("t1-s1", judge(1))], p.model))
    assert batch_id in fake_anthropic.batches
    [sent] = fake_anthropic.requests_to("/v1/messages/batches", "POST")
    requests = sent.body["requests"]
    assert [r["custom_id"] for r in requests] == ["t1-s0", "t1-s1"]
    params = requests[0]["params"]
    assert params["model"] == "claude-judge" and params["max_tokens"] == 512
    assert params["temperature"] == 0.0
    assert params["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert params["tool_choice"] == {"type": "tool", "name": "verdicts"}
    assert params["messages"] == [{"role": "user", "content": "response 0"}]


def test_poll_until_ended_then_results(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.batch_polls = 3
    p = provider()
    ticks: list[str] = []

    async def go() -> Any:
        batch_id = await batch.submit(p.client, [(f"r{i}", judge(i)) for i in range(3)], p.model)
        final = await batch.poll(
            p.client,
            batch_id,
            interval=5.0,
            on_tick=lambda b: ticks.append(b.processing_status),
            sleep=no_sleep,
        )
        return final, await batch.results(p.client, batch_id)

    final, results = run(go())
    assert ticks == ["in_progress"] * 3 + ["ended"]
    assert final.processing_status == "ended" and final.request_counts.succeeded == 3
    assert set(results) == {"r0", "r1", "r2"}
    for completion in results.values():
        assert not isinstance(completion, ProviderError)
        assert set(completion.structured or {}) == {"item_a", "item_b"}
        assert completion.stop_reason == "tool_use" and completion.model == "claude-judge"
    # the static prefix is cached once and then read by the other entries
    usage = [results[f"r{i}"].usage for i in range(3)]
    assert usage[0].cache_write_tokens > 0
    assert [u.cache_read_tokens for u in usage[1:]] == [usage[0].cache_write_tokens] * 2


def test_resume_polling_by_id_after_a_kill(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.batch_polls = 4
    p = provider()
    batch_id = run(batch.submit(p.client, [("only", judge(0))], p.model))

    # the first poller gives up (or is killed) while the batch is still in progress
    clock = iter(range(0, 1000, 10))
    with pytest.raises(batch.BatchPollTimeout) as info:
        run(
            batch.poll(
                p.client,
                batch_id,
                interval=10,
                timeout=25,
                sleep=no_sleep,
                clock=lambda: float(next(clock)),
            )
        )
    assert info.value.retryable and batch_id in str(info.value)
    polled = len(fake_anthropic.requests_to(f"/v1/messages/batches/{batch_id}", "GET"))
    assert 1 <= polled < 4

    # a new process: fresh provider, fresh event loop, only the stored id
    p2 = provider()
    final = run(batch.poll(p2.client, batch_id, interval=0.0, sleep=no_sleep))
    assert final.processing_status == "ended"
    results = run(batch.results(p2.client, batch_id))
    assert list(results) == ["only"]
    assert len(fake_anthropic.requests_to("/v1/messages/batches", "POST")) == 1  # not resubmitted


def test_failed_entries_become_provider_errors(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.batch_polls = 0
    fake_anthropic.batch_outcomes = {
        "bad": "invalid_request_error",
        "busy": "overloaded_error",
        "late": "expired",
        "stop": "canceled",
    }
    p = provider()
    ids = ["ok", "bad", "busy", "late", "stop"]

    async def go() -> Any:
        batch_id = await batch.submit(
            p.client, [(cid, judge(i)) for i, cid in enumerate(ids)], p.model
        )
        final = await batch.poll(p.client, batch_id, interval=0, sleep=no_sleep)
        return final, await batch.results(p.client, batch_id)

    final, results = run(go())
    counts = final.request_counts
    assert (counts.succeeded, counts.errored, counts.expired, counts.canceled) == (1, 2, 1, 1)
    assert not isinstance(results["ok"], ProviderError)
    expected = {
        "bad": (400, False),
        "busy": (529, True),
        "late": (None, True),
        "stop": (None, True),
    }
    for cid, (status, retryable) in expected.items():
        err = results[cid]
        assert isinstance(err, ProviderError), cid
        assert (err.status, err.retryable) == (status, retryable), cid
        assert f"batch request {cid}" in str(err)


def test_poll_tolerates_transient_errors(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.batch_polls = 1
    p = provider()
    batch_id = run(batch.submit(p.client, [("a", judge(0))], p.model))
    fake_anthropic.inject(*[Fault.server_error(path="/v1/messages/batches/")] * 2)
    final = run(batch.poll(p.client, batch_id, interval=0, sleep=no_sleep))
    assert final.processing_status == "ended"
    statuses = [r.status for r in fake_anthropic.requests_to(f"/v1/messages/batches/{batch_id}")]
    assert statuses == [500, 500, 200, 200]


def test_poll_gives_up_after_consecutive_errors(fake_anthropic: FakeAnthropic) -> None:
    p = provider()
    batch_id = run(batch.submit(p.client, [("a", judge(0))], p.model))
    fake_anthropic.inject(*[Fault.overloaded(path="/v1/messages/batches/")] * 3)
    with pytest.raises(ProviderError) as info:
        run(batch.poll(p.client, batch_id, interval=0, sleep=no_sleep, retry=RetryPolicy(3)))
    assert info.value.status == 529
    assert len(fake_anthropic.requests_to(f"/v1/messages/batches/{batch_id}")) == 3


def test_unknown_batch_is_not_retried(fake_anthropic: FakeAnthropic) -> None:
    p = provider()
    with pytest.raises(batch.BatchGone) as info:
        run(batch.poll(p.client, "msgbatch_missing", interval=0, sleep=no_sleep))
    assert info.value.status == 404 and not info.value.retryable
    assert len(fake_anthropic.requests) == 1


def test_submit_error_is_mapped(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.inject(Fault.rate_limit(12, path="/v1/messages/batches"))
    p = provider()
    with pytest.raises(ProviderError) as info:
        run(batch.submit(p.client, [("a", judge(0))], p.model))
    assert (info.value.status, info.value.retryable, info.value.retry_after) == (429, True, 12.0)


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        ([], "at least one request"),
        (["a", "a"], "used twice"),
        (["has space"], "must match"),
        (["x" * 65], "must match"),
    ],
)
def test_submit_rejects_bad_custom_ids(
    fake_anthropic: FakeAnthropic, ids: list[str], message: str
) -> None:
    p = provider()
    with pytest.raises(ValueError, match=message):
        run(batch.submit(p.client, [(cid, judge(0)) for cid in ids], p.model))
    assert fake_anthropic.requests == []
