"""The fake servers themselves: schema-valid answers for any schema, fault scripts, latency
under 64 concurrent requests, recording. (The SDK-level behaviour is covered by the provider
and batch tests.)"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.error
import urllib.request
from typing import Any

import jsonschema
import pytest

from benchmark.engine.providers import GenerateRequest, make_provider
from benchmark.records.schemas import Message
from tests.fakes import (
    FakeAnthropic,
    FakeOpenAI,
    Fault,
    count_tokens,
    default_responder,
    fill_schema,
    structured_schema,
)

ITEM = {
    "type": "object",
    "properties": {
        "verdict": {"type": "boolean"},
        "evidence": {"type": "string"},
        "rationale": {"type": "string", "minLength": 20},
    },
    "required": ["verdict", "evidence", "rationale"],
    "additionalProperties": False,
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "keyed_by_item_id": {
        "type": "object",
        "properties": {i: ITEM for i in ("asks_first", "names_feeling", "no_platitude")},
        "required": ["asks_first", "names_feeling", "no_platitude"],
        "additionalProperties": False,
    },
    "array_with_enum_ids": {
        "type": "object",
        "properties": {
            "verdicts": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "item_id": {"type": "string", "enum": ["a1", "a2", "a3", "a4"]},
                        "met": {"type": ["boolean", "null"]},
                        "evidence": {"type": "string"},
                    },
                    "required": ["item_id", "met", "evidence"],
                    "additionalProperties": False,
                },
                "minItems": 4,
                "maxItems": 4,
            }
        },
        "required": ["verdicts"],
    },
    "refs_and_combinators": {
        "$defs": {
            "score": {"type": "integer", "minimum": 1, "maximum": 5},
            "label": {"enum": ["met", "not_met", "unclear"]},
        },
        "type": "object",
        "properties": {
            "score": {"$ref": "#/$defs/score"},
            "label": {"$ref": "#/$defs/label"},
            "note": {"anyOf": [{"type": "null"}, {"type": "string", "maxLength": 5}]},
            "both": {
                "allOf": [
                    {"type": "object", "properties": {"x": {"const": 3}}, "required": ["x"]},
                    {
                        "properties": {"y": {"type": "number", "exclusiveMinimum": 0}},
                        "required": ["y"],
                    },
                ]
            },
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2},
            "optional": {"type": "string"},
        },
        "required": ["score", "label", "note", "both", "tags"],
    },
    "no_required_list": {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "number", "maximum": -3}},
    },
}


@pytest.mark.parametrize("name", list(SCHEMAS))
@pytest.mark.parametrize("seed", [0, 1, 12345])
def test_fill_schema_is_valid(name: str, seed: int) -> None:
    schema = SCHEMAS[name]
    value = fill_schema(schema, seed=seed)
    jsonschema.validate(value, schema)
    assert fill_schema(schema, seed=seed) == value  # deterministic


def test_fill_schema_covers_every_item_and_quotes_nothing() -> None:
    value = fill_schema(SCHEMAS["array_with_enum_ids"])
    assert [v["item_id"] for v in value["verdicts"]] == ["a1", "a2", "a3", "a4"]
    keyed = fill_schema(SCHEMAS["keyed_by_item_id"])
    assert all(v["evidence"] == "" for v in keyed.values())  # cannot quote what it never saw
    assert "optional" not in fill_schema(SCHEMAS["refs_and_combinators"])
    assert fill_schema(SCHEMAS["no_required_list"]) == {"a": "fake a", "b": -3.0}


def test_fill_schema_booleans_vary_with_seed() -> None:
    verdicts = {
        tuple(v["verdict"] for v in fill_schema(SCHEMAS["keyed_by_item_id"], seed=s).values())
        for s in range(20)
    }
    assert len(verdicts) > 1
    assert any(True in v for v in verdicts) and any(False in v for v in verdicts)


def test_default_responder_on_both_wire_formats() -> None:
    schema = SCHEMAS["keyed_by_item_id"]
    anthropic_body = {
        "messages": [{"role": "user", "content": [{"type": "text", "text": "judge this"}]}],
        "tools": [{"name": "v", "input_schema": schema}],
        "tool_choice": {"type": "tool", "name": "v"},
    }
    openai_body = {
        "messages": [{"role": "user", "content": "judge this"}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "v", "schema": schema}},
    }
    assert structured_schema(anthropic_body) == structured_schema(openai_body) == schema
    assert default_responder(anthropic_body) == default_responder(openai_body)
    jsonschema.validate(default_responder(openai_body), schema)
    plain = {"messages": [{"role": "user", "content": "hi"}], "tools": [{"name": "v"}]}
    assert default_responder(plain) == "Fake reply to: hi"  # tools offered but not forced


# ---------------------------------------------------------------------------- the servers


def post(url: str, body: Any) -> tuple[int, Any]:
    req = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_faults_apply_in_order_and_by_path() -> None:
    with FakeAnthropic() as server:
        server.inject(
            Fault.error(503, path="/v1/messages/batches"),
            Fault.overloaded(),
            Fault.bad_request(),
        )
        body = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}
        statuses = [post(f"{server.url}/v1/messages", body)[0] for _ in range(3)]
        assert statuses == [529, 400, 200]  # the batch-only fault was skipped
        assert server.pending_faults == 1
        status, err = post(f"{server.url}/v1/messages/batches", {"requests": []})
        assert status == 503 and err["error"]["type"] == "api_error"
        assert server.pending_faults == 0


def test_error_bodies_and_headers() -> None:
    with FakeAnthropic() as a, FakeOpenAI() as o:
        a.inject(Fault.overloaded())
        status, body = post(f"{a.url}/v1/messages", {})
        assert status == 529
        assert body["type"] == "error"
        assert body["error"] == {"type": "overloaded_error", "message": "Overloaded"}
        o.inject(Fault.rate_limit(4))
        req = urllib.request.Request(f"{o.base_url}/chat/completions", data=b"{}")
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(req, timeout=5)
        assert info.value.code == 429 and info.value.headers["retry-after"] == "4"
        assert json.loads(info.value.read())["error"]["code"] == "rate_limit_exceeded"


def test_unknown_route_and_broken_responder() -> None:
    def broken(body: dict[str, Any]) -> str:
        raise RuntimeError("responder bug")

    with FakeOpenAI(broken) as server:
        status, body = post(f"{server.url}/v1/embeddings", {})
        assert status == 404
        status, body = post(f"{server.base_url}/chat/completions", {"messages": []})
        assert status == 500 and "responder bug" in body["error"]["message"]
        assert [r.status for r in server.requests] == [404, 500]


def test_requests_are_served_concurrently(monkeypatch: pytest.MonkeyPatch) -> None:
    """64 concurrent requests are all in the server at once (what the runner's performance
    benchmark relies on): each responder waits at a 64-party barrier, which a server answering
    one request at a time would never fill (the barrier's timeout then fails the calls)."""
    barrier = threading.Barrier(64, timeout=60)

    def all_at_once(body: dict[str, Any]) -> str:
        barrier.wait()
        return "ok"

    with FakeAnthropic(all_at_once) as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", "k")
        provider = make_provider("anthropic/m")

        async def go() -> list[str]:
            requests = [
                GenerateRequest(messages=[Message(role="user", content=str(i))]) for i in range(64)
            ]
            results = await asyncio.gather(*(provider.generate(r) for r in requests))
            return [r.text for r in results]

        assert asyncio.run(go()) == ["ok"] * 64
        assert len(server.requests) == 64 and not barrier.broken


def test_stop_wakes_slow_handlers() -> None:
    """A test that ends while a slow fault is sleeping must not leave a client hanging."""
    server = FakeOpenAI().start()
    server.inject(Fault.slow(30))
    outcome: list[int] = []
    client = threading.Thread(
        target=lambda: outcome.append(
            post(f"{server.base_url}/chat/completions", {"messages": []})[0]
        ),
        daemon=True,
    )
    client.start()
    while not server.requests:
        time.sleep(0.01)
    server.stop()
    client.join(timeout=3)  # the client's own timeout is 5 s, the fault 30 s
    assert not client.is_alive() and outcome == [200]


def _cached_request(task: str, response: str, instructions: str = "I" * 4000) -> dict[str, Any]:
    """Two breakpoints, as the judge sends them: the instructions, then the task block."""
    return {
        "model": "m",
        "max_tokens": 10,
        "system": [
            {"type": "text", "text": instructions, "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": task, "cache_control": {"type": "ephemeral"}},
        ],
        "messages": [{"role": "user", "content": response}],
    }


def _tokens(params: dict[str, Any], blocks: int) -> int:
    return count_tokens(json.dumps(params["system"][:blocks]))


def test_anthropic_cache_reads_the_longest_cached_breakpoint_prefix() -> None:
    fake = FakeAnthropic()
    a1 = _cached_request("T" * 2000, "first response")
    u1 = fake.message(a1)["usage"]
    # Nothing cached yet: both breakpoint prefixes are written.
    assert (u1["cache_read_input_tokens"], u1["cache_creation_input_tokens"]) == (
        0,
        _tokens(a1, 2),
    )
    # Another response to the same task: the whole task prefix is read, nothing written.
    a2 = _cached_request("T" * 2000, "second response")
    u2 = fake.message(a2)["usage"]
    assert (u2["cache_read_input_tokens"], u2["cache_creation_input_tokens"]) == (
        _tokens(a2, 2),
        0,
    )
    # Another task: only the instructions' prefix is read, the new task block written.
    b = _cached_request("U" * 3000, "first response")
    u3 = fake.message(b)["usage"]
    assert u3["cache_read_input_tokens"] == _tokens(b, 1)
    assert u3["cache_creation_input_tokens"] == _tokens(b, 2) - _tokens(b, 1)
    total = count_tokens(json.dumps([*b["system"], *b["messages"]]))
    assert total == (
        u3["input_tokens"] + u3["cache_read_input_tokens"] + u3["cache_creation_input_tokens"]
    )


def test_anthropic_cache_ignores_prefixes_below_the_minimum() -> None:
    fake = FakeAnthropic(cache_min_tokens=1024)
    req = _cached_request("T" * 2000, "a response")
    assert _tokens(req, 1) < 1024 <= _tokens(req, 2)  # 4,000 characters: about 1,000 tokens
    for expected_read in (0, _tokens(req, 2)):
        usage = fake.message(req)["usage"]
        assert usage["cache_read_input_tokens"] == expected_read
    small = _cached_request("T", "a response", "I" * 3000)  # no prefix reaches the minimum
    usage = fake.message(small)["usage"]
    assert usage["cache_read_input_tokens"] == usage["cache_creation_input_tokens"] == 0
    assert usage["input_tokens"] == count_tokens(json.dumps([*small["system"], *small["messages"]]))


def _openai_request(system: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "model": "m",
        "messages": [
            {"role": "system", "content": system},
            {"role": "user", "content": "a response"},
        ],
        "response_format": {"type": "json_schema", "json_schema": {"name": "v", "schema": schema}},
    }


def test_openai_prefix_cache_includes_the_schema_and_has_a_minimum() -> None:
    fake = FakeOpenAI(cache_min_tokens=1024)
    system = "S" * 4400  # 1,100 tokens
    one, two = SCHEMAS["keyed_by_item_id"], SCHEMAS["array_with_enum_ids"]

    def cached(params: dict[str, Any]) -> int:
        return int(fake.completion(params)["usage"]["prompt_tokens_details"]["cached_tokens"])

    assert cached(_openai_request(system, one)) == 0
    assert cached(_openai_request(system, one)) == 1100
    assert cached(_openai_request(system, two)) == 0  # another schema: another prefix
    short = _openai_request("S" * 4000, one)  # 1,000 tokens: below the minimum
    assert cached(short) == 0 and cached(short) == 0
