"""`musebench pairwise`: check everything, plan, (dry-run: estimate and stop), make the missing
comparisons, then write ratings.json. Every flag and file is checked before the first paid call;
bad input leaves nothing written."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import SpecError, UsageError
from ...measure.cost import PriceTable, load_prices
from ...records.rundir import JsonlAppender
from ...suite import Suite
from .. import interrupts
from ..cache import ResponseCache
from ..calls import CallService, CallStats
from ..preflight import check_cache, check_out_dir
from ..providers import make_provider, parse_spec, temperature_range
from ..providers.base import GenerationParams, Provider
from ..providers.endpoints import endpoint_of
from ..retry import RetryPolicy
from ..runlock import LOCK, RunLock
from .bradley_terry import observations, rate
from .outcomes import fold
from .plan import (
    Estimate,
    Job,
    LoadedRun,
    SamplePairs,
    estimate_cost,
    load_runs,
    plan_jobs,
    suite_for,
)
from .prompt import pairwise_fingerprint, task_criteria
from .ratings import build_ratings, resolve_anchors
from .records import OVERALL, ComparisonRecord, PairwiseManifest, RatingsFile
from .runner import JudgeSetup, run_jobs
from .sparse import Estimates, sparse_schedule
from .store import PairwiseDir, call_key, merge_manifest


@dataclass
class PairwiseOptions:
    runs: list[str]
    judge: str
    out: str
    judge_base_url: str | None = None
    sample_pairs: SamplePairs = "same"
    truncate: bool = False
    judge_samples: int = 1
    judge_temperature: float | None = None
    judge_max_tokens: int = 2048
    anchors: list[str] = field(default_factory=list)
    margin_weights: bool = False
    concurrency: int = 16
    suite_dir: str | None = None
    cache_path: str | None = None
    timeout: float = 600.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    resamples: int = 1000
    seed: int = 0
    prices: str | None = None
    sparse: bool = False  # checked here; sparse pairing itself is asked for in `execute`

    def params(self) -> GenerationParams:
        temp = self.judge_temperature
        if temp is None:
            temp = 0.0 if self.judge_samples == 1 else 1.0
        return GenerationParams(temperature=temp, max_tokens=self.judge_max_tokens)


def check_options(opts: PairwiseOptions) -> None:
    try:
        parse_spec(opts.judge)
    except SpecError as err:
        raise SpecError(f"--judge: {err}") from None
    for flag, value, low in (
        ("--judge-samples", opts.judge_samples, 1),
        ("--concurrency", opts.concurrency, 1),
        ("--judge-max-tokens", opts.judge_max_tokens, 1),
        ("--bootstrap", opts.resamples, 0),
    ):
        if value < low:
            raise UsageError(f"{flag} must be at least {low}, not {value}")
    if opts.judge_temperature is not None:
        bounds = temperature_range(opts.judge, opts.judge_base_url)
        if bounds is not None and not bounds[0] <= opts.judge_temperature <= bounds[1]:
            raise UsageError(
                f"--judge-temperature must be between {bounds[0]:g} and {bounds[1]:g}, "
                f"not {opts.judge_temperature:g}"
            )
    if not opts.timeout > 0:
        raise UsageError(f"--timeout must be above 0, not {opts.timeout:g}")


@dataclass
class Prepared:
    """Everything decided before the first call."""

    opts: PairwiseOptions
    runs: list[LoadedRun]
    suite: Suite
    store: PairwiseDir
    manifest: PairwiseManifest
    anchors: dict[int, float]
    jobs: list[Job]
    pending: list[Job]
    prices: PriceTable
    spent: CallStats = field(default_factory=CallStats)  # what this command's calls cost


def _criteria_counts(suite: Suite) -> dict[str, int]:
    return {t.id: len(task_criteria(t)) for t in suite.tasks}


def _complete_calls(store: PairwiseDir, suite: Suite) -> set[tuple]:
    """Keys of calls whose lines are all there without an error (read only)."""
    counts = _criteria_counts(suite)
    lines: dict[tuple, list[ComparisonRecord]] = {}
    for r in store.comparisons():
        lines.setdefault(call_key(r), []).append(r)
    return {
        k
        for k, rs in lines.items()
        if len(rs) == counts.get(k[0], -1) and all(r.error is None for r in rs)
    }


def prepare(opts: PairwiseOptions, *, run_pairs: list[tuple[str, str]] | None = None) -> Prepared:
    """Check everything and plan the calls; `run_pairs` (run_id pairs) limits the pairs."""
    check_options(opts)
    prices = load_prices(opts.prices)
    runs = load_runs(opts.runs)
    suite = suite_for(runs[0].manifest.suite_version, opts.suite_dir)
    out = Path(opts.out)
    check_out_dir(out, "--out")
    if opts.cache_path:
        check_cache(Path(opts.cache_path), "--cache")
    store = PairwiseDir(out)
    if (
        out.is_dir()
        and not store.manifest_path.exists()
        and any(p.name != LOCK for p in out.iterdir())
    ):
        raise UsageError(
            f"--out {out}: exists, is not empty and holds no pairwise comparisons; "
            "choose a new directory"
        )
    fresh = PairwiseManifest(
        suite_version=suite.version,
        runs=[r.ref() for r in runs],
        judge=opts.judge,
        judge_endpoint=endpoint_of(opts.judge, opts.judge_base_url),
        judge_params=opts.params().as_dict() | pairwise_fingerprint(),
        sample_pairs=opts.sample_pairs,
        truncate=opts.truncate,
        judge_samples=opts.judge_samples,
    )
    manifest = merge_manifest(store.read_manifest(), fresh, out)
    # The directory's order, not this command's: `pairwise B A` after `pairwise A B` must find
    # the same (run_a, run_b) keys, or every pair would be recorded (and counted) twice.
    position = {r.run_id: k for k, r in enumerate(manifest.runs)}
    runs.sort(key=lambda r: position[r.run_id])
    anchors = resolve_anchors(manifest.runs, opts.anchors)
    given = {r.run_id for r in runs}
    outside = [manifest.runs[k].model for k in anchors if manifest.runs[k].run_id not in given]
    if opts.sparse and outside:
        raise UsageError(f"--sparse: the anchor {outside[0]} is not among the runs given")
    index = {r.run_id: k for k, r in enumerate(runs)}
    jobs = plan_jobs(
        runs,
        suite,
        sample_pairs=opts.sample_pairs,
        judge_samples=opts.judge_samples,
        run_pairs=None
        if run_pairs is None
        else [(min(index[a], index[b]), max(index[a], index[b])) for a, b in run_pairs],
    )
    if not jobs:
        raise UsageError("pairwise: the runs share no answered task and sample to compare")
    done = _complete_calls(store, suite)
    pending = [j for j in jobs if j.key not in done]
    return Prepared(opts, runs, suite, store, manifest, anchors, jobs, pending, prices)


def estimate(prep: Prepared) -> Estimate:
    return estimate_cost(
        prep.pending,
        prep.suite,
        prep.opts.judge,
        prep.opts.params(),
        prep.prices,
        truncate=prep.opts.truncate,
    )


async def _make_calls(
    prep: Prepared, provider: Provider, cache: ResponseCache, jobs: list[Job]
) -> None:
    opts = prep.opts
    call = CallService(provider, cache, asyncio.Semaphore(opts.concurrency), opts.retry)
    setup = JudgeSetup(opts.judge, opts.params(), prep.suite.dimensions, opts.truncate)
    out = JsonlAppender(prep.store.comparisons_path)
    try:
        await run_jobs(call, jobs, setup, out)
    finally:
        out.close()
        spent = prep.spent
        spent.calls += call.stats.calls
        spent.cache_hits += call.stats.cache_hits
        spent.retries += call.stats.retries
        spent.failures += call.stats.failures
        spent.usage = spent.usage + call.stats.usage


class _Caller:
    """Makes the not-yet-done calls among some jobs; the provider and cache opened once."""

    def __init__(self, prep: Prepared, provider: Provider | None):
        self.prep = prep
        self._provider = provider
        self._cache: ResponseCache | None = None

    def __call__(self, jobs: list[Job]) -> None:
        prep, opts = self.prep, self.prep.opts
        done = _complete_calls(prep.store, prep.suite)
        todo = [j for j in jobs if j.key not in done]
        if not todo:
            return
        if self._provider is None:
            self._provider = make_provider(
                opts.judge, base_url=opts.judge_base_url, timeout=opts.timeout
            )
        if self._cache is None:
            self._cache = ResponseCache(
                Path(opts.cache_path) if opts.cache_path else prep.store.cache_path
            )
        interrupts.run(_make_calls(prep, self._provider, self._cache, todo))
        interrupts.check()

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()


def _sparse(prep: Prepared, caller: _Caller, tol: float) -> None:
    """Sparse pairing over this command's runs (sparse.py); anchors must be among them."""
    ids = [r.run_id for r in prep.runs]  # prepare() checked the anchors are among them
    local_anchors = {ids.index(prep.manifest.runs[k].run_id): v for k, v in prep.anchors.items()}

    def compare(i: int, j: int) -> None:
        pair = (min(i, j), max(i, j))
        caller(
            plan_jobs(
                prep.runs,
                prep.suite,
                sample_pairs=prep.opts.sample_pairs,
                judge_samples=prep.opts.judge_samples,
                run_pairs=[pair],
            )
        )

    def estimate() -> Estimates:
        outcomes = fold(prep.store.comparisons(), OVERALL)
        fit = rate(observations(outcomes, ids), local_anchors, resamples=200, seed=prep.opts.seed)
        seen = {o.run_a for o in outcomes} | {o.run_b for o in outcomes}
        return {
            k: (float(fit.rating[k]), float(fit.ci_low[k]), float(fit.ci_high[k]))
            for k, rid in enumerate(ids)
            if rid in seen
        }

    sparse_schedule(len(ids), sorted(local_anchors), compare, estimate, tol=tol)


def execute(
    prep: Prepared, *, provider: Provider | None = None, sparse_tol: float | None = None
) -> RatingsFile | None:
    """Make the pending calls (all of them, or those sparse pairing asks for when `sparse_tol`
    is given), then (re)write ratings.json from every comparison in the dir. None (and no
    ratings.json) while no pair has a verdict in both orders, e.g. when every call failed."""
    opts = prep.opts
    with RunLock(prep.store.path):
        prep.store.write_manifest(prep.manifest)
        prep.store.drop_incomplete(_criteria_counts(prep.suite))
        caller = _Caller(prep, provider)
        try:
            if sparse_tol is None:
                caller(prep.jobs)
            else:
                _sparse(prep, caller, sparse_tol)
        finally:
            caller.close()
        records = prep.store.comparisons()
        if not fold(records, OVERALL):
            return None
        ratings = build_ratings(
            records,
            prep.manifest.runs,
            prep.anchors,
            judge=opts.judge,
            margin_weights=opts.margin_weights,
            resamples=opts.resamples,
            seed=opts.seed,
        )
        prep.store.write_ratings(ratings)
        return ratings
