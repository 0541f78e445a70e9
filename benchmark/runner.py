"""The resumable runner: generate responses, run checks, judge rubric items, score.

Every finished record is appended to the run directory at once and every paid call is in the
cache before its record is written, so `kill -9` at any moment followed by the same command
repeats no completed call and duplicates no line. Work is streamed: a response is judged as soon
as it exists, under one concurrency bound shared by all calls."""

from __future__ import annotations

import asyncio
import functools
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from . import interrupts
from .batch_log import load_batch_log
from .cache import ResponseCache
from .calls import CallService, CallsHalted
from .errors import RunDirError, UsageError
from .generation import generate_response
from .judging import check_judgments, item_record, judge_groups, judge_items
from .judging.prompt import prompt_fingerprint
from .preflight import check_cache, check_options
from .progress import RunProgress
from .providers import make_provider
from .providers.base import GenerationParams, Provider
from .providers.endpoints import endpoint_of
from .retry import RetryPolicy
from .rundir import JsonlAppender, JudgmentKey, RunDir, judgment_key, response_key
from .runlock import LOCK, RunLock
from .schemas import (
    Counts,
    JudgmentRecord,
    Manifest,
    ResolvedTask,
    ResponseRecord,
    Scores,
    StopCounts,
)
from .scoring import run_seed, score_run
from .suite import Suite, load_suite

NOT_JUDGED = "not judged: no judge configured"


@dataclass
class RunConfig:
    model: str
    judge: str | None
    samples: int = 1
    tasks: str | None = None
    concurrency: int = 16
    base_url: str | None = None
    judge_base_url: str | None = None
    seed: int = 0
    temperature: float | None = None
    max_tokens: int = 2048
    judge_temperature: float | None = None
    judge_max_tokens: int = 2048
    judge_samples: int = 1
    judge_mode: Literal["dimension", "item"] = "dimension"
    batch: bool = False
    batch_poll_interval: float = 30.0
    batch_wait: float | None = None  # seconds to wait for a batch; None: until it ends
    suite_dir: str | Path | None = None
    cache_path: str | Path | None = None
    timeout: float = 600.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    progress: bool = True

    def generation_params(self) -> GenerationParams:
        return GenerationParams(temperature=self.temperature, max_tokens=self.max_tokens, seed=None)

    def judge_params(self) -> GenerationParams:
        # Pinned: 0 for a single verdict; K independent samples need some temperature.
        temp = self.judge_temperature
        if temp is None:
            temp = 0.0 if self.judge_samples == 1 else 1.0
        return GenerationParams(temperature=temp, max_tokens=self.judge_max_tokens)


def add_diversity(scores: Scores, responses: list[ResponseRecord]) -> Scores:
    """scores.json carries the run's diversity / mode-collapse metrics beside its scores."""
    from .diversity import diversity_report  # numeric stack loaded only when a run finishes

    # Sorted by key: lines are appended in completion order, which concurrency varies, and the
    # metrics depend on the order of texts (pooled compression, sampled sets).
    answered = sorted((r for r in responses if r.error is None), key=response_key)
    texts = [(r.task_id, r.model, r.text) for r in answered]
    if not texts:
        return scores
    block = diversity_report(texts).get(scores.model)
    return scores.model_copy(update={"diversity": block})


def _check_compatible(old: Manifest, new: Manifest, run_dir: Path) -> None:
    """An existing run dir may only be resumed by the command that made it."""
    fields: list[tuple[str, Any, Any]] = [
        (
            "suite",
            f"{old.suite_version} ({old.suite_hash[:12]})",
            f"{new.suite_version} ({new.suite_hash[:12]})",
        ),
        ("model", old.model, new.model),
        ("model endpoint", old.model_endpoint, new.model_endpoint),
        ("generation params", old.generation_params, new.generation_params),
        ("samples", old.samples, new.samples),
        (
            "tasks",
            len(old.task_ids) if old.task_ids != new.task_ids else "same",
            len(new.task_ids) if old.task_ids != new.task_ids else "same",
        ),
        ("seed", old.seed, new.seed),
    ]
    if old.judge is not None and new.judge is not None:
        fields += [
            ("judge", old.judge, new.judge),
            ("judge endpoint", old.judge_endpoint, new.judge_endpoint),
            ("judge params", old.judge_params, new.judge_params),
            ("judge samples", old.judge_samples, new.judge_samples),
            ("judge mode", old.judge_mode, new.judge_mode),
        ]
    for name, a, b in fields:
        if a != b:
            raise RunDirError(
                f"{run_dir}: existing run has a different {name} ({a}; this command: {b}); "
                "resume it with the same arguments or choose a new --out"
            )


