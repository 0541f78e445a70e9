"""Building judge requests (DESIGN.md "Judge requests"); the wording lives in
benchmark/data/judge/prompt.yaml.

Layout, static to volatile, so that prompt caching reuses as much as possible:
- structured output: a JSON schema whose properties are keyed by item id, each a `$ref` to one
  definition {evidence, rationale, verdict}, all required, no additional properties. Fields are
  ordered evidence, rationale, verdict so that a model writing them in order quotes and reasons
  first. The item statements and the fields' meaning are not repeated in it: the items are in
  system block 2, the fields in the tool description (sent once, not once per item);
- system block 1: the instructions, byte-identical in every call (cache=True);
- system block 2: the task, then the items grouped by dimension, each dimension's description
  and guidance before its items; identical for every response sample and judge sample of the
  task (cache=True: the end of the longest prefix that does not depend on the response);
- user message: the response inside <response> delimiters, then a one-line reminder.
Anthropic caches tools -> system -> messages and the schema names the items, so no cached
prefix can be shared between tasks; the cut in tokens comes from sending less (one call per
response in "response" mode, no duplicated text) and from caching the task and items across
the samples of a task. docs/JUDGING.md has the figures.

Delimiter look-alikes in the response (and in the user turns shown with it) are neutralised:
any `<` (or a full-width/small-form look-alike) that opens or closes one of our tag names,
case-insensitive, with any whitespace or zero-width characters inside, becomes `&lt;`."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from string import Template
from typing import Any

import yaml

from ...records.schemas import Dimension, Message, ResolvedTask, ResponseRecord, RubricItem
from ..providers.base import GenerateRequest, GenerationParams, StructuredOutput, SystemBlock

PROMPT_FILE = "data/judge/prompt.yaml"
# The dimensions a request's items belong to: the suite's mapping by id, or the one dimension of
# a group that has one.
Dimensions = Mapping[str, Dimension] | Dimension
DELIMITER_NAMES = (
    "response",
    "assistant_turn",
    "user_turn",
    "task",
    "rubric_items",
    "dimension",
    "item",
)

_ZW_CLASS = "[\u200b\u200c\u200d\u2060\ufeff\u00ad]"  # zero-width characters, soft hyphen
_ZW = _ZW_CLASS + "*"
_SPACE = rf"(?:\s|{_ZW_CLASS})*"
_NAMES = "|".join(_ZW.join(re.escape(ch) for ch in name) for name in DELIMITER_NAMES)
_LOOKALIKE = re.compile(rf"[<＜﹤](?={_SPACE}/?{_SPACE}(?:{_NAMES})(?!\w))", re.IGNORECASE)


@cache
def _prompt_bytes() -> bytes:
    return resources.files("benchmark").joinpath(PROMPT_FILE).read_bytes()


@cache
def prompt_texts() -> dict[str, str]:
    data: dict[str, Any] = yaml.safe_load(_prompt_bytes().decode("utf-8"))
    return {k: str(v) for k, v in data.items()}


def prompt_fingerprint() -> dict[str, str]:
    """{"prompt_version", "prompt_sha256"}: record in the manifest's judge params."""
    return {
        "prompt_version": prompt_texts()["version"],
        "prompt_sha256": hashlib.sha256(_prompt_bytes()).hexdigest(),
    }


def _fill(key: str, **values: str) -> str:
    return Template(prompt_texts()[key]).substitute(**values)


def neutralize(text: str) -> str:
    """Escape anything that could open or close one of the judge prompt's delimiters."""
    return _LOOKALIKE.sub("&lt;", text)


# --------------------------------------------------------------------------- rendering


def render_task(task: ResolvedTask) -> str:
    parts = []
    if task.language != "en":
        parts.append(_fill("task_language", language=task.language))
    if task.system:
        parts.append(_fill("task_system", system=task.system.strip()))
    if task.history:
        history = "\n".join(f"[{h.role}] {h.content.strip()}" for h in task.history)
        parts.append(_fill("task_history", history=history))
    parts.append(_fill("task_prompt", prompt=task.prompt.strip()))
    if task.turns:
        turns = "\n".join(f"{i}. {t.strip()}" for i, t in enumerate(task.turns, start=2))
        parts.append(_fill("task_turns", turns=turns))
    return "\n".join(p.rstrip("\n") for p in parts)


def render_item(item: RubricItem) -> str:
    t = prompt_texts()
    details = []
    if item.guidance:
        details.append(_fill("guidance_line", guidance=item.guidance.strip()))
    if item.examples is not None:
        details.append(_fill("example_met", example=item.examples.met.strip()))
        details.append(_fill("example_not_met", example=item.examples.not_met.strip()))
    return _fill(
        "item",
        id=item.id,
        text=item.text.strip(),
        kind=t["kind_positive"] if item.points > 0 else t["kind_negative"],
        details="".join(d + "\n" for d in details),
    ).rstrip("\n")


