"""What a pairwise command will do, decided before any call: the runs (one suite version), the
suite they answered, every ordered comparison to make, and an estimate of what it costs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Literal

from ...errors import RunDirError, UsageError
from ...measure.cost import PriceTable, price_usage
from ...records.rundir import RunDir
from ...records.schemas import Manifest, ResolvedTask, ResponseRecord, Usage
from ...suite import Suite, archived_suite_dirs, load_suite
from ..providers.base import GenerationParams
from .prompt import build_pairwise_request, task_criteria
from .records import Order, RunRef

SamplePairs = Literal["same", "all"]
# Rough sizes for the estimate: ~4 characters a token (what most tokenizers give on English
# prose) and the output tokens of one criterion's {reason, winner, margin}.
CHARS_PER_TOKEN = 4
OUTPUT_TOKENS_PER_CRITERION = 70

JobKey = tuple[str, int, int, str, str, Order, int]


@dataclass(frozen=True)
class LoadedRun:
    path: Path
    manifest: Manifest
    responses: dict[tuple[str, int], ResponseRecord]  # answered responses only

    @property
    def run_id(self) -> str:
        return self.manifest.run_id

    def ref(self) -> RunRef:
        return RunRef(path=str(self.path), run_id=self.run_id, model=self.manifest.model)


@dataclass(frozen=True)
class Job:
    """One judge call: `first` shown as A. run_a is always the run listed first."""

    task: ResolvedTask
    run_a: LoadedRun
    run_b: LoadedRun
    resp_a: ResponseRecord
    resp_b: ResponseRecord
    order: Order
    judge_sample: int

    @property
    def key(self) -> JobKey:
        return (
            self.task.id,
            self.resp_a.sample,
            self.resp_b.sample,
            self.run_a.run_id,
            self.run_b.run_id,
            self.order,
            self.judge_sample,
        )

    @property
    def shown(self) -> tuple[ResponseRecord, ResponseRecord]:
        if self.order == "ab":
            return self.resp_a, self.resp_b
        return self.resp_b, self.resp_a


def load_run(path: str | Path) -> LoadedRun:
    run = RunDir(path)
    manifest = run.require()
    answered = {(r.task_id, r.sample): r for r in run.responses() if r.error is None}
    return LoadedRun(run.path, manifest, answered)


def load_runs(paths: Iterable[str | Path]) -> list[LoadedRun]:
    """The runs, which must answer one suite version and be distinct runs."""
    runs = [load_run(p) for p in paths]
    if len(runs) < 2:
        raise UsageError("pairwise: give at least two run directories")
    versions = {r.manifest.suite_version for r in runs}
    if len(versions) > 1:
        listing = ", ".join(f"{r.path}: {r.manifest.suite_version}" for r in runs)
        raise UsageError(f"pairwise: runs answer different suite versions ({listing})")
    seen: dict[str, Path] = {}
    for r in runs:
        if r.run_id in seen:
            raise RunDirError(f"{r.path}: same run_id {r.run_id} as {seen[r.run_id]}")
        seen[r.run_id] = r.path
    return runs


def suite_for(version: str, suite_dir: str | Path | None) -> Suite:
    """The suite of `version`: `--suite` if given (it must be that version), else the shipped
    suite or one of its archived versions."""
    if suite_dir is not None:
        suite = load_suite(suite_dir)
        if suite.version != version:
            raise UsageError(
                f"--suite {suite_dir}: suite version {suite.version}, the runs answer {version}"
            )
        return suite
    for candidate in [None, *archived_suite_dirs()]:
        suite = load_suite(candidate)
        if suite.version == version:
            return suite
    raise UsageError(f"pairwise: no shipped suite of version {version}; give it with --suite")


def _sample_pairs(
    a: LoadedRun, b: LoadedRun, task_id: str, how: SamplePairs
) -> list[tuple[int, int]]:
    sa = sorted(s for t, s in a.responses if t == task_id)
    sb = sorted(s for t, s in b.responses if t == task_id)
    if how == "same":
        return [(s, s) for s in sa if s in sb]
    return [(x, y) for x in sa for y in sb]


def plan_jobs(
    runs: list[LoadedRun],
    suite: Suite,
    *,
    sample_pairs: SamplePairs = "same",
    judge_samples: int = 1,
    run_pairs: Iterable[tuple[int, int]] | None = None,
) -> list[Job]:
    """Every ordered call for `run_pairs` (indices into `runs`; default all pairs), over the
    tasks both runs answered. Both orders of every pair, always."""
    tasks = {t.id: t for t in suite.tasks}
    pairs = list(run_pairs) if run_pairs is not None else list(combinations(range(len(runs)), 2))
    jobs: list[Job] = []
    for i, j in pairs:
        a, b = runs[i], runs[j]
        common = [t for t in a.manifest.task_ids if t in set(b.manifest.task_ids) and t in tasks]
        for task_id in common:
            for sa, sb in _sample_pairs(a, b, task_id, sample_pairs):
                for order in ("ab", "ba"):
                    for k in range(judge_samples):
                        jobs.append(
                            Job(
                                tasks[task_id],
                                a,
                                b,
                                a.responses[(task_id, sa)],
                                b.responses[(task_id, sb)],
                                order,
                                k,
                            )
                        )
    return jobs


@dataclass(frozen=True)
class Estimate:
    calls: int
    usage: Usage
    dollars: float | None  # None when the judge is not in the price table


def estimate_cost(
    jobs: list[Job],
    suite: Suite,
    judge: str,
    params: GenerationParams,
    prices: PriceTable,
    *,
    truncate: bool = False,
) -> Estimate:
    """Tokens and dollars of `jobs` from the requests themselves (no call is made)."""
    chars, out_tokens = 0, 0
    for job in jobs:
        criteria = task_criteria(job.task)
        first, second = job.shown
        req = build_pairwise_request(
            job.task, first, second, criteria, suite.dimensions, params, truncate=truncate
        )
        chars += sum(len(b.text) for b in req.system) + sum(len(m.content) for m in req.messages)
        out_tokens += OUTPUT_TOKENS_PER_CRITERION * len(criteria)
    usage = Usage(input_tokens=chars // CHARS_PER_TOKEN, output_tokens=out_tokens)
    return Estimate(len(jobs), usage, price_usage(judge, usage, prices))
