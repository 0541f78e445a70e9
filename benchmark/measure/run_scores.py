"""scores.json as a pure function of a run directory and a suite: what `musebench score`
writes and what a run writes when it ends. Reads the manifest's spec and the records; writes
nothing (the caller writes scores.json; only a running run updates the manifest)."""

from __future__ import annotations

from ..errors import RunDirError
from ..records.keys import response_key
from ..records.rundir import RunDir
from ..records.runspec import RunSpec
from ..records.schemas import (
    Counts,
    JudgmentRecord,
    ResolvedTask,
    ResponseRecord,
    Scores,
    StopCounts,
)
from ..suite import Suite
from .scoring import run_seed, score_run


def spec_tasks(spec: RunSpec, suite: Suite, where: object) -> list[ResolvedTask]:
    """The run's tasks in `suite`, in the order the spec lists them."""
    known = {t.id: t for t in suite.tasks}
    missing = [t for t in spec.tasks if t not in known]
    if missing:
        raise RunDirError(
            f"{where}: the run's task {missing[0]!r} is not in suite {suite.version} "
            f"({len(missing)} missing); give the suite the run answered with --suite"
        )
    return [known[t] for t in spec.tasks]


def add_diversity(scores: Scores, responses: list[ResponseRecord]) -> Scores:
    """scores.json carries the run's diversity / mode-collapse metrics beside its scores."""
    from ..analysis.diversity import (
        diversity_report,  # numeric stack loaded only when a run is scored
    )

    # Sorted by key: lines are appended in completion order, which concurrency varies, and the
    # metrics depend on the order of texts (pooled compression, sampled sets).
    answered = sorted((r for r in responses if r.error is None), key=response_key)
    texts = [(r.task_id, r.model, r.text) for r in answered]
    if not texts:
        return scores
    block = diversity_report(texts).get(scores.model)
    return scores.model_copy(update={"diversity": block})


def compute_scores(run: RunDir, suite: Suite) -> Scores:
    """The scores of what `run` holds, on `suite`."""
    spec = run.require().spec
    tasks = spec_tasks(spec, suite, run.manifest_path)
    responses = run.responses()
    scores = score_run(
        spec.model.spec, tasks, spec.samples, run.judgments(), seed=run_seed(spec.seed)
    )
    scores = add_diversity(scores, responses)
    return scores.model_copy(update={"stop_reasons": StopCounts.of(responses)})


def run_counts(
    spec: RunSpec,
    tasks: list[ResolvedTask],
    responses: list[ResponseRecord],
    judgments: list[JudgmentRecord],
) -> Counts:
    """The manifest's counts of what a run holds."""
    return Counts(
        tasks=len(tasks),
        responses_expected=len(tasks) * spec.samples,
        responses_done=sum(1 for r in responses if r.error is None),
        responses_failed=sum(1 for r in responses if r.error is not None),
        judgments_expected=sum(len(t.items) for t in tasks) * spec.samples,
        judgments_done=sum(1 for j in judgments if j.verdict is not None),
        judgments_failed=sum(1 for j in judgments if j.verdict is None and not j.not_applicable),
        judgments_not_applicable=sum(1 for j in judgments if j.not_applicable),
    )
