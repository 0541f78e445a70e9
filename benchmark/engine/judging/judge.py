"""Judging one group of items on one response: calls, bounded re-asks, K-sample majority.

`call` is supplied by the runner and already owns retries, caching and concurrency; this module
makes requests, reads answers and turns them into JudgmentRecords.

- Re-asks: items whose answer was malformed (missing, wrong types, no JSON) are asked again,
  alone, at most `max_reasks` times. Each request carries a distinct `sample` (see
  `plan.judge_sample_id`), so a re-ask or a second judge sample never reuses a cached answer.
  Ungrounded quotes are not re-asked (see parse.py).
- K samples (`samples` > 1): K independent draws per item; the record's verdict is the majority
  of the non-null votes; an exact tie (or no valid vote) gives verdict None ("judge samples
  tied"). `votes` lists every draw and `vote_agreement` is the share of non-null votes equal to
  the majority (0.5 for a tie). Evidence and rationale come from the first draw that agrees with
  the majority.
- Usage: the tokens of every call made for the group (all samples and re-asks) are summed onto
  the group's first record; the others carry usage None, so summing records never double
  counts.
- A ProviderError from any call makes every item of the group verdict None with the error (a
  value, not a crash): the group is all-or-nothing, so a resumed run judges it again (calls that
  had succeeded are then served from the runner's cache). Other exceptions propagate."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from ...errors import ProviderError, UsageError
from ...records.schemas import (
    ErrorKind,
    JudgmentRecord,
    ResolvedTask,
    ResponseRecord,
    RubricItem,
    Usage,
)
from ..providers.base import Completion, GenerateRequest, GenerationParams, ImagePart
from .parse import ItemVerdict, parse_judge_completion
from .plan import SAMPLE_STRIDE, JudgeGroup, ask
from .prompt import Dimensions
from .seen import screenshots_for

JudgeCall = Callable[[GenerateRequest], Awaitable[Completion]]

TIED = "judge samples tied"


async def _draw(
    call: JudgeCall,
    task: ResolvedTask,
    response: ResponseRecord,
    items: list[RubricItem],
    dimensions: Dimensions,
    params: GenerationParams,
    k: int,
    max_reasks: int,
    images: tuple[ImagePart, ...] = (),
) -> tuple[dict[str, ItemVerdict], Usage]:
    """One judge sample: the first ask plus re-asks for malformed items."""
    usage = Usage()
    results: dict[str, ItemVerdict] = {}
    pending = list(items)
    attempts = 0
    for attempt in range(max_reasks + 1):
        problems = [f"{it.id}: {results[it.id].error}" for it in pending if it.id in results]
        request = ask(
            task,
            response,
            pending,
            dimensions,
            params,
            judge_sample=k,
            attempt=attempt,
            problems=problems or None,
            images=images,
        )
        completion = await call(request)
        attempts += 1
        usage = usage + completion.usage
        for v in parse_judge_completion(completion, pending, response.text):
            results[v.item_id] = v
        pending = [it for it in pending if results[it.id].malformed]
        if not pending:
            break
    for it in pending:
        v = results[it.id]
        results[it.id] = ItemVerdict(
            v.item_id,
            None,
            v.evidence,
            v.rationale,
            v.grounded,
            f"{v.error} (after {attempts} attempts)",
            malformed=True,
        )
    return results, usage


def item_record(
    task: ResolvedTask,
    response: ResponseRecord,
    item: RubricItem,
    judge_spec: str,
    *,
    verdict: bool | None,
    evidence: str = "",
    rationale: str = "",
    grounded: bool | None = None,
    error: str | None = None,
    error_kind: ErrorKind | None = None,
    votes: list[bool | None] | None = None,
    vote_agreement: float | None = None,
    not_applicable: bool = False,
) -> JudgmentRecord:
    return JudgmentRecord(
        task_id=task.id,
        sample=response.sample,
        model=response.model,
        item_id=item.id,
        dimension=item.dimension,
        points=item.points,
        verdict=verdict,
        evidence=evidence,
        rationale=rationale,
        judge=judge_spec,
        error=error,
        error_kind=error_kind,
        grounded=grounded,
        votes=votes,
        vote_agreement=vote_agreement,
        not_applicable=not_applicable,
    )


def _kind(draw: ItemVerdict) -> ErrorKind | None:
    if draw.error is None:
        return None
    return "malformed" if draw.malformed else "ungrounded"


def _aggregate(
    task: ResolvedTask,
    response: ResponseRecord,
    item: RubricItem,
    judge_spec: str,
    draws: list[ItemVerdict],
) -> JudgmentRecord:
    if len(draws) == 1:
        d = draws[0]
        return item_record(
            task,
            response,
            item,
            judge_spec,
            verdict=d.verdict,
            evidence=d.evidence,
            rationale=d.rationale,
            grounded=d.grounded,
            error=d.error,
            error_kind=_kind(d),
        )
    votes = [d.verdict for d in draws]
    yes, no = votes.count(True), votes.count(False)
    if yes == no:
        errored = next((d for d in draws if d.error), None)
        first_error = errored.error if errored else "no valid verdict"
        return item_record(
            task,
            response,
            item,
            judge_spec,
            verdict=None,
            rationale=f"{len(draws)} judge samples: {yes} true, {no} false, "
            f"{len(draws) - yes - no} without a verdict",
            error=TIED if yes else first_error,
            error_kind="tied" if yes else (_kind(errored) if errored else "malformed"),
            votes=votes,
            vote_agreement=0.5 if yes else None,
        )
    majority = yes > no
    rep = next(d for d in draws if d.verdict is majority)
    return item_record(
        task,
        response,
        item,
        judge_spec,
        verdict=majority,
        evidence=rep.evidence,
        rationale=rep.rationale,
        grounded=rep.grounded,
        votes=votes,
        vote_agreement=max(yes, no) / (yes + no),
    )


async def judge_items(
    call: JudgeCall,
    task: ResolvedTask,
    response: ResponseRecord,
    items: list[RubricItem],
    dimensions: Dimensions,
    *,
    judge_spec: str,
    params: GenerationParams,
    samples: int = 1,
    max_reasks: int = 2,
    images: tuple[ImagePart, ...] = (),
) -> list[JudgmentRecord]:
    """Judge one group of items (see `judge_groups`) on one response: one record per item.
    `dimensions` holds those of `items` (the suite's mapping will do); `images` (the rendered
    page's screenshots) go with every ask."""
    if not 1 <= samples <= SAMPLE_STRIDE:
        raise UsageError(f"--judge-samples must be between 1 and {SAMPLE_STRIDE}, not {samples}")
    if max_reasks < 0:
        raise UsageError(f"max re-asks must be 0 or more, not {max_reasks}")
    if not items:
        return []
    if response.error is not None:
        msg = f"no response to judge (generation failed: {response.error})"
        return [
            item_record(
                task, response, it, judge_spec, verdict=None, error=msg, error_kind="no_response"
            )
            for it in items
        ]

    outcomes = await asyncio.gather(
        *(
            _draw(call, task, response, items, dimensions, params, k, max_reasks, images)
            for k in range(samples)
        ),
        return_exceptions=True,
    )
    usage = Usage()
    failure: ProviderError | None = None
    draws: list[dict[str, ItemVerdict]] = []
    for outcome in outcomes:
        if isinstance(outcome, ProviderError):
            failure = failure or outcome
        elif isinstance(outcome, BaseException):
            raise outcome
        else:
            draws.append(outcome[0])
            usage = usage + outcome[1]
    if failure is not None:
        msg = f"judge call failed: {failure}"
        records = [
            item_record(
                task,
                response,
                it,
                judge_spec,
                verdict=None,
                error=msg,
                error_kind="judge_call_failed",
            )
            for it in items
        ]
    else:
        records = [
            _aggregate(task, response, it, judge_spec, [d[it.id] for d in draws]) for it in items
        ]
    records[0] = records[0].model_copy(update={"usage": usage})
    return records


async def judge_group(
    call: JudgeCall, group: JudgeGroup, *, judge_spec: str, params: GenerationParams, samples: int
) -> list[JudgmentRecord]:
    """Judge `group`; a group judged from screenshots first gets them (rendered off the event
    loop, or found in the render store), and without them its items get no verdict."""
    images: tuple[ImagePart, ...] = ()
    if group.sees_screenshots and group.response.error is None:
        seen = await screenshots_for(group.response)
        if isinstance(seen, str):
            return [
                item_record(
                    group.task,
                    group.response,
                    it,
                    judge_spec,
                    verdict=None,
                    error=seen,
                    error_kind="not_judged",
                )
                for it in group.items
            ]
        images = seen
    return await judge_items(
        call,
        group.task,
        group.response,
        group.items,
        group.dimensions,
        judge_spec=judge_spec,
        params=params,
        samples=samples,
        images=images,
    )
