"""Synthetic run bundles, written exactly as the runner writes a run directory (manifest,
responses, judgments, scores from benchmark.scoring.score_run), with verdicts chosen by the
caller. For tests and the build benchmark only: the texts are not model outputs, so every
bundle's model spec should say so (the benchmark uses `replay/synthetic-*`, which the board
labels "synthetic (benchmark data)")."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from benchmark.rundir import JsonlAppender, RunDir
from benchmark.schemas import (
    Counts,
    JudgmentRecord,
    Manifest,
    Message,
    ResolvedTask,
    ResponseRecord,
    RubricItem,
    Usage,
)
from benchmark.scoring import run_seed, score_run
from benchmark.suite import Suite

Verdict = Callable[[ResolvedTask, int, RubricItem], bool | None]
Text = Callable[[ResolvedTask, int], str]
Evidence = Callable[[RubricItem, str], str]  # (item, response text) -> quote or ""


def default_text(task: ResolvedTask, sample: int) -> str:
    return f"Synthetic response {sample} to task {task.id}: not written by any model."


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
    text: Text = default_text,
    evidence: Evidence | None = None,
    seed: int = 0,
) -> Path:
    """Write a complete, honest bundle to `out` and return it."""
    tasks = [suite.task(t) for t in task_ids] if task_ids else list(suite.tasks)
    run = RunDir(out)
    run.path.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    manifest = Manifest.model_validate(  # the flat (version 1) field names, read as version 2
        {
            "run_id": run_id or f"{now:%Y%m%dT%H%M%SZ}-{random.getrandbits(32):08x}",
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
                body = text(t, s)
                responses.append(
                    ResponseRecord(
                        task_id=t.id,
                        sample=s,
                        model=model,
                        transcript=[
                            Message(role="user", content=t.prompt),
                            Message(role="assistant", content=body),
                        ],
                        text=body,
                        usage=Usage(input_tokens=len(t.prompt) // 4, output_tokens=len(body) // 4),
                    )
                )
                for it in t.items:
                    v = verdict(t, s, it)
                    j = JudgmentRecord(
                        task_id=t.id,
                        sample=s,
                        model=model,
                        item_id=it.id,
                        dimension=it.dimension,
                        points=it.points,
                        verdict=v,
                        evidence=evidence(it, body) if evidence and it.check is None else "",
                        rationale="synthetic verdict",
                        judge="check" if it.check is not None else judge,
                        error=None if v is not None else "synthetic: no verdict",
                    )
                    judged.append(j)
                    judgments.append(j)
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
                    judgments_failed=sum(1 for j in judgments if j.verdict is None),
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