def new_manifest(config: RunConfig, suite: Suite, tasks: list[ResolvedTask]) -> Manifest:
    return Manifest(
        run_id=datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8],
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        **suite.manifest_fields(tasks),
        model=config.model,
        model_endpoint=endpoint_of(config.model, config.base_url),
        generation_params=config.generation_params().as_dict(),
        judge=config.judge,
        judge_endpoint=endpoint_of(config.judge, config.judge_base_url) if config.judge else None,
        judge_params=(config.judge_params().as_dict() | prompt_fingerprint())
        if config.judge
        else {},
        judge_samples=config.judge_samples,
        judge_mode=config.judge_mode,
        samples=config.samples,
        seed=config.seed,
    )


def open_run(
    config: RunConfig, out: str | Path, *, suite: Suite | None = None
) -> tuple[RunDir, Manifest, Suite, list[ResolvedTask]]:
    """Create the run directory, or check that an existing one belongs to this command.
    `suite`, when given, is `config.suite_dir` already loaded (callers running many runs on one
    suite skip parsing it again)."""
    suite = suite if suite is not None else load_suite(config.suite_dir)
    tasks = suite.select(config.tasks)
    run = RunDir(out)
    fresh = new_manifest(config, suite, tasks)
    if run.path.exists() and not run.path.is_dir():
        raise RunDirError(f"{run.path}: exists and is not a directory")
    if run.exists():
        old = run.read_manifest()
        _check_compatible(old, fresh, run.path)
        manifest = old.model_copy(
            update={
                "judge": config.judge if config.judge is not None else old.judge,
                "judge_endpoint": fresh.judge_endpoint
                if config.judge is not None
                else old.judge_endpoint,
                "judge_params": fresh.judge_params
                if config.judge is not None
                else old.judge_params,
                "judge_samples": config.judge_samples if config.judge else old.judge_samples,
                "judge_mode": config.judge_mode if config.judge else old.judge_mode,
                "status": "running",
            }
        )
    else:
        if run.path.is_dir() and any(p.name != LOCK for p in run.path.iterdir()):
            raise RunDirError(
                f"{run.path}: directory exists, is not empty and is not a run; choose a new --out"
            )
        manifest = fresh
    run.write_manifest(manifest)
    return run, manifest, suite, tasks


@contextmanager
def _appenders(run: RunDir) -> Iterator[tuple[JsonlAppender, JsonlAppender]]:
    with ExitStack() as stack:  # both closed, whichever fails
        responses = JsonlAppender(run.responses_path)
        stack.callback(responses.close)
        judgments = JsonlAppender(run.judgments_path)
        stack.callback(judgments.close)
        yield responses, judgments


