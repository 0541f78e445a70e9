"""The judge plan: which judge calls a run still needs, and the one place a judge request is
built from its identity.

A request's identity is (task, response, items, judge sample, attempt); the items' dimensions
come from the suite. `ask`
builds it; the streaming judge (judge.judge_items) asks through it, and the batch prefill takes
its requests from `JudgePlan.first_asks`, which asks through it too, so a batch answer is cached
under exactly the key the streaming path looks up first. `JudgePlan.pending` is the one filter
deciding which groups of a response still need judging."""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass, replace

from ...records.keys import JudgmentKey
from ...records.runspec import GenerationParams, JudgeMode, JudgeSpec
from ...records.schemas import Dimension, ResolvedTask, ResponseRecord, RubricItem
from ..providers.base import GenerateRequest, ImagePart
from .grouping import judge_groups
from .prompt import Dimensions, build_judge_request

# judge_sample = attempt * SAMPLE_STRIDE + k: unique for every (judge sample k, attempt).
SAMPLE_STRIDE = 1000


def judge_sample_id(sample: int, attempt: int) -> int:
    """The GenerateRequest.sample of judge sample `sample` (from 0), ask number `attempt`
    (0 = first ask, 1.. = re-asks)."""
    return attempt * SAMPLE_STRIDE + sample


def ask(
    task: ResolvedTask,
    response: ResponseRecord,
    items: list[RubricItem],
    dimensions: Dimensions,
    params: GenerationParams,
    *,
    judge_sample: int,
    attempt: int = 0,
    problems: list[str] | None = None,
    images: tuple[ImagePart, ...] = (),
) -> GenerateRequest:
    """The request of judge sample `judge_sample`, ask number `attempt`, for `items` of one
    group on one response (`problems`: what was wrong with the previous ask; `images`: the
    rendered page's screenshots for items judged from them, in the request and its cache key)."""
    request = build_judge_request(
        task,
        response,
        items,
        dimensions,
        params,
        judge_sample=judge_sample_id(judge_sample, attempt),
        reask_problems=problems,
    )
    return replace(request, images=images) if images else request


@dataclass(frozen=True)
class JudgeGroup:
    """The items of one judge call (a response's, a dimension's, or one item) on one response."""

    task: ResolvedTask
    response: ResponseRecord
    name: str  # "response", the dimension id, or the item id (judge_groups)
    items: list[RubricItem]
    dimensions: Mapping[str, Dimension]  # holds those of `items` (the suite's)

    @property
    def sees_screenshots(self) -> bool:
        """Its items are judged from the rendered page too (grouping keeps them apart)."""
        return any(it.sees_screenshots for it in self.items)


def pending_groups(
    task: ResolvedTask,
    response: ResponseRecord,
    judged: Container[JudgmentKey],
    mode: JudgeMode,
    dimensions: Mapping[str, Dimension],
) -> list[JudgeGroup]:
    """The groups of `response` with an LLM-judged item not yet in `judged`: the one filter
    deciding what still needs judging (a run without a judge uses it to write its "not judged"
    lines). A group is asked whole: its cached calls are free, and only its missing lines are
    kept."""
    return [
        JudgeGroup(task, response, name, items, dimensions)
        for name, items in judge_groups(task.items, mode)
        if any(JudgmentKey(task.id, response.sample, it.id) not in judged for it in items)
    ]


@dataclass(frozen=True)
class JudgePlan:
    """How a run's judge calls are made (from the run spec's judge) for a suite's dimensions."""

    dimensions: Mapping[str, Dimension]
    mode: JudgeMode
    samples: int
    params: GenerationParams

    @classmethod
    def of(cls, judge: JudgeSpec, dimensions: Mapping[str, Dimension]) -> JudgePlan:
        return cls(dimensions, judge.mode, judge.samples, judge.params)

    def pending(
        self, task: ResolvedTask, response: ResponseRecord, judged: Container[JudgmentKey]
    ) -> list[JudgeGroup]:
        return pending_groups(task, response, judged, self.mode, self.dimensions)

    def first_asks(self, group: JudgeGroup) -> list[GenerateRequest]:
        """The first ask of each judge sample of `group`: what a batch can answer up front.
        None for a group judged from screenshots: its requests need the page rendered first,
        so the streaming judge asks them (under the same keys on resume)."""
        if group.sees_screenshots:
            return []
        return [
            ask(
                group.task,
                group.response,
                group.items,
                group.dimensions,
                self.params,
                judge_sample=k,
            )
            for k in range(self.samples)
        ]

    def unasked(
        self,
        groups: list[JudgeGroup],
        key_of: Callable[[GenerateRequest], str | None],
    ) -> dict[str, GenerateRequest]:
        """The first asks of `groups` by cache key; `key_of` gives None for a request already
        answered (cached), which is left out."""
        out: dict[str, GenerateRequest] = {}
        for group in groups:
            for request in self.first_asks(group):
                key = key_of(request)
                if key is not None:
                    out[key] = request
        return out
