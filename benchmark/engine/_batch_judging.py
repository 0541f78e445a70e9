"""`--batch`: send the judge's first-attempt calls (the judge plan's `first_asks`) through the
judge provider's batch API (its `batch` capability: the Anthropic Message Batches API, half
price) and put the results in the cache under the keys of those very requests; the ordinary
judge phase then finds every answer cached.

Nothing is paid twice and no batch is opened twice for the same requests:
- a batch is recorded in RUN_DIR/batches.json before its create call (`creating`) and gets its
  id when the call answers; a create whose answer is lost (timeout, dropped connection, kill) is
  looked up among the server's batches before another is created, within the retry policy and
  again on the next run;
- a recorded batch is polled by its id, on retry and on resume alike;
- a batch the server no longer knows (404) is marked `gone`, and its requests still unjudged go
  into one new batch; if that one is gone too, the judge phase asks them directly. Requests
  already answered are in the cache and never resubmitted;
- a failure that outlasts the retry policy stops the run with one line; the log keeps every
  batch, so the same command carries on."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

from ..errors import BatchError, BatchGone, BatchPending, BatchPollTimeout, ProviderError
from ._batch_log import BatchEntry, BatchLog, save_batch_log
from ._progress import RunProgress
from .calls import CallService
from .providers.base import BatchClient, GenerateRequest
from .retry import RetryPolicy, call_with_retries
from .runconfig import ExecOptions

# Rounds of submit-and-collect: the second replaces a batch found gone in the first.
ROUNDS = 2


@dataclass(frozen=True)
class BatchRun:
    """Where a run keeps its batch log, and how long it polls."""

    run_path: Path
    log_path: Path
    options: ExecOptions


async def prefill_judge_batch(
    client: BatchClient,
    wanted: dict[str, GenerateRequest],
    judge_call: CallService,
    where: BatchRun,
    progress: RunProgress,
    log: BatchLog,
) -> None:
    """Answer `wanted` (the judge plan's first asks not cached, by cache key = custom_id)
    through batches and cache every answer under its key. `log` is the run's batches.json,
    loaded (and so validated) before any paid call."""
    batches = _Batches(client, where, progress, log)
    await batches.settle_lost_creates()
    for _ in range(ROUNDS):
        covered = {cid for entry in batches.log.live() for cid in entry.custom_ids}
        todo = {cid: req for cid, req in wanted.items() if cid not in covered}
        if todo:
            await batches.create(todo)
        gone = 0
        for entry in batches.log.live():
            gone += not await batches.collect(entry, wanted, judge_call)
        if not gone:
            break
    progress.refresh()


class _Batches:
    """The run's batch log and the API calls that change it; every change is saved at once."""

    def __init__(
        self, client: BatchClient, where: BatchRun, progress: RunProgress, log: BatchLog
    ) -> None:
        self.client = client
        self.progress = progress
        self.run_path = where.run_path
        self.path = where.log_path
        self.log = log
        self.retry: RetryPolicy = where.options.retry
        self.interval = where.options.batch_poll_interval
        self.wait = where.options.batch_wait

    def _save(self) -> None:
        save_batch_log(self.path, self.log)

    def _stop(self, what: str, err: ProviderError) -> NoReturn:
        if err.retryable:
            raise BatchPending(
                f"{self.run_path}: {what}: {err} ({self.retry.max_attempts} attempts); "
                f"{self.path.name} keeps every batch: run the same command again "
                "(nothing is resubmitted or paid twice)"
            ) from None
        raise BatchError(
            f"{self.run_path}: {what}: {err}; {self.path.name} keeps every batch: fix the "
            "cause and run the same command again"
        ) from None

    async def _find(self, entry: BatchEntry) -> str | None:
        return await self.client.find_created(
            len(entry.custom_ids), entry.submitted_at, self.log.known_ids()
        )

    async def settle_lost_creates(self) -> None:
        """A `creating` entry left by an earlier run (its create timed out, or the run was
        killed mid-call) becomes the batch that call made, or is dropped if it made none."""
        for entry in [e for e in self.log.batches if e.status == "creating"]:
            try:
                found = await call_with_retries(functools.partial(self._find, entry), self.retry)
            except ProviderError as err:
                self._stop("could not look for a batch whose creation was not confirmed", err)
            if found is None:
                self.log.batches.remove(entry)
            else:
                entry.batch_id, entry.status = found, "submitted"
            self._save()

    async def create(self, todo: dict[str, GenerateRequest]) -> None:
        """Open one batch for `todo`. A create call that failed without a clear "no" (a
        timeout, a lost connection, a gateway error) may have made the batch all the same: from
        then on the retries only look for it; creating again could pay for every request
        twice. If it has not shown up when the attempts run out, the run stops (exit 3) and the
        next run looks once more before creating anything."""
        entry = BatchEntry(custom_ids=list(todo), submitted_at=datetime.now(UTC), status="creating")
        self.log.batches.append(entry)
        self._save()  # before the call: an answer lost on the way is looked up, not re-created
        lost: ProviderError | None = None  # the failure after which the batch may exist

        async def attempt() -> str:
            nonlocal lost
            if lost is not None:
                found = await self._find(entry)
                if found is None:
                    raise ProviderError("no such batch in the server's list yet", retryable=True)
                return found
            try:
                return await self.client.submit(list(todo.items()))
            except ProviderError as err:
                lost = err if self.client.may_have_created(err) else None
                raise

        try:
            batch_id = await call_with_retries(attempt, self.retry)
        except ProviderError as err:
            if lost is None:  # the server said no: there is no batch to look for
                self.log.batches.remove(entry)
                self._save()
                self._stop(f"could not create a Message Batch of {len(todo)} requests", err)
            raise BatchPending(
                f"{self.run_path}: the call creating a Message Batch of {len(todo)} requests "
                f"got no answer ({lost}) and the batch has not appeared in the server's list "
                f"({err}); {self.path.name} records the attempt: run the same command again, "
                "and it looks for that batch before creating one"
            ) from None
        entry.batch_id, entry.status = batch_id, "submitted"
        self._save()

    async def collect(
        self, entry: BatchEntry, wanted: dict[str, GenerateRequest], judge_call: CallService
    ) -> bool:
        """Poll the batch until it ends and cache its answers; False when it is gone."""
        assert entry.batch_id is not None
        batch_id = entry.batch_id
        try:
            await self.client.poll(
                batch_id, interval=self.interval, timeout=self.wait, retry=self.retry
            )
            results = await self.client.results(batch_id, retry=self.retry)
        except BatchPollTimeout:
            raise BatchPending(
                f"{self.run_path}: Message Batch {batch_id} is still in progress; "
                "run the same command again to collect it (nothing is resubmitted)"
            ) from None
        except BatchGone:
            entry.status = "gone"
            self._save()
            unjudged = sum(1 for cid in entry.custom_ids if cid in wanted)
            self.progress.note(
                f"musebench: Message Batch {batch_id} is unknown to the server (HTTP 404); "
                f"marked gone in {self.path.name}; its {unjudged} unjudged requests are asked "
                "again (answers already cached are not)"
            )
            return False
        except ProviderError as err:
            self._stop(f"could not collect Message Batch {batch_id}", err)
        for cid, outcome in results.items():
            asked = wanted.get(cid)
            if asked is None or isinstance(outcome, ProviderError):
                continue  # answered already, or failed: the judge phase calls it directly
            judge_call.prefill(asked, outcome)
        entry.status = "collected"
        self._save()
        return True
