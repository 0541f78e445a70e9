"""Judge prompt 2.0.0 sends less (docs/JUDGING.md "What a response's judge input is made of")
without dropping anything: for every task of the shipped suite and every judge mode, each
LLM-judged item is asked exactly once per response with its statement, kind, guidance line and
examples after its dimension's description and guidance; the evidence requirement is in every
request; and the instructions, the cached prefix every call starts its system prompt with, are
byte-identical across tasks, dimensions and modes."""

from __future__ import annotations

import json

import pytest

from benchmark.engine.judging import build_judge_request, judge_groups, prompt_fingerprint
from benchmark.engine.judging.prompt import prompt_texts
from benchmark.engine.providers.base import GenerateRequest, GenerationParams
from benchmark.records.runspec import JUDGE_MODES
from benchmark.records.schemas import Message, ResolvedTask, ResponseRecord
from benchmark.suite import Suite, load_suite

PARAMS = GenerationParams(temperature=0.0, max_tokens=2048)
SUITE = load_suite()
# The evidence rule, as the instructions state it (prompt.yaml, "Evidence and rationale").
EVIDENCE_RULE = "evidence: a short quote copied character for character from the response"


def _response(task: ResolvedTask) -> ResponseRecord:
    return ResponseRecord(
        task_id=task.id,
        sample=0,
        model="m/x",
        transcript=[
            Message(role="user", content=task.prompt),
            Message(role="assistant", content="A reply."),
        ],
        text="A reply.",
    )


def _requests(suite: Suite, task: ResolvedTask, mode: str) -> list[GenerateRequest]:
    return [
        build_judge_request(task, _response(task), items, suite.dimensions, PARAMS)
        for _, items in judge_groups(task.items, mode)  # type: ignore[arg-type]
    ]


@pytest.mark.parametrize("mode", JUDGE_MODES)
def test_every_item_guidance_line_and_example_is_asked_once(mode: str) -> None:
    asked = 0
    for task in SUITE.tasks:
        seen: list[str] = []
        for req in _requests(SUITE, task, mode):
            assert req.structured is not None
            block = req.system[1].text
            for item_id in req.structured.schema["required"]:
                item = next(it for it in task.items if it.id == item_id)
                seen.append(item_id)
                start = block.index(f'<item id="{item_id}">')
                body = block[start : block.index("</item>", start)]
                assert f"Statement: {item.text.strip()}" in body
                assert "Kind: positive" in body if item.points > 0 else "Kind: negative" in body
                if item.guidance:
                    assert f"Guidance: {item.guidance.strip()}" in body
                if item.examples is not None:
                    assert item.examples.met.strip() in body
                    assert item.examples.not_met.strip() in body
                # Its dimension says what it measures, and how to judge it, before it.
                dim = SUITE.dimensions[item.dimension]
                head = block.rindex(f'<dimension id="{dim.id}">', 0, start)
                assert dim.description.strip() in block[head:start]
                if dim.judge_guidance.strip():
                    assert dim.judge_guidance.strip() in block[head:start]
        llm_items = [it.id for it in task.items if it.check is None]
        assert sorted(seen) == sorted(llm_items), task.id
        asked += len(seen)
    assert asked == sum(1 for t in SUITE.tasks for it in t.items if it.check is None) > 800


def test_the_evidence_requirement_is_in_every_request() -> None:
    for task in SUITE.tasks:
        for req in _requests(SUITE, task, "response"):
            assert EVIDENCE_RULE in req.system[0].text
            assert "A quote that does not occur in the response" in req.system[0].text
            assert "quote evidence verbatim" in req.messages[0].content  # the reminder
            assert req.structured is not None
            schema = req.structured.schema
            for item_id in schema["required"]:
                ref = schema["properties"][item_id]["$ref"].removeprefix("#/$defs/")
                assert "evidence" in schema["$defs"][ref]["required"]


def test_the_instructions_and_tool_are_byte_identical_in_every_call() -> None:
    firsts = set()
    tools = set()
    for mode in JUDGE_MODES:
        for task in SUITE.tasks:
            for req in _requests(SUITE, task, mode):
                assert req.system[0].cache and req.system[1].cache
                firsts.add(req.system[0].text.encode("utf-8"))
                assert req.structured is not None
                tools.add((req.structured.name, req.structured.description))
                assert task.prompt.strip() not in req.system[0].text
    assert len(firsts) == 1 and len(tools) == 1
    assert firsts == {prompt_texts()["instructions"].strip().encode("utf-8")}


def test_the_schema_repeats_no_statement_and_defines_an_answer_once() -> None:
    task = next(t for t in SUITE.tasks if sum(it.check is None for it in t.items) >= 5)
    [req] = _requests(SUITE, task, "response")
    assert req.structured is not None
    text = json.dumps(req.structured.schema)
    for item in task.items:
        if item.check is None:
            assert item.text.strip() not in text
    assert text.count('"evidence"') == 2  # the definition's property and its required list


def test_prompt_fingerprint_changed_with_the_layout() -> None:
    fp = prompt_fingerprint()
    assert fp["prompt_version"] == "2.0.0"
    # Prompt 1.1.0's file hash, as tests/data/run_v1/manifest.json records it.
    assert fp["prompt_sha256"] != (
        "e6822665d1f70a6f7b08a48cd4d5f0678992ffa0ea0a0c0fba716c0e5ec67728"
    )
