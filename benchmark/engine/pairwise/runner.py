"""Making the comparisons: cached, retried, bounded calls (benchmark.engine.calls.CallService), each
call's lines appended to comparisons.jsonl as soon as it returns.

A call's answer is in the cache before its lines are written, so `kill -9` followed by the same
command pays for no call twice; errors are never cached and their lines are dropped on the next
open, so they are asked again. A criterion whose answer is malformed is asked again alone, at
most `max_reasks` times, each time under a new sample id so the cached bad answer is not
served back."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ...errors import ProviderError
from ...records.rundir import JsonlAppender
from ...records.schemas import Dimension, Usage
from ..calls import CallService
from ..providers.base import GenerationParams
from .parse import CriterionVerdict, parse_comparison
from .plan import Job
from .prompt import (
    build_pairwise_request,
    shown_texts,
    task_criteria,
    text_sha256,
    word_count,
)
from .records import ComparisonRecord, Preferred, Winner

SAMPLE_STRIDE = 1000  # request sample = attempt * SAMPLE_STRIDE + judge_sample


def preferred_run(winner: Winner | None, order: str) -> Preferred | None:
    """The judge's A/B undone into run terms: in order "ab" run_a was shown as A."""
    if winner is None:
        return None
    if winner == "tie":
        return "tie"
    shown_first = "run_a" if order == "ab" else "run_b"
    other = "run_b" if shown_first == "run_a" else "run_a"
    return shown_first if winner == "A" else other  # type: ignore[return-value]


@dataclass(frozen=True)
class JudgeSetup:
    spec: str
    params: GenerationParams
    dimensions: dict[str, Dimension]
    truncate: bool = False
    max_reasks: int = 2


async def _ask(
    call: CallService, job: Job, setup: JudgeSetup, criteria: list[str]
) -> tuple[dict[str, CriterionVerdict], Usage]:
    first, second = job.shown
    results: dict[str, CriterionVerdict] = {}
    pending, usage = list(criteria), Usage()
    for attempt in range(setup.max_reasks + 1):
        problems = [f"{c}: {results[c].error}" for c in pending if c in results]
        request = build_pairwise_request(
            job.task,
            first,
            second,
            pending,
            setup.dimensions,
            setup.params,
            truncate=setup.truncate,
            judge_sample=attempt * SAMPLE_STRIDE + job.judge_sample,
            reask_problems=problems or None,
        )
        completion = await call(request)
        usage = usage + completion.usage
        for v in parse_comparison(completion, pending):
            results[v.criterion] = v
        pending = [c for c in pending if results[c].malformed]
        if not pending:
            break
    for c in pending:
        v = results[c]
        results[c] = replace(v, error=f"{v.error} (asked {setup.max_reasks + 1} times)")
    return results, usage


def _records(
    job: Job,
    setup: JudgeSetup,
    criteria: list[str],
    verdicts: dict[str, CriterionVerdict] | None,
    usage: Usage | None,
    error: str | None,
) -> list[ComparisonRecord]:
    first, second = job.shown
    _a, _b, cut = shown_texts(first, second, truncate=setup.truncate)
    out = []
    for n, c in enumerate(criteria):
        v = verdicts.get(c) if verdicts else None
        line_error = error or (v.error if v is not None and v.malformed else None)
        out.append(
            ComparisonRecord(
                task_id=job.task.id,
                sample=job.resp_a.sample,
                sample_b=job.resp_b.sample,
                run_a=job.run_a.run_id,
                run_b=job.run_b.run_id,
                model_a=job.run_a.manifest.model,
                model_b=job.run_b.manifest.model,
                order=job.order,
                criterion=c,
                judge=setup.spec,
                judge_sample=job.judge_sample,
                winner=v.winner if v is not None else None,
                margin=v.margin if v is not None else None,
                reason=v.reason if v is not None else "",
                preferred=preferred_run(v.winner, job.order) if v is not None else None,
                words_a=word_count(job.resp_a.text),
                words_b=word_count(job.resp_b.text),
                sha256_a=text_sha256(job.resp_a.text),
                sha256_b=text_sha256(job.resp_b.text),
                truncated=cut,
                error=line_error,
                usage=usage if n == 0 else None,
            )
        )
    return out


async def compare(call: CallService, job: Job, setup: JudgeSetup) -> list[ComparisonRecord]:
    """The lines of one call; a ProviderError becomes error lines (a value, not a crash)."""
    criteria = task_criteria(job.task)
    try:
        verdicts, usage = await _ask(call, job, setup, criteria)
    except ProviderError as err:
        return _records(job, setup, criteria, None, None, f"judge call failed: {err}")
    return _records(job, setup, criteria, verdicts, usage, None)


async def run_jobs(
    call: CallService, jobs: Sequence[Job], setup: JudgeSetup, out: JsonlAppender
) -> list[ComparisonRecord]:
    """Make every call of `jobs` (bounded by `call`'s semaphore), appending each call's lines
    as soon as it returns. A storage error stops everything at once (TaskGroup cancels)."""
    written: list[ComparisonRecord] = []

    async def one(job: Job) -> None:
        records = await compare(call, job, setup)
        for r in records:
            out.append(r)
        written.extend(records)

    try:
        async with asyncio.TaskGroup() as group:
            for job in jobs:
                group.create_task(one(job))
    except BaseExceptionGroup as group_err:
        # The first failure is the cause (a full disk, say); the rest are its consequences.
        raise group_err.exceptions[0] from None
    return written
