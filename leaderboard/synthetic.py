"""Synthetic run bundles, written exactly as the runner writes a run directory (manifest,
responses, judgments, scores from benchmark.measure.scoring.score_run). The verdicts of LLM-judged items
are chosen by the caller; programmatic items are decided by the product's own checks on the
text (benchmark.engine.judging.check_judgments), and quoted evidence is grounded as the judge parser
grounds it, so a synthetic bundle passes the board's re-derivation like an honest run. For
tests and the build benchmark only: the texts are not model outputs, so every bundle's model
spec should say so (the benchmark uses `replay/synthetic-*`, which the board labels
"synthetic (benchmark data)")."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from benchmark.engine.generation import joined_text
from benchmark.engine.judging import UNGROUNDED, check_judgments, item_record, judge_groups
from benchmark.engine.judging.grounding import locate
from benchmark.measure.scoring import run_seed, score_run
from benchmark.records.rundir import JsonlAppender, RunDir
from benchmark.records.schemas import (
    Counts,
    JudgmentRecord,
    Manifest,
    Message,
    ResolvedTask,
    ResponseRecord,
    RubricItem,
    Usage,
)
from benchmark.suite import Suite

Verdict = Callable[[ResolvedTask, int, RubricItem], bool | None]
Text = Callable[[ResolvedTask, int], str]
Evidence = Callable[[RubricItem, str], str]  # (item, response text) -> quote or ""
# (task, sample, text) -> the transcript; the response's `text` is then its assistant turns
Transcript = Callable[[ResolvedTask, int, str], list[Message]]


def default_text(run_id: str) -> Text:
    """One text per (run, task, sample): two runs never submit the same responses."""

    def text(task: ResolvedTask, sample: int) -> str:
        return f"Synthetic response {sample} of run {run_id} to task {task.id}: not written by any model."

    return text


def _judgment(
    task: ResolvedTask,
    response: ResponseRecord,
    item: RubricItem,
    judge: str,
    verdict: bool | None,
    quote: str,
) -> JudgmentRecord:
    """An LLM-judged item's line as the judge parser writes it: a quote found in the response is
    stored as the response's own passage (grounded); a "met" verdict on a quote that is not
    found is not trusted (verdict None, error UNGROUNDED)."""
    grounded: bool | None = None
    error = None if verdict is not None else "synthetic: no verdict"
    if quote and verdict is not None:
        passage = locate(quote, response.text)
        grounded = passage is not None
        quote = passage or quote
        if verdict and not grounded:
            verdict, error = None, UNGROUNDED
    return item_record(
        task,
        response,
        item,
        judge,
        verdict=verdict,
        evidence=quote if verdict is not None or grounded is False else "",
        rationale="synthetic verdict",
        error=error,
        grounded=grounded,
    )


def _judge_usage(task: ResolvedTask, text: str, n_items: int) -> Usage:
    """Tokens a judge call on one group plausibly costs: the task, the response and a rubric
    line per item in, a verdict per item out (about 4 characters per token)."""
    return Usage(
        input_tokens=300 + (len(task.prompt) + len(text)) // 4 + 40 * n_items,
        output_tokens=60 * n_items,
    )


def _response(
    task: ResolvedTask, sample: int, model: str, body: str, transcript: Transcript | None
) -> ResponseRecord:
    """A response line: its text is the transcript's assistant turns, as the runner joins them."""
    turns = (
        transcript(task, sample, body)
        if transcript
        else [Message(role="user", content=task.prompt), Message(role="assistant", content=body)]
    )
    body = joined_text(turns)
    return ResponseRecord(
        task_id=task.id,
        sample=sample,
        model=model,
        transcript=turns,
        text=body,
        usage=Usage(
            input_tokens=max(1, sum(len(m.content) for m in turns[:-1]) // 4),
            output_tokens=max(1, len(body) // 4),
        ),
    )


def _lines(
    manifest: Manifest,
    judge: str,
    task: ResolvedTask,
    response: ResponseRecord,
    verdict: Verdict,
    evidence: Evidence | None,
) -> list[JudgmentRecord]:
    """A response's judgment lines: one judge call per item group (its usage on the group's
    first line, as the runner records it), then the checks' lines."""
    lines: list[JudgmentRecord] = []
    for _, group in judge_groups(task.items, manifest.judge_mode):
        first = len(lines)
        for it in group:
            quote = evidence(it, response.text) if evidence else ""
            lines.append(
                _judgment(task, response, it, judge, verdict(task, response.sample, it), quote)
            )
        lines[first] = lines[first].model_copy(
            update={"usage": _judge_usage(task, response.text, len(group))}
        )
    lines.extend(check_judgments(task, response))
    return lines


def write_bundle(
    out: str | Path,
    suite: Suite,
    *,
    model: str,
    verdict: Verdict,
    samples: int = 1,
    task_ids: list[str] | None = None,
    run_id: str | None = None,
    judge: str = "anthropic/judge-synthetic",
    text: Text | None = None,
    evidence: Evidence | None = None,
    transcript: Transcript | None = None,
    seed: int = 0,
) -> Path:
    """Write a complete, honest bundle to `out` and return it."""
    tasks = [suite.task(t) for t in task_ids] if task_ids else list(suite.tasks)
    run = RunDir(out)
    run.path.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    run_id = run_id or f"{now:%Y%m%dT%H%M%SZ}-{random.getrandbits(32):08x}"
    text = text or default_text(run_id)
    manifest = Manifest.model_validate(  # the flat (version 1) field names, read as version 2
        {
            "run_id": run_id,
            "created_at": now.isoformat(timespec="seconds"),
            **suite.manifest_fields(tasks),
            "model": model,
            "generation_params": {"max_tokens": 2048},
            "judge": judge,
            "judge_params": {"temperature": 0.0, "max_tokens": 2048},
            "samples": samples,
            "seed": seed,
        }
    )
    judgments: list[JudgmentRecord] = []
    responses = JsonlAppender(run.responses_path)
    judged = JsonlAppender(run.judgments_path)
    try:
        for t in tasks:
            for s in range(samples):
                response = _response(t, s, model, text(t, s), transcript)
                responses.append(response)
                lines = _lines(manifest, judge, t, response, verdict, evidence)
                for j in lines:
                    judged.append(j)
                judgments.extend(lines)
    finally:
        responses.close()
        judged.close()
    scores = score_run(model, tasks, samples, judgments, seed=run_seed(seed))
    run.write_scores(scores)
    n_items = sum(len(t.items) for t in tasks) * samples
    run.write_manifest(
        manifest.model_copy(
            update={
                "status": scores.status,
                "counts": Counts(
                    tasks=len(tasks),
                    responses_expected=len(tasks) * samples,
                    responses_done=len(tasks) * samples,
                    judgments_expected=n_items,
                    judgments_done=sum(1 for j in judgments if j.verdict is not None),
                    judgments_failed=sum(
                        1 for j in judgments if j.verdict is None and not j.not_applicable
                    ),
                    judgments_not_applicable=sum(1 for j in judgments if j.not_applicable),
                ),
            }
        )
    )
    return run.path


def random_verdicts(quality: float, seed: int) -> Verdict:
    """Positive items met with probability `quality`, failure items with 1 - quality."""

    def verdict(task: ResolvedTask, sample: int, item: RubricItem) -> bool:
        rng = random.Random(f"{seed}/{task.id}/{sample}/{item.id}")
        p = quality if item.points > 0 else 1.0 - quality
        return rng.random() < p

    return verdict
