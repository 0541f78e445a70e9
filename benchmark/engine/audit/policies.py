"""Baseline policies: each turns a task into the assistant's replies (one per user turn) without
doing the task. Their words live in benchmark/data/audit_policies.yaml; this module only says how
each policy uses the task.

A policy's replies become an ordinary replay record (`policy_record`), so the audit scores them
through the same runner, checks and judge as any model's responses."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ...datafile import load_yaml_data
from ...records.schemas import (
    CATEGORIES,
    HtmlElementsCheck,
    Message,
    RequiredPhrasesCheck,
    ResolvedTask,
    ResponseRecord,
)
from ..generation import joined_text

# The report's order: the degenerate answers first, then the generic answer and its variants.
POLICY_NAMES: tuple[str, ...] = (
    "empty",
    "echo",
    "ei_template",
    "html_skeleton",
    "keyword_stuffing",
    "embedded_instruction",
    "decent_plain",
    "padded",
)
REFLECTION = "{reflection}"


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EiTemplate(_Data):
    reflection_words: int = Field(ge=1)
    reply: str

    @field_validator("reply")
    @classmethod
    def _has_slot(cls, v: str) -> str:
        if v.count(REFLECTION) != 1:
            raise ValueError(f"must hold {REFLECTION} exactly once")
        return v


class PolicyTexts(_Data):
    """benchmark/data/audit_policies.yaml."""

    version: int
    descriptions: dict[str, str]
    html_skeleton: str = Field(min_length=1)
    ei_template: EiTemplate
    grader_note: str = Field(min_length=1)
    decent: dict[str, str]

    @model_validator(mode="after")
    def _complete(self) -> PolicyTexts:
        if set(self.descriptions) != set(POLICY_NAMES):
            raise ValueError(f"descriptions must name exactly the policies {list(POLICY_NAMES)}")
        if set(self.decent) != set(CATEGORIES):
            raise ValueError(f"decent must hold one answer per category {list(CATEGORIES)}")
        return self


@dataclass(frozen=True)
class Policy:
    name: str
    description: str
    replies: Callable[[ResolvedTask], list[str]]  # one reply per user turn, in order


def user_turns(task: ResolvedTask) -> list[str]:
    return [task.prompt, *task.turns]


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def reflection(message: str, max_words: int) -> str:
    """The user's first sentence, whitespace collapsed, without its final punctuation, cut to
    `max_words` words: the words a formula reply mirrors back."""
    first = _SENTENCE_END.split(message.strip(), maxsplit=1)[0]
    words = first.split()
    cut = " ".join(words[:max_words])
    return cut + "…" if len(words) > max_words else cut.rstrip(".!?")


def keyword_stuffing(task: ResolvedTask) -> str:
    """The positive items' texts, then the words the checks look for (required phrases, element
    names), deduplicated: everything a reply could say to look as if it covers the rubric.
    Negative items are left out, as an attacker would leave them out."""
    keywords: list[str] = []
    for it in task.items:
        if isinstance(it.check, RequiredPhrasesCheck):
            keywords += it.check.phrases
        elif isinstance(it.check, HtmlElementsCheck):
            keywords += it.check.required
    texts = [it.text.strip() for it in task.items if it.points > 0]
    return " ".join([*texts, *dict.fromkeys(keywords)])


def _every_turn(answer: Callable[[ResolvedTask], str]) -> Callable[[ResolvedTask], list[str]]:
    """The same answer to every user turn: the policies that ignore the conversation."""
    return lambda task: [answer(task)] * len(user_turns(task))


def build_policies(data: PolicyTexts) -> tuple[Policy, ...]:
    def decent(task: ResolvedTask) -> str:
        return data.decent[task.category]

    def template(message: str) -> str:
        words = data.ei_template.reflection_words
        return data.ei_template.reply.replace(REFLECTION, reflection(message, words))

    replies: dict[str, Callable[[ResolvedTask], list[str]]] = {
        "empty": _every_turn(lambda t: ""),
        "echo": user_turns,
        "ei_template": lambda t: [template(u) for u in user_turns(t)],
        "html_skeleton": _every_turn(lambda t: data.html_skeleton),
        "keyword_stuffing": _every_turn(keyword_stuffing),
        "embedded_instruction": _every_turn(lambda t: decent(t) + "\n\n" + data.grader_note),
        "decent_plain": _every_turn(decent),
        "padded": _every_turn(lambda t: decent(t) + "\n\n" + decent(t)),
    }
    return tuple(Policy(n, data.descriptions[n], replies[n]) for n in POLICY_NAMES)


def load_policy_texts() -> PolicyTexts:
    """The shipped texts (benchmark/data/audit_policies.yaml), validated."""
    return load_yaml_data(
        PolicyTexts,
        package="benchmark",
        resource="data/audit_policies.yaml",
        path=None,
        flag="audit policies",
    )


def load_policies() -> tuple[Policy, ...]:
    """Every baseline policy, in report order, with the shipped texts."""
    return build_policies(load_policy_texts())


def policy_turns(policy: Policy, task: ResolvedTask) -> list[Message]:
    """The conversation as the runner would record it: system prompt, then each user turn
    followed by the policy's reply to it."""
    out = [Message(role="system", content=task.system)] if task.system else []
    for user, reply in zip(user_turns(task), policy.replies(task), strict=True):
        out += [Message(role="user", content=user), Message(role="assistant", content=reply)]
    return out


def policy_record(policy: Policy, task: ResolvedTask, model: str) -> ResponseRecord:
    """One line of a replay file (sample 0) holding the policy's answer to `task`."""
    transcript = policy_turns(policy, task)
    return ResponseRecord(
        task_id=task.id, sample=0, model=model, transcript=transcript, text=joined_text(transcript)
    )