class Runner:
    def __init__(
        self,
        config: RunConfig,
        out: str | Path,
        *,
        model_provider: Provider | None = None,
        judge_provider: Provider | None = None,
        suite: Suite | None = None,
    ):
        check_options(config)
        if config.cache_path:
            check_cache(Path(config.cache_path), "--cache")
        self.config = config
        suite = suite if suite is not None else load_suite(config.suite_dir)
        suite.select(config.tasks)  # a bad --tasks is refused before the run dir is created
        # Held while this runner writes (opening, work, scoring): a second process is refused.
        self._lock = RunLock(out)
        with self._lock:
            self.run, self.manifest, self.suite, self.tasks = open_run(config, out, suite=suite)
        self._model_provider = model_provider
        self._judge_provider = judge_provider

    # ------------------------------------------------------------------ public stages
    def execute(self, *, generate: bool = True, judge: bool = True) -> Scores:
        with self._lock:
            interrupts.run(self.work(generate=generate, judge=judge))
            interrupts.check()
            return self.finish()

    async def work(self, *, generate: bool = True, judge: bool = True) -> None:
        """Generate, check and judge everything still missing (no scoring)."""
        with self._lock:
            await self._work(generate=generate, judge=judge)

    def _unjudged(
        self, responses: dict[tuple[str, int], ResponseRecord], judged: set[JudgmentKey]
    ) -> bool:
        """Does any response held lack an LLM verdict (so judge calls are still to make)?"""
        return any(
            (t.id, s, it.id) not in judged
            for t in self.tasks
            for s in range(self.config.samples)
            if (t.id, s) in responses
            for _g, items in judge_groups(t.items, self.manifest.judge_mode)
            for it in items
        )

    async def _work(self, *, generate: bool, judge: bool) -> None:
        cfg = self.config
        self.run.drop_failed()
        responses = {response_key(r): r for r in self.run.responses()}
        judged = {judgment_key(j) for j in self.run.judgments()}
        pending = [
            (t, s) for t in self.tasks for s in range(cfg.samples) if (t.id, s) not in responses
        ]
        if pending and not generate:
            raise UsageError(
                f"{self.run.path}: {len(pending)} responses missing; run "
                f"`musebench generate {self.run.path}` first"
            )
        # Read before any paid call: a corrupt batch log must stop the run before generation.
        batch_log = load_batch_log(self.run.batches_path) if cfg.batch and judge else None
        semaphore = asyncio.Semaphore(cfg.concurrency)
        judging = (
            judge and cfg.judge is not None and (bool(pending) or self._unjudged(responses, judged))
        )
        # Opened only when calls remain: a resume with every line written needs no cache, so a
        # corrupt one cannot block it.
        cache = (
            ResponseCache(Path(cfg.cache_path) if cfg.cache_path else self.run.cache_path)
            if pending or judging
            else None
        )
        progress = RunProgress(enabled=cfg.progress)
        halted = asyncio.Event()  # set at the run's first error: no paid call starts after it
        model_call = judge_call = None
        if pending:
            provider = self._model_provider or make_provider(
                cfg.model, base_url=cfg.base_url, timeout=cfg.timeout
            )
            # Replayed responses cost nothing to ask again: no point caching them.
            model_cache = None if provider.spec.startswith("replay/") else cache
            model_call = CallService(
                provider,
                model_cache,
                semaphore,
                cfg.retry,
                on_change=progress.refresh,
                halted=halted,
            )
            progress.track_calls("model", model_call.stats)
        if judge and cfg.judge:
            jprov = self._judge_provider or make_provider(
                cfg.judge, base_url=cfg.judge_base_url, timeout=cfg.timeout
            )
            judge_call = CallService(
                jprov, cache, semaphore, cfg.retry, on_change=progress.refresh, halted=halted
            )
            progress.track_calls("judge", judge_call.stats)

        n_total = len(self.tasks) * cfg.samples
        progress.start(
            responses=(n_total, n_total - len(pending)),
            judgments=(sum(len(t.items) for t in self.tasks) * cfg.samples, len(judged)),
        )
        try:
            with _appenders(self.run) as (resp_out, judg_out):
                if batch_log is not None and judge_call is not None:
                    from .batch_judging import prefill_judge_batch

                    # Responses first, then one Message Batch for every judge call not cached.
                    await self._bounded(
                        [
                            functools.partial(
                                self._respond, t, s, responses, model_call, resp_out, progress
                            )
                            for t, s in pending
                        ],
                        (model_call,),
                    )
                    await prefill_judge_batch(
                        self, judge_call, responses, judged, progress, batch_log
                    )
                    pending = []
                jobs = [
                    functools.partial(
                        self._pipeline,
                        t,
                        s,
                        responses,
                        judged,
                        model_call,
                        judge_call,
                        judge,
                        resp_out,
                        judg_out,
                        progress,
                    )
                    for t in self.tasks
                    for s in range(cfg.samples)
                ]
                await self._bounded(jobs, (model_call, judge_call))
        finally:
            progress.stop()
            if cache is not None:
                cache.close()

    def finish(self) -> Scores:
        """Score what the run dir holds and update the manifest's status and counts."""
        with self._lock:
            return self._finish()

    def _finish(self) -> Scores:
        responses = self.run.responses()
        judgments = self.run.judgments()
        scores = score_run(
            self.manifest.model,
            self.tasks,
            self.manifest.samples,
            judgments,
            seed=run_seed(self.manifest.seed),
        )
        scores = add_diversity(scores, responses)
        scores = scores.model_copy(update={"stop_reasons": StopCounts.of(responses)})
        self.run.write_scores(scores)
        n_items = sum(len(t.items) for t in self.tasks) * self.manifest.samples
        counts = Counts(
            tasks=len(self.tasks),
            responses_expected=len(self.tasks) * self.manifest.samples,
            responses_done=sum(1 for r in responses if r.error is None),
            responses_failed=sum(1 for r in responses if r.error is not None),
            judgments_expected=n_items,
            judgments_done=sum(1 for j in judgments if j.verdict is not None),
            judgments_failed=sum(
                1 for j in judgments if j.verdict is None and not j.not_applicable
            ),
            judgments_not_applicable=sum(1 for j in judgments if j.not_applicable),
        )
        self.manifest = self.manifest.model_copy(update={"status": scores.status, "counts": counts})
        self.run.write_manifest(self.manifest)
        return scores

    # ------------------------------------------------------------------ internals
    async def _bounded(
        self,
        jobs: Sequence[Callable[[], Awaitable[object]]],
        calls: Sequence[CallService | None] = (),
    ) -> None:
        """Run jobs with a bounded number of workers (twice the call concurrency, enough to keep
        every call slot busy). Starting every (task, sample) at once would make the first
        calls wait until each job had done its local work (replay, checks). After an error the
        jobs under way finish, but `calls` start no new paid call."""
        queue = list(reversed(jobs))
        errors: list[BaseException] = []

        async def worker() -> None:
            while queue and not errors:
                try:
                    await queue.pop()()
                except Exception as err:  # surfaced below, after the other workers stop
                    errors.append(err)
                    for service in calls:
                        if service is not None:
                            service.halt()

        n = min(len(jobs), 2 * self.config.concurrency)
        await asyncio.gather(*(worker() for _ in range(n)))
        if errors:
            # The error that stopped the run, not the calls it stopped.
            raise next((e for e in errors if not isinstance(e, CallsHalted)), errors[0])

    async def _respond(
        self,
        task: ResolvedTask,
        sample: int,
        responses: dict[tuple[str, int], ResponseRecord],
        model_call: CallService | None,
        out: JsonlAppender,
        progress: RunProgress,
    ) -> ResponseRecord | None:
        key = (task.id, sample)
        if key in responses:
            return responses[key]
        assert model_call is not None
        rec = await generate_response(
            model_call, task, sample, self.manifest.model, self.config.generation_params()
        )
        out.append(rec)
        progress.response_done(failed=rec.error is not None)
        if rec.error is not None:
            return None
        responses[key] = rec
        return rec

    async def _pipeline(
        self,
        task: ResolvedTask,
        sample: int,
        responses: dict[tuple[str, int], ResponseRecord],
        judged: set[JudgmentKey],
        model_call: CallService | None,
        judge_call: CallService | None,
        judge: bool,
        resp_out: JsonlAppender,
        judg_out: JsonlAppender,
        progress: RunProgress,
    ) -> None:
        response = await self._respond(task, sample, responses, model_call, resp_out, progress)
        if response is None or not judge:
            return

        def emit(records: list[JudgmentRecord]) -> None:
            for rec in records:
                key = judgment_key(rec)
                if key in judged:
                    continue
                judg_out.append(rec)
                judged.add(key)
                progress.judgment_done(failed=rec.verdict is None and not rec.not_applicable)

        groups = [
            items
            for _group, items in judge_groups(task.items, self.manifest.judge_mode)
            if any((task.id, sample, it.id) not in judged for it in items)
        ]
        calls: list[asyncio.Task[list[JudgmentRecord]]] = []
        if judge_call is None:
            emit(
                [
                    item_record(task, response, it, "none", verdict=None, error=NOT_JUDGED)
                    for items in groups
                    for it in items
                ]
            )
        else:
            # Every group of the response at once (the whole group is asked again if any line is
            # missing: cached calls are free, and only missing lines are kept) ...
            calls = [
                asyncio.create_task(
                    judge_items(
                        judge_call,
                        task,
                        response,
                        items,
                        self.suite.dimensions[items[0].dimension],
                        judge_spec=judge_call.spec,
                        params=self.config.judge_params(),
                        samples=self.manifest.judge_samples,
                    )
                )
                for items in groups
            ]
            await asyncio.sleep(0)  # ... and sent before the local checks take the CPU.
        try:
            emit(check_judgments(task, response))
            for done in asyncio.as_completed(calls):
                emit(await done)
        except asyncio.CancelledError:  # Ctrl-C: stop now
            for call in calls:
                call.cancel()
            raise
        except Exception:
            # The run is failing: no new call starts, the judge calls under way finish (an
            # answer already paid for is cached for the resume) and their errors are collected.
            for service in (model_call, judge_call):
                if service is not None:
                    service.halt()
            await asyncio.gather(*calls, return_exceptions=True)
            raise
