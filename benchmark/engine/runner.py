"""The resumable runner: generate responses, run checks, judge rubric items, score.

Every finished record is appended to the run directory at once and every paid call is in the
cache before its record is written, so `kill -9` at any moment followed by the same command
repeats no completed call and duplicates no line. Work is streamed: a response is judged as soon
as it exists, under one concurrency bound shared by all calls.

What the run is comes from the manifest's spec (runspec.RunSpec); how it executes from
`ExecOptions`; the judge calls from the judge plan (judging.plan)."""

from __future__ import annotations

import asyncio
import functools
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..checks.checks_rendered import render_ahead
from ..errors import MusebenchError, RunDirError, UsageError
from ..measure.cost import load_prices
from ..measure.run_scores import add_diversity, compute_scores, run_counts, spec_tasks
from ..records.keys import JudgmentKey, ResponseKey, judgment_key, response_key
from ..records.rundir import JsonlAppender, RunDir
from ..records.runspec import JudgeSpec, ModelSpec, RunSpec
from ..records.schemas import (
    NO_JUDGE,
    JudgmentRecord,
    Manifest,
    ResolvedTask,
    ResponseRecord,
    Scores,
)
from ..suite import Suite, load_suite
from ..version import __version__
from . import interrupts
from ._batch_judging import BatchRun, prefill_judge_batch
from ._batch_log import BatchLog, load_batch_log
from ._budget import Budget, require_price
from ._progress import RunProgress
from .cache import ResponseCache, cache_key
from .calls import CallService, CallsHalted
from .generation import generate_response
from .judging import (
    JudgeGroup,
    JudgePlan,
    check_judgments,
    item_record,
    judge_group,
    pending_groups,
)
from .preflight import check_cache, check_options
from .providers import batch_client, make_provider
from .providers.base import GenerateRequest, Provider
from .providers.endpoints import endpoint_of, url_of
from .runconfig import ExecOptions, RunConfig, check_resumable
from .runlock import LOCK, RunLock

NOT_JUDGED = "not judged: no judge configured"

# Kept importable from here: callers build runs with `runner.RunConfig`.
__all__ = ["NOT_JUDGED", "ExecOptions", "RunConfig", "Runner", "add_diversity", "open_run"]


def open_run(
    config: RunConfig, out: str | Path, *, suite: Suite | None = None
) -> tuple[RunDir, Manifest, Suite, list[ResolvedTask]]:
    """Create the run directory, or check that an existing one belongs to this command.
    `suite`, when given, is `config.suite_dir` already loaded (callers running many runs on one
    suite skip parsing it again)."""
    suite = suite if suite is not None else load_suite(config.suite_dir)
    run = RunDir(out)
    if run.path.exists() and not run.path.is_dir():
        raise RunDirError(f"{run.path}: exists and is not a directory")
    if run.exists():
        old = run.read_manifest()
        spec = config.spec(suite, old.spec)
        check_resumable(old.spec, spec, run.path)
        manifest = old.model_copy(update={"spec": spec, "status": "running"})
    else:
        if run.path.is_dir() and any(p.name != LOCK for p in run.path.iterdir()):
            raise RunDirError(
                f"{run.path}: directory exists, is not empty and is not a run; choose a new --out"
            )
        now = datetime.now(UTC)
        manifest = Manifest(
            run_id=now.strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8],
            created_at=now.isoformat(timespec="seconds"),
            musebench_version=__version__,
            spec=config.spec(suite),
        )
    run.write_manifest(manifest)
    return run, manifest, suite, spec_tasks(manifest.spec, suite, run.manifest_path)


def _provider(part: ModelSpec | JudgeSpec, timeout: float) -> Provider:
    """The provider of a spec's model or judge part, at the server the spec records."""
    return make_provider(part.spec, base_url=url_of(part.spec, part.endpoint), timeout=timeout)


def _given_provider(spec: str | None, base_url: str | None, timeout: float) -> Provider | None:
    """The provider of a spec as given for a new run, at the server its spec will record (what
    `_provider` builds from the manifest): built before the run directory exists, so a missing
    API key or an unreadable replay file is a SpecError naming it, and nothing is left behind."""
    if spec is None:
        return None
    base_url = url_of(spec, endpoint_of(spec, base_url))
    return make_provider(spec, base_url=base_url, timeout=timeout)


@contextmanager
def _appenders(run: RunDir) -> Iterator[tuple[JsonlAppender, JsonlAppender]]:
    with ExitStack() as stack:  # both closed, whichever fails
        responses = JsonlAppender(run.responses_path)
        stack.callback(responses.close)
        judgments = JsonlAppender(run.judgments_path)
        stack.callback(judgments.close)
        yield responses, judgments


