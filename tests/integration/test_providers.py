"""Anthropic and OpenAI providers against the loopback fakes, through the real SDKs: what the
SDK sends, what comes back, and how failures are classified."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest
from anthropic.types import Message as AnthropicMessage
from anthropic.types import ToolUseBlock
from anthropic.types import Usage as AnthropicUsage

from benchmark.engine.providers import (
    AnthropicProvider,
    GenerateRequest,
    GenerationParams,
    OpenAIProvider,
    StructuredOutput,
    SystemBlock,
    make_provider,
)
from benchmark.engine.providers.anthropic_convert import completion_from_message
from benchmark.errors import ProviderError
from benchmark.records.schemas import Message, Usage
from tests.fakes import FakeAnthropic, FakeOpenAI, Fault, count_tokens
from tests.fakes.anthropic_fake import api_key_of

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        item: {
            "type": "object",
            "properties": {
                "verdict": {"type": "boolean"},
                "evidence": {"type": "string"},
                "rationale": {"type": "string"},
            },
            "required": ["verdict", "evidence", "rationale"],
            "additionalProperties": False,
        }
        for item in ("asks_first", "no_platitudes")
    },
    "required": ["asks_first", "no_platitudes"],
    "additionalProperties": False,
}
STATIC = "You are a strict judge. " * 40


def judge_request(**params: Any) -> GenerateRequest:
    return GenerateRequest(
        messages=[Message(role="user", content="<response>My cat died.</response>")],
        params=GenerationParams(**params),
        system=(SystemBlock(STATIC, cache=True), SystemBlock("Rubric for this task.")),
        structured=StructuredOutput("record_verdicts", "Record one verdict per item.", SCHEMA),
    )


def text_request(content: str = "Write a haiku about tea.", **params: Any) -> GenerateRequest:
    return GenerateRequest(
        messages=[Message(role="user", content=content)], params=GenerationParams(**params)
    )


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def failure(provider: Any, request: GenerateRequest) -> ProviderError:
    with pytest.raises(ProviderError) as info:
        run(provider.generate(request))
    return info.value


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---------------------------------------------------------------------------- Anthropic


def test_anthropic_structured_request_mapping(fake_anthropic: FakeAnthropic) -> None:
    provider = make_provider("anthropic/claude-test")
    assert isinstance(provider, AnthropicProvider)
    completion = run(provider.generate(judge_request(temperature=0.0, max_tokens=777)))

    [sent] = fake_anthropic.requests_to("/v1/messages")
    body = sent.body
    assert api_key_of(sent.headers) == "sk-test-fake"
    assert body["model"] == "claude-test"
    assert body["max_tokens"] == 777
    assert body["temperature"] == 0.0
    assert "top_p" not in body
    assert body["system"] == [
        {"type": "text", "text": STATIC, "cache_control": {"type": "ephemeral"}},
        {"type": "text", "text": "Rubric for this task."},
    ]
    assert body["tools"] == [
        {
            "name": "record_verdicts",
            "description": "Record one verdict per item.",
            "input_schema": SCHEMA,
        }
    ]
    assert body["tool_choice"] == {"type": "tool", "name": "record_verdicts"}
    assert body["messages"] == [{"role": "user", "content": "<response>My cat died.</response>"}]

    assert completion.stop_reason == "tool_use"
    assert completion.model == "claude-test"
    assert set(completion.structured) == {"asks_first", "no_platitudes"}
    assert isinstance(completion.structured["asks_first"]["verdict"], bool)


def test_anthropic_plain_text_omits_unset_params(fake_anthropic: FakeAnthropic) -> None:
    provider = make_provider("anthropic/claude-test")
    completion = run(provider.generate(text_request(top_p=0.9)))
    body = fake_anthropic.requests[-1].body
    assert "temperature" not in body and body["top_p"] == 0.9
    assert body["max_tokens"] == 1024
    assert "tools" not in body and "tool_choice" not in body and "system" not in body
    assert completion.text == "Fake reply to: Write a haiku about tea."
    assert completion.structured is None
    assert completion.stop_reason == "end_turn"


def test_anthropic_usage_and_prompt_cache(fake_anthropic: FakeAnthropic) -> None:
    provider = make_provider("anthropic/claude-test")
    first = run(provider.generate(judge_request()))
    second = run(provider.generate(judge_request()))
    assert first.usage.cache_write_tokens > 0 and first.usage.cache_read_tokens == 0
    assert second.usage.cache_read_tokens == first.usage.cache_write_tokens
    assert second.usage.cache_write_tokens == 0
    assert second.usage.input_tokens == first.usage.input_tokens > 0
    # output tokens are counted from what the fake sent: the JSON of the tool input
    assert first.usage.output_tokens == count_tokens(first.text)


def test_anthropic_multi_turn_and_system_messages(fake_anthropic: FakeAnthropic) -> None:
    request = GenerateRequest(
        messages=[
            Message(role="system", content="Be brief."),
            Message(role="user", content="Hi"),
            Message(role="assistant", content="Hello."),
            Message(role="user", content="How are you?"),
        ]
    )
    completion = run(make_provider("anthropic/m").generate(request))
    body = fake_anthropic.requests[-1].body
    assert body["system"] == [{"type": "text", "text": "Be brief."}]
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
    assert completion.text == "Fake reply to: How are you?"


@pytest.mark.parametrize(
    ("fault", "text_has"),
    [(Fault.malformed(), "unexpected"), (Fault.invalid_json(), "prose instead of JSON")],
)
def test_anthropic_malformed_structured_output(
    fake_anthropic: FakeAnthropic, fault: Fault, text_has: str
) -> None:
    fake_anthropic.inject(fault)
    completion = run(make_provider("anthropic/m").generate(judge_request()))
    assert text_has in completion.text
    if fault.kind == "malformed":  # a dict that violates the schema is passed on for the judge
        assert completion.structured == {"unexpected": "not what the schema asked for"}
    else:  # no tool_use block at all
        assert completion.structured is None


def test_anthropic_non_dict_tool_input_gives_none() -> None:
    # The SDK does not validate responses strictly: a tool input that is not an object can
    # reach us, and must come out as structured=None, never as a crash.
    message = AnthropicMessage.model_construct(
        id="msg_1",
        type="message",
        role="assistant",
        model="m",
        content=[
            ToolUseBlock.model_construct(type="tool_use", id="t", name="record", input=[1, 2])
        ],
        stop_reason="tool_use",
        usage=AnthropicUsage(input_tokens=3, output_tokens=2),
    )
    completion = completion_from_message(message)
    assert completion.structured is None
    assert completion.text == "[1, 2]"
    assert completion.usage == Usage(input_tokens=3, output_tokens=2)


def test_anthropic_text_truncated_at_max_tokens(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.responder = lambda body: "word " * 100
    completion = run(make_provider("anthropic/m").generate(text_request(max_tokens=5)))
    assert completion.stop_reason == "max_tokens"
    assert len(completion.text) == 20


# ---------------------------------------------------------------------------- OpenAI


def test_openai_structured_request_mapping(fake_openai: FakeOpenAI) -> None:
    provider = make_provider("openai/llama-3-8b")
    assert isinstance(provider, OpenAIProvider)
    completion = run(provider.generate(judge_request(temperature=0.0, seed=7, max_tokens=300)))

    [sent] = fake_openai.requests_to("/v1/chat/completions")
    body = sent.body
    assert sent.headers["authorization"] == "Bearer sk-test-fake"
    assert body["model"] == "llama-3-8b"
    assert body["messages"] == [
        {"role": "system", "content": STATIC + "\n\nRubric for this task."},
        {"role": "user", "content": "<response>My cat died.</response>"},
    ]
    # a custom base URL means an OpenAI-compatible server: `max_tokens`, which they all know
    assert body["max_tokens"] == 300 and "max_completion_tokens" not in body
    assert body["temperature"] == 0.0 and body["seed"] == 7 and "top_p" not in body
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {
            "name": "record_verdicts",
            "description": "Record one verdict per item.",
            "schema": SCHEMA,
            "strict": True,
        },
    }
    assert set(completion.structured) == {"asks_first", "no_platitudes"}
    assert completion.stop_reason == "stop"
    assert completion.model == "llama-3-8b"


def test_openai_usage_normalised_to_uncached_input(fake_openai: FakeOpenAI) -> None:
    provider = make_provider("openai/m")
    first = run(provider.generate(judge_request()))
    second = run(provider.generate(judge_request()))
    prompt_tokens = first.usage.input_tokens  # nothing cached the first time
    assert first.usage.cache_read_tokens == 0
    assert second.usage.cache_read_tokens > 0
    assert second.usage.input_tokens + second.usage.cache_read_tokens == prompt_tokens
    assert first.usage.output_tokens == count_tokens(first.text)


@pytest.mark.parametrize("fault", [Fault.invalid_json(), Fault.malformed()])
def test_openai_malformed_structured_output(fake_openai: FakeOpenAI, fault: Fault) -> None:
    fake_openai.inject(fault)
    completion = run(make_provider("openai/m").generate(judge_request()))
    if fault.kind == "invalid_json":
        assert completion.structured is None
        assert completion.text == '{"verdicts": [unterminated'  # raw text kept
    else:
        assert completion.structured == {"unexpected": "not what the schema asked for"}


def test_openai_json_that_is_not_an_object_gives_none(fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = lambda body: "[1, 2, 3]"
    completion = run(make_provider("openai/m").generate(judge_request()))
    assert completion.structured is None and completion.text == "[1, 2, 3]"


def test_openai_plain_text(fake_openai: FakeOpenAI) -> None:
    completion = run(make_provider("openai/m").generate(text_request()))
    assert completion.text == "Fake reply to: Write a haiku about tea."
    assert completion.structured is None
    assert "response_format" not in fake_openai.requests[-1].body


def test_openai_base_url_flag_beats_env(
    fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    provider = make_provider("openai/m", base_url=fake_openai.base_url)
    assert run(provider.generate(text_request())).text.startswith("Fake reply")


def test_openai_local_server_without_key(
    fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    completion = run(make_provider("openai/m").generate(text_request()))
    assert completion.text.startswith("Fake reply")
    assert fake_openai.requests[-1].headers["authorization"] == "Bearer not-needed"


# ---------------------------------------------------------------------------- errors, both SDKs

# (status, retryable): 408/409/429/5xx may succeed on another attempt; other 4xx never will.
STATUS_CASES = [
    (400, False),
    (401, False),
    (403, False),
    (404, False),
    (422, False),
    (408, True),
    (409, True),
    (429, True),
    (500, True),
    (503, True),
    (529, True),
]


@pytest.fixture(params=["anthropic", "openai"])
def fake_any(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Any:
    from tests.fakes.fixtures import point_anthropic_env, point_openai_env

    if request.param == "anthropic":
        with FakeAnthropic() as server:
            point_anthropic_env(server, monkeypatch)
            yield server, "anthropic/m"
    else:
        with FakeOpenAI() as server:
            point_openai_env(server, monkeypatch)
            yield server, "openai/m"


@pytest.mark.parametrize(("status", "retryable"), STATUS_CASES)
def test_status_classification(fake_any: Any, status: int, retryable: bool) -> None:
    server, spec = fake_any
    server.inject(Fault.error(status))
    err = failure(make_provider(spec), text_request())
    assert err.status == status
    assert err.retryable is retryable
    assert f"HTTP {status}" in str(err) and server.url in str(err)
    # SDK retries are off: exactly one HTTP attempt, even for retryable statuses
    assert len(server.requests) == 1


def test_overloaded_529_message(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.inject(Fault.overloaded())
    err = failure(make_provider("anthropic/m"), text_request())
    assert err.status == 529 and err.retryable and "Overloaded" in str(err)


@pytest.mark.parametrize(("retry_after", "expected"), [("7", 7.0), ("0.5", 0.5), (None, None)])
def test_retry_after_header_reaches_error(
    fake_any: Any, retry_after: str | None, expected: float | None
) -> None:
    server, spec = fake_any
    server.inject(Fault.rate_limit(retry_after))
    err = failure(make_provider(spec), text_request())
    assert err.status == 429 and err.retry_after == expected


def test_retry_after_ms_header_preferred(fake_any: Any) -> None:
    server, spec = fake_any
    server.inject(Fault("status", status=429, retry_after="9", retry_after_ms="250"))
    assert failure(make_provider(spec), text_request()).retry_after == 0.25


def test_timeout_is_retryable(fake_any: Any) -> None:
    server, spec = fake_any
    server.inject(Fault.slow(3.0))
    err = failure(make_provider(spec, timeout=0.3), text_request())
    assert err.retryable and err.status is None
    assert "timed out" in str(err) and server.url in str(err)
    assert len(server.requests) == 1


def test_dropped_connection_is_retryable(fake_any: Any) -> None:
    server, spec = fake_any
    server.inject(Fault.drop())
    err = failure(make_provider(spec), text_request())
    assert err.retryable and err.status is None and server.url in str(err)


@pytest.mark.parametrize("spec", ["anthropic/m", "openai/m"])
def test_unreachable_base_url_is_retryable_and_named(
    spec: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "k")
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    err = failure(make_provider(spec, base_url=url, timeout=5), text_request())
    assert err.retryable and err.status is None
    assert "cannot reach" in str(err) and url in str(err)


def test_wrong_key_is_401_not_retryable(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.fakes.fixtures import point_anthropic_env

    with FakeAnthropic(api_key="the-right-key") as server:
        point_anthropic_env(server, monkeypatch)
        err = failure(make_provider("anthropic/m"), text_request())
    assert err.status == 401 and not err.retryable


def test_provider_survives_several_event_loops(fake_any: Any) -> None:
    """The CLI runs stages under separate asyncio.run calls: a pooled connection from a closed
    loop must not be reused."""
    _, spec = fake_any
    provider = make_provider(spec)
    for _ in range(3):
        assert run(provider.generate(text_request())).text.startswith("Fake reply")


def test_concurrent_calls_share_one_client(fake_any: Any) -> None:
    server, spec = fake_any
    server.latency = 0.2
    provider = make_provider(spec)

    async def many() -> list[Any]:
        return await asyncio.gather(
            *(provider.generate(text_request(f"prompt {i}")) for i in range(64))
        )

    completions = run(many())
    assert [c.text for c in completions] == [f"Fake reply to: prompt {i}" for i in range(64)]
    assert len(server.requests) == 64
    assert isinstance(completions[0].usage, Usage)


def test_client_closed_when_its_loop_ends(fake_any: Any) -> None:
    """Each loop's client is closed by asyncio.run's shutdown, not left to the garbage
    collector (which would try to close it on a later, different loop)."""
    _, spec = fake_any
    provider = make_provider(spec)

    async def once() -> Any:
        await provider.generate(text_request())
        return provider.client

    first = run(once())
    second = run(once())
    assert first is not second
    assert first.is_closed() and second.is_closed()
