"""Fixed-history tasks: the conversation so far is given (user first, alternating, ending with an
assistant turn) and the model answers the user's next message only. The given turns are in the
transcript, marked `given`, and never count as the model's: not in `text`, not in a check's
turns, not in the judge's <response>, not an answer to replay."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from benchmark.checks import run_check
from benchmark.engine.generation import generate_response
from benchmark.engine.judging.prompt import render_response, render_task
from benchmark.engine.providers import GenerateRequest, make_provider
from benchmark.engine.providers.base import Completion, GenerationParams
from benchmark.records.schemas import (
    HistoryTurn,
    Message,
    QuestionCountCheck,
    ResolvedTask,
    ResponseRecord,
    RubricItem,
    Task,
)

HISTORY = [
    HistoryTurn(role="user", content="My brother hasn't spoken to me since the wedding."),
    HistoryTurn(role="assistant", content="That sounds painful. What happened at the wedding?"),
    HistoryTurn(role="user", content="I gave a speech. He says it humiliated him."),
    HistoryTurn(role="assistant", content="Have you heard his side? Did he say which part?"),
]
ITEM = RubricItem(
    id="one_question",
    dimension="empathetic_followups",
    text="The reply asks exactly one question.",
    points=2,
    check=QuestionCountCheck(type="question_count", min=1, max=1),
)
TASK = ResolvedTask(
    id="ei_fixed",
    category="emotional_intelligence",
    title="Fixed history",
    system=None,
    history=HISTORY,
    prompt="He says I told everyone about his divorce. I did. I thought it was funny.",
    turns=[],
    tags=[],
    items=[ITEM],
    source="test",
)


def test_history_must_alternate_from_user_to_assistant() -> None:
    base = {"id": "t", "category": "emotional_intelligence", "title": "T", "prompt": "p",
            "items": [{"use": "empathetic_followups.no_ai_disclaimer"}]}  # fmt: skip
    Task.model_validate({**base, "history": [h.model_dump() for h in HISTORY]})
    for bad in (HISTORY[1:], HISTORY[:3], [HISTORY[0], HISTORY[2]]):
        with pytest.raises(ValidationError, match="history must alternate"):
            Task.model_validate({**base, "history": [h.model_dump() for h in bad]})


def test_the_model_answers_the_last_message_with_the_history_as_context() -> None:
    seen: list[GenerateRequest] = []

    async def call(request: GenerateRequest) -> Completion:
        seen.append(request)
        return Completion(text="You thought it was funny. How does it look to you now?")

    rec = asyncio.run(generate_response(call, TASK, 0, "openai/m", GenerationParams()))
    (request,) = seen  # one call: the given turns are not generated
    assert [(m.role, m.content) for m in request.messages] == [
        *((h.role, h.content) for h in HISTORY),
        ("user", TASK.prompt),
    ]
    assert [m.given for m in rec.transcript] == [True] * 4 + [False, False]
    assert rec.text == "You thought it was funny. How does it look to you now?"
    # The given assistant turns asked three questions; only the model's reply is counted.
    assert run_check(ITEM.check, rec.transcript, rec.text).verdict is True  # type: ignore[arg-type]
    # The judge sees the history in the task, and only the model's turn as the response.
    assert "Conversation so far (given; its assistant turns are not the model's)" in render_task(
        TASK
    )
    assert "[assistant] Have you heard his side?" in render_task(TASK)
    assert render_response(rec) == rec.text
    # On disk the flag is on every message (one struct type per column, docs/FORMATS.md).
    dumped = json.loads(rec.model_dump_json())["transcript"]
    assert [m["given"] for m in dumped] == [True] * 4 + [False, False]
    assert ResponseRecord.model_validate_json(rec.model_dump_json()) == rec


def test_replay_answers_with_the_models_turn_not_a_given_one(tmp_path: Path) -> None:
    given = [Message(role=h.role, content=h.content, given=True) for h in HISTORY]
    transcript = [*given, Message(role="user", content=TASK.prompt),
                  Message(role="assistant", content="the model's reply")]  # fmt: skip
    rec = ResponseRecord(
        task_id=TASK.id, sample=0, model="m/x", transcript=transcript, text="the model's reply"
    )
    path = tmp_path / "responses.jsonl"
    path.write_text(rec.model_dump_json() + "\n")
    provider = make_provider(f"replay/{path}")
    request = GenerateRequest(
        messages=[*given, Message(role="user", content=TASK.prompt)], task_id=TASK.id, sample=0
    )
    assert asyncio.run(provider.generate(request)).text == "the model's reply"


def test_a_task_in_another_language_says_so_to_the_judge() -> None:
    fr = TASK.model_copy(update={"language": "fr", "history": [], "prompt": "Écris un poème."})
    rendered = render_task(fr)
    assert rendered.startswith("The task is in fr: judge the response in that language")
    assert "The task is in" not in render_task(TASK)  # English needs no line
    base = {"id": "t", "category": "creative_writing", "title": "T", "prompt": "p",
            "items": [{"use": "craft.earned_ending"}]}  # fmt: skip
    assert Task.model_validate({**base, "language": "es-MX"}).language == "es-MX"
    with pytest.raises(ValidationError, match="language"):
        Task.model_validate({**base, "language": "French"})