@contextmanager
def _checker() -> Iterator[ThreadPoolExecutor]:
    """The thread the local checks run in. On the event loop, a page's contrast analysis held
    every call for up to 0.2 s: answers waited unread and freed slots unused, and at the start
    no judge call went out before the first 128 responses were checked. One thread keeps the
    checks in order (and the per-page memo of html_memo useful)."""
    pool = ThreadPoolExecutor(1, thread_name_prefix="musebench-checks")
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # Ctrl-C: the check under way ends


async def _checked(
    task: ResolvedTask, response: ResponseRecord, state: _Work
) -> list[JudgmentRecord]:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(state.checker, check_judgments, task, response)


@dataclass
class _Work:
    """The state of one `work` call: what the run dir holds and where new records go."""

    responses: dict[ResponseKey, ResponseRecord]
    judged: set[JudgmentKey]
    progress: RunProgress
    model_call: CallService | None = None
    judge_call: CallService | None = None
    resp_out: JsonlAppender | None = None
    judg_out: JsonlAppender | None = None
    services: list[CallService] = field(default_factory=list)
    checker: ThreadPoolExecutor | None = None

    def halt(self) -> None:
        for service in self.services:
            service.halt()

    def emit(self, records: list[JudgmentRecord]) -> None:
        assert self.judg_out is not None
        for rec in records:
            key = judgment_key(rec)
            if key in self.judged:
                continue
            self.judg_out.append(rec)
            self.judged.add(key)
            self.progress.judgment_done(failed=rec.verdict is None and not rec.not_applicable)


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
        self.options: ExecOptions = config.options()
        if self.options.cache_path:
            check_cache(self.options.cache_path, "--cache")
        suite = suite if suite is not None else load_suite(config.suite_dir)
        suite.select(config.tasks)  # a bad --tasks is refused before the run dir is created
        if not RunDir(out).exists():  # a missing API key too (the lock below creates the dir)
            given = functools.partial(_given_provider, timeout=config.timeout)
            model_provider = model_provider or given(config.model, config.base_url)
            judge_provider = judge_provider or given(config.judge, config.judge_base_url)
        # Held while this runner writes (opening, work, scoring): a second process is refused.
        self._lock = RunLock(out)
        with self._lock:
            self.run, self.manifest, self.suite, self.tasks = open_run(config, out, suite=suite)
        self.spec: RunSpec = self.manifest.spec
        judge = self.spec.judge
        self.plan = JudgePlan.of(judge, self.suite.dimensions) if judge else None
        self._model_provider = model_provider
        self._judge_provider = judge_provider
        self.budget = self._budget()

    # ------------------------------------------------------------------ public stages
    def execute(self, *, generate: bool = True, judge: bool = True) -> Scores:
        with self._lock, self._recording_stops():
            interrupts.run(self.work(generate=generate, judge=judge))
            interrupts.check()
            return self.finish()

    async def aexecute(self, *, generate: bool = True, judge: bool = True) -> Scores:
        """`execute` in the caller's running event loop (benchmark.arun)."""
        with self._lock, self._recording_stops():
            await self.work(generate=generate, judge=judge)
            return self.finish()

    async def work(self, *, generate: bool = True, judge: bool = True) -> None:
        """Generate, check and judge everything still missing (no scoring)."""
        with self._lock:
            await self._work(generate=generate, judge=judge)

    def finish(self) -> Scores:
        """Score what the run dir holds and update the manifest's status and counts."""
        with self._lock:
            scores = compute_scores(self.run, self.suite)
            self.run.write_scores(scores)
            counts = run_counts(self.spec, self.tasks, self.run.responses(), self.run.judgments())
            self.manifest = self.manifest.model_copy(
                update={"status": scores.status, "counts": counts}
            )
            self.run.write_manifest(self.manifest)
            return scores

    # ------------------------------------------------------------------ internals
    @contextmanager
    def _recording_stops(self) -> Iterator[None]:
        """Whatever ends the run early (Ctrl-C, --max-cost, a provider error, a batch left
        pending) leaves the manifest `stopped` with its counts, not `running` with no process
        behind it. A kill -9 cannot be recorded: its manifest stays `running`."""
        try:
            yield
        except BaseException:
            self._record_stop()
            raise

    def _record_stop(self) -> None:
        # Best effort: the error that stopped the run is the one to report, not one of this
        # write's (a full disk, a file the run could not read).
        with suppress(OSError, MusebenchError):
            counts = run_counts(self.spec, self.tasks, self.run.responses(), self.run.judgments())
            self.manifest = self.manifest.model_copy(update={"status": "stopped", "counts": counts})
            self.run.write_manifest(self.manifest)

    def _budget(self) -> Budget | None:
        """--max-cost's account (the specs it must price are checked in `_open_calls`)."""
        cap = self.options.max_cost
        return None if cap is None else Budget(cap, load_prices(self.options.prices_path))

    def _pending(self, responses: dict[ResponseKey, ResponseRecord]) -> list[ResponseKey]:
        return [
            ResponseKey(t.id, s)
            for t in self.tasks
            for s in range(self.spec.samples)
            if ResponseKey(t.id, s) not in responses
        ]

    def _judge_groups(self, state: _Work) -> Iterator[JudgeGroup]:
        """Every judge group of the responses held that still lacks a line (the plan decides)."""
        if self.plan is None:
            return
        for t in self.tasks:
            for s in range(self.spec.samples):
                response = state.responses.get(ResponseKey(t.id, s))
                if response is not None:
                    yield from self.plan.pending(t, response, state.judged)

    async def _work(self, *, generate: bool, judge: bool) -> None:
        self.run.drop_failed()
        state = _Work(
            responses={response_key(r): r for r in self.run.responses()},
            judged={judgment_key(j) for j in self.run.judgments()},
            progress=RunProgress(enabled=self.options.progress),
        )
        pending = self._pending(state.responses)
        if pending and not generate:
            raise UsageError(
                f"{self.run.path}: {len(pending)} responses missing; run "
                f"`musebench generate {self.run.path}` first"
            )
        judging = judge and self.plan is not None
        # Read before any paid call: a corrupt batch log must stop the run before generation.
        batch_log = (
            load_batch_log(self.run.batches_path) if self.options.batch and judging else None
        )
        calls_left = bool(pending) or (
            judging and next(self._judge_groups(state), None) is not None
        )
        # Opened only when calls remain: a resume with every line written needs no cache, so a
        # corrupt one cannot block it.
        cache = (
            ResponseCache(self.options.cache_path or self.run.cache_path) if calls_left else None
        )
        try:
            self._open_calls(state, cache, model=bool(pending), judge=judging)
            await self._run_jobs(state, pending, judge=judge, batch_log=batch_log)
        finally:
            state.progress.stop()
            if cache is not None:
                cache.close()

    def _open_calls(
        self, state: _Work, cache: ResponseCache | None, *, model: bool, judge: bool
    ) -> None:
        """The call services of the model and the judge (only those with calls to make)."""
        semaphore = asyncio.Semaphore(self.options.concurrency)
        halted = asyncio.Event()  # set at the run's first error: no paid call starts after it

        def service(provider: Provider) -> CallService:
            # Replayed responses cost nothing to ask again: no point caching them.
            free = provider.capabilities.replay
            if self.budget is not None and not free:  # a spec that will be paid, before any call
                require_price(provider.spec, self.budget.prices)
            call = CallService(
                provider,
                None if free else cache,
                semaphore,
                self.options.retry,
                on_change=state.progress.refresh,
                halted=halted,
                budget=None if free else self.budget,
            )
            state.services.append(call)
            return call

        timeout = self.options.timeout
        if model:
            state.model_call = service(self._model_provider or _provider(self.spec.model, timeout))
            state.progress.track_calls("model", state.model_call.stats)
        if judge and self.spec.judge is not None:
            state.judge_call = service(self._judge_provider or _provider(self.spec.judge, timeout))
            self._check_sees(state.judge_call.provider)
            if self.options.batch:
                batch_client(state.judge_call.provider)  # no batch API: refused before any call
            state.progress.track_calls("judge", state.judge_call.stats)

    def _check_sees(self, judge: Provider) -> None:
        """Refuse, before any call, a judge that cannot see the screenshots the suite's items
        are judged from."""
        seen = sum(it.sees_screenshots for t in self.tasks for it in t.items)
        if seen and not judge.capabilities.images:
            raise UsageError(
                f"--judge: {judge.spec} takes no image input, and {seen} rubric items are judged "
                "from screenshots (judge_sees); choose a judge that does (anthropic/, openai/)"
            )

    async def _run_jobs(
        self, state: _Work, pending: list[ResponseKey], *, judge: bool, batch_log: BatchLog | None
    ) -> None:
        n_total = len(self.tasks) * self.spec.samples
        n_items = sum(len(t.items) for t in self.tasks) * self.spec.samples
        state.progress.start(
            responses=(n_total, n_total - len(pending)), judgments=(n_items, len(state.judged))
        )
        with _appenders(self.run) as (state.resp_out, state.judg_out), _checker() as state.checker:
            if batch_log is not None and state.judge_call is not None:
                # Responses first, then one batch for every first judge ask not cached.
                tasks = {t.id: t for t in self.tasks}
                await self._bounded(
                    [
                        functools.partial(self._respond, tasks[k.task_id], k.sample, state)
                        for k in pending
                    ],
                    state,
                )
                await self._prefill_batch(state, batch_log)
            jobs = [
                functools.partial(self._pipeline, t, s, state, judge)
                for t in self.tasks
                for s in range(self.spec.samples)
            ]
            await self._bounded(jobs, state)

    async def _prefill_batch(self, state: _Work, log: BatchLog) -> None:
        call = state.judge_call
        assert call is not None and self.plan is not None
        client = batch_client(call.provider)

        def key_of(request: GenerateRequest) -> str | None:
            return (
                None
                if call.cached(request) is not None
                else cache_key(call.spec, request, call.endpoint)
            )

        wanted = self.plan.unasked(list(self._judge_groups(state)), key_of)
        # The whole batch is held against --max-cost before it is sent; its answers are
        # added to the spending as they are stored (CallService.prefill).
        held = self.budget.reserve(call.spec, wanted.values(), batch=True) if self.budget else 0.0
        where = BatchRun(self.run.path, self.run.batches_path, self.options)
        try:
            await prefill_judge_batch(client, wanted, call, where, state.progress, log)
        finally:
            if self.budget is not None:
                self.budget.settle(held, call.spec, None)

    async def _bounded(self, jobs: Sequence[Callable[[], Awaitable[object]]], state: _Work) -> None:
        """Run jobs with a bounded number of workers (twice the call concurrency, enough to keep
        every call slot busy). Starting every (task, sample) at once would make the first
        calls wait until each job had done its local work (replay, checks). After an error the
        jobs under way finish, but no new paid call starts."""
        queue = list(reversed(jobs))
        errors: list[BaseException] = []

        async def worker() -> None:
            while queue and not errors:
                try:
                    await queue.pop()()
                except Exception as err:  # surfaced below, after the other workers stop
                    errors.append(err)
                    state.halt()

        n = min(len(jobs), 2 * self.options.concurrency)
        await asyncio.gather(*(worker() for _ in range(n)))
        if errors:
            # The error that stopped the run, not the calls it stopped.
            raise next((e for e in errors if not isinstance(e, CallsHalted)), errors[0])

    async def _respond(
        self, task: ResolvedTask, sample: int, state: _Work
    ) -> ResponseRecord | None:
        key = ResponseKey(task.id, sample)
        if key in state.responses:
            return state.responses[key]
        assert state.model_call is not None and state.resp_out is not None
        rec = await generate_response(
            state.model_call, task, sample, self.spec.model.spec, self.spec.model.params
        )
        state.resp_out.append(rec)
        state.progress.response_done(failed=rec.error is not None)
        if rec.error is not None:
            return None
        state.responses[key] = rec
        return rec

    def _judge_calls(
        self, task: ResolvedTask, response: ResponseRecord, state: _Work
    ) -> list[asyncio.Task[list[JudgmentRecord]]]:
        """One judge call per group still lacking a line, all started at once; without a
        judge, records saying so."""
        call, plan = state.judge_call, self.plan
        if call is None or plan is None:
            lacking = pending_groups(
                task, response, state.judged, "dimension", self.suite.dimensions
            )
            state.emit(
                [
                    item_record(
                        task,
                        response,
                        it,
                        NO_JUDGE,
                        verdict=None,
                        error=NOT_JUDGED,
                        error_kind="not_judged",
                    )
                    for g in lacking
                    for it in g.items
                ]
            )
            return []
        return [
            asyncio.create_task(
                judge_group(call, g, judge_spec=call.spec, params=plan.params, samples=plan.samples)
            )
            for g in plan.pending(task, response, state.judged)
        ]

    async def _pipeline(self, task: ResolvedTask, sample: int, state: _Work, judge: bool) -> None:
        response = await self._respond(task, sample, state)
        if response is None or not judge:
            return
        calls = self._judge_calls(task, response, state)
        await asyncio.sleep(0)  # the judge calls are sent before the local checks take the CPU
        try:
            await render_ahead(task, response)  # in a render thread: other calls keep moving
            state.emit(await _checked(task, response, state))
            for done in asyncio.as_completed(calls):
                state.emit(await done)
        except asyncio.CancelledError:  # Ctrl-C: stop now
            for c in calls:
                c.cancel()
            raise
        except Exception:
            # The run is failing: no new call starts, the judge calls under way finish (an
            # answer already paid for is cached for the resume) and their errors are collected.
            state.halt()
            await asyncio.gather(*calls, return_exceptions=True)
            raise
