"""The judge request for one ordered pair; the wording lives in benchmark/data/judge/pairwise.yaml.

The task is rendered, and both responses delimited and neutralised, exactly as the rubric judge
does it (benchmark.engine.judging.prompt): each response sits in `<response label="A|B">`, so any
`<response`, `</response` or turn-tag look-alike inside it is escaped and cannot end it early.

Structured output: one property per criterion id, each {reason, winner, margin}, all required,
no additional properties, so a complete answer is enforced by the schema."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from string import Template
from typing import Any

import yaml

from ...records.schemas import Dimension, Message, ResolvedTask, ResponseRecord
from ..judging.prompt import render_response, render_task
from ..providers.base import GenerateRequest, GenerationParams, StructuredOutput, SystemBlock
from .records import OVERALL

PROMPT_FILE = "data/judge/pairwise.yaml"


@cache
def _prompt_bytes() -> bytes:
    return resources.files("benchmark").joinpath(PROMPT_FILE).read_bytes()


@cache
def texts() -> dict[str, str]:
    data: dict[str, Any] = yaml.safe_load(_prompt_bytes().decode("utf-8"))
    return {k: str(v) for k, v in data.items()}


def pairwise_fingerprint() -> dict[str, str]:
    return {
        "pairwise_prompt_version": texts()["version"],
        "pairwise_prompt_sha256": hashlib.sha256(_prompt_bytes()).hexdigest(),
    }


def _fill(key: str, **values: str) -> str:
    return Template(texts()[key]).substitute(**values)


def task_criteria(task: ResolvedTask) -> list[str]:
    """The dimensions the task's items belong to, in order of first use, then `overall`."""
    seen: list[str] = []
    for it in task.items:
        if it.dimension not in seen:
            seen.append(it.dimension)
    return [*seen, OVERALL]


def render_criteria(criteria: list[str], dimensions: dict[str, Dimension]) -> str:
    t = texts()
    out = []
    for c in criteria:
        if c == OVERALL:
            name, desc = t["overall_name"], t["overall_description"]
        else:
            name, desc = dimensions[c].name, dimensions[c].description
        out.append(_fill("criterion", id=c, name=name, description=desc.strip()).rstrip("\n"))
    return "\n".join(out)


def word_count(text: str) -> int:
    return len(text.split())


def text_sha256(text: str) -> str:
    """The hash comparisons.jsonl records of each response's text (UTF-8)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def truncate_words(text: str, words: int) -> tuple[str, bool]:
    """`text` cut to its first `words` words (whitespace kept), and whether it was cut."""
    parts = text.split()
    if len(parts) <= words:
        return text, False
    cut, seen = 0, 0
    for i, ch in enumerate(text):
        if not ch.isspace() and (i == 0 or text[i - 1].isspace()):
            seen += 1
            if seen > words:
                cut = i
                break
    return text[:cut].rstrip() + "\n" + texts()["truncated"], True


def comparison_schema(criteria: list[str]) -> dict[str, Any]:
    t = texts()
    entry = {
        "type": "object",
        "properties": {
            "reason": {"type": "string", "description": t["field_reason"]},
            "winner": {
                "type": "string",
                "enum": ["A", "B", "tie"],
                "description": t["field_winner"],
            },
            "margin": {"type": "integer", "enum": [1, 2, 3], "description": t["field_margin"]},
        },
        "required": ["reason", "winner", "margin"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {c: dict(entry) for c in criteria},
        "required": list(criteria),
        "additionalProperties": False,
    }


def shown_texts(
    first: ResponseRecord, second: ResponseRecord, *, truncate: bool
) -> tuple[str, str, bool]:
    """The two responses as the judge sees them (rendered, neutralised; with `truncate`, both cut
    to the word count of the shorter), and whether either was cut."""
    a, b = render_response(first), render_response(second)
    if not truncate:
        return a, b, False
    common = min(word_count(a), word_count(b))
    a, cut_a = truncate_words(a, common)
    b, cut_b = truncate_words(b, common)
    return a, b, cut_a or cut_b


def build_pairwise_request(
    task: ResolvedTask,
    first: ResponseRecord,
    second: ResponseRecord,
    criteria: list[str],
    dimensions: dict[str, Dimension],
    params: GenerationParams,
    *,
    truncate: bool = False,
    judge_sample: int = 0,
    reask_problems: list[str] | None = None,
) -> GenerateRequest:
    """One call: `first` is shown as A, `second` as B."""
    t = texts()
    shown_a, shown_b, _cut = shown_texts(first, second, truncate=truncate)
    reask = _fill("reask", problems="; ".join(reask_problems)).rstrip() if reask_problems else ""
    user = _fill(
        "user",
        task=render_task(task),
        criteria=render_criteria(criteria, dimensions),
        response_a=shown_a,
        response_b=shown_b,
        ids=", ".join(criteria),
        reask=reask,
    ).rstrip("\n")

    return GenerateRequest(
        messages=[Message(role="user", content=user)],
        params=params,
        system=(SystemBlock(t["instructions"].strip(), cache=True),),
        structured=StructuredOutput(
            name=t["tool_name"],
            description=t["tool_description"].strip(),
            schema=comparison_schema(criteria),
        ),
        task_id=task.id,
        sample=judge_sample,
        response_sample=first.sample * 100_000 + second.sample,
    )