def render_response(response: ResponseRecord) -> str:
    """The response for the judge: the assistant text alone for one turn, else the whole
    conversation with numbered turn tags. A given history is in the task block, not here.
    Untrusted text is neutralised."""
    convo = [m for m in response.transcript if m.role != "system" and not m.given]
    assistant = [m for m in convo if m.role == "assistant"]
    if len(assistant) <= 1:
        return neutralize((assistant[0].content if assistant else response.text).strip())
    out, counts = [], {"user": 0, "assistant": 0}
    for m in convo:
        counts[m.role] += 1
        tag = f"{m.role}_turn"
        out.append(f'<{tag} n="{counts[m.role]}">\n{neutralize(m.content.strip())}\n</{tag}>')
    return "\n".join(out)


def render_dimension(dimension: Dimension, items: list[RubricItem]) -> str:
    """One dimension of <rubric_items>: what it measures and how to judge it, then `items`."""
    guidance = (
        _fill("dimension_guidance", guidance=dimension.judge_guidance.strip())
        if dimension.judge_guidance.strip()
        else ""
    )
    return _fill(
        "dimension",
        name=dimension.name,
        id=dimension.id,
        version=dimension.version,
        description=dimension.description.strip(),
        guidance_section=guidance,
        items="\n".join(render_item(it) for it in items),
    ).rstrip("\n")


def render_material(
    task: ResolvedTask, items: list[RubricItem], dimensions: Mapping[str, Dimension]
) -> str:
    """System block 2: the task, then `items` by dimension (in order of first appearance)."""
    by_dimension: dict[str, list[RubricItem]] = {}
    for it in items:
        by_dimension.setdefault(it.dimension, []).append(it)
    return _fill(
        "material",
        task=render_task(task),
        dimensions="\n".join(
            render_dimension(dimensions[d], its) for d, its in by_dimension.items()
        ),
    ).rstrip("\n")


# Every item's answer has the same shape, defined once and referenced by each item id (local
# `$ref`s are honoured by Anthropic tools, OpenAI strict schemas, vLLM, llama.cpp and Ollama).
VERDICT_DEF = "verdict"


def verdict_schema(items: list[RubricItem]) -> dict[str, Any]:
    """JSON schema naming every item id; a complete answer is enforced by the schema."""
    ids = [it.id for it in items]
    if len(set(ids)) != len(ids):
        raise ValueError(f"duplicate item ids in one judge request: {ids}")
    return {
        "type": "object",
        "properties": {i: {"$ref": f"#/$defs/{VERDICT_DEF}"} for i in ids},
        "required": ids,
        "additionalProperties": False,
        "$defs": {
            VERDICT_DEF: {
                "type": "object",
                "properties": {
                    "evidence": {"type": "string"},
                    "rationale": {"type": "string"},
                    "verdict": {"type": "boolean"},
                },
                "required": ["evidence", "rationale", "verdict"],
                "additionalProperties": False,
            }
        },
    }


def build_judge_request(
    task: ResolvedTask,
    response: ResponseRecord,
    items: list[RubricItem],
    dimensions: Dimensions,
    params: GenerationParams,
    *,
    judge_sample: int = 0,
    reask_problems: list[str] | None = None,
) -> GenerateRequest:
    """One judge call for `items` (a group from `judge_groups`) on one response; `dimensions`
    holds at least the dimensions of `items` (the suite's mapping will do).

    `judge_sample` becomes GenerateRequest.sample, so K judge samples and re-asks never share a
    cache key; `reask_problems` (what was wrong before) is appended when asking again."""
    if not items:
        raise ValueError("a judge request needs at least one item")
    if isinstance(dimensions, Dimension):
        dimensions = {dimensions.id: dimensions}
    missing = sorted({it.dimension for it in items} - set(dimensions))
    if missing:
        raise ValueError(f"judge request: no dimension given for {', '.join(missing)}")
    t = prompt_texts()
    reask = _fill("reask", problems="; ".join(reask_problems)).rstrip() if reask_problems else ""
    user = _fill("user", response=render_response(response), reask=reask).rstrip("\n")
    return GenerateRequest(
        messages=[Message(role="user", content=user)],
        params=params,
        system=(
            SystemBlock(t["instructions"].strip(), cache=True),
            SystemBlock(render_material(task, items, dimensions), cache=True),
        ),
        structured=StructuredOutput(
            name=t["tool_name"],
            description=t["tool_description"].strip(),
            schema=verdict_schema(items),
        ),
        task_id=task.id,
        sample=judge_sample,
        response_sample=response.sample,
    )
