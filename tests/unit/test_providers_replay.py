"""The replay provider: answers from a responses.jsonl, turn by turn, without any call."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from benchmark.engine.providers import GenerateRequest, make_provider
from benchmark.errors import ProviderError, SpecError
from benchmark.records.schemas import Message, Usage

USAGE = {"input_tokens": 10, "output_tokens": 20, "cache_read_tokens": 0, "cache_write_tokens": 0}


def record(
    task: str, sample: int, answers: list[str], *, error: str | None = None
) -> dict[str, Any]:
    transcript: list[dict[str, str]] = []
    for i, answer in enumerate(answers):
        transcript.append({"role": "user", "content": f"user turn {i}"})
        transcript.append({"role": "assistant", "content": answer})
    return {
        "task_id": task,
        "sample": sample,
        "model": "anthropic/original",
        "transcript": transcript,
        "text": "\n\n".join(answers),
        "usage": USAGE,
        "error": error,
    }


@pytest.fixture
def responses(tmp_path: Path) -> Path:
    path = tmp_path / "responses.jsonl"
    rows = [
        record("grief_pet", 0, ["first reply", "second reply", "third reply"]),
        record("grief_pet", 1, ["another sample"]),
        record("haiku", 0, [], error="HTTP 500 after 6 attempts"),
        # a resumed run: the failure first, then the successful retry of the same sample
        record("memory_magic", 0, [], error="timed out"),
        record("memory_magic", 0, ["recovered"]),
        # ... and a success must not be shadowed by a later failure line
        record("lighthouse", 0, ["kept"]),
        record("lighthouse", 0, [], error="late failure"),
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows) + "\n")
    return path


def ask(provider: Any, task: str, sample: int, history: list[Message]) -> Any:
    request = GenerateRequest(messages=history, task_id=task, sample=sample)
    return asyncio.run(provider.generate(request))


def test_multi_turn_replay_turn_by_turn(responses: Path) -> None:
    provider = make_provider(f"replay/{responses}")
    history = [Message(role="user", content="user turn 0")]
    replies = []
    for turn in range(3):
        completion = ask(provider, "grief_pet", 0, history)
        replies.append(completion.text)
        assert completion.model == "anthropic/original"
        # the record's usage is reported once, so a replayed run sums to the original total
        assert completion.usage == (Usage(**USAGE) if turn == 0 else Usage())
        history += [
            Message(role="assistant", content=completion.text),
            Message(role="user", content=f"user turn {turn + 1}"),
        ]
    assert replies == ["first reply", "second reply", "third reply"]


def test_samples_are_distinct(responses: Path) -> None:
    provider = make_provider(f"replay/{responses}")
    assert (
        ask(provider, "grief_pet", 1, [Message(role="user", content="x")]).text == "another sample"
    )


def test_success_wins_over_error_lines(responses: Path) -> None:
    provider = make_provider(f"replay/{responses}")
    assert ask(provider, "memory_magic", 0, []).text == "recovered"
    assert ask(provider, "lighthouse", 0, []).text == "kept"


@pytest.mark.parametrize(
    ("task", "sample", "turns_done", "message_has"),
    [
        ("no_such_task", 0, 0, "no record to replay"),
        ("grief_pet", 7, 0, "no record to replay"),
        ("grief_pet", 1, 1, "no assistant turn 1 (the record has 1)"),
        ("haiku", 0, 0, "the record is an error: HTTP 500 after 6 attempts"),
    ],
)
def test_missing_answers_are_not_retryable(
    responses: Path, task: str, sample: int, turns_done: int, message_has: str
) -> None:
    provider = make_provider(f"replay/{responses}")
    history = [Message(role="assistant", content="x")] * turns_done
    with pytest.raises(ProviderError) as info:
        ask(provider, task, sample, history)
    err = info.value
    assert not err.retryable
    assert message_has in str(err)
    assert str(responses) in str(err) and repr(task) in str(err) and f"sample {sample}" in str(err)


@pytest.mark.parametrize(
    ("line", "message_has"),
    [
        ("{not json", ":2:(line):"),
        (
            json.dumps({"task_id": "t", "sample": -1, "model": "m", "transcript": [], "text": ""}),
            ":2:sample:",
        ),
        (json.dumps({"task_id": "t", "sample": 0, "model": "m", "text": ""}), ":2:transcript:"),
    ],
)
def test_malformed_file_names_file_and_line(tmp_path: Path, line: str, message_has: str) -> None:
    path = tmp_path / "responses.jsonl"
    path.write_text(json.dumps(record("ok", 0, ["fine"])) + "\n" + line + "\n")
    with pytest.raises(SpecError) as info:
        make_provider(f"replay/{path}")
    assert f"{path}{message_has}" in str(info.value)
