"""`--batch`: send the judge's first-attempt calls through the Anthropic Message Batches API
(half price) and put the results in the cache; the ordinary judge phase then finds every answer
cached. The batch id is recorded in the run dir (batches.json) before polling, so a killed run
resumes the batch in flight instead of paying for a new one."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from . import batch as batch_api
from .cache import cache_key
from .errors import BatchPending, ProviderError, UsageError
from .judging import build_judge_request, judge_groups
from .providers.base import GenerateRequest
from .rundir import write_json_atomic

if TYPE_CHECKING:
    from .calls import CallService
    from .progress import RunProgress
    from .rundir import JudgmentKey
    from .runner import Runner
    from .schemas import ResponseRecord


def _load(runner: Runner) -> dict[str, Any]:
    path = runner.run.batches_path
    if path.is_file():
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    return {"batches": []}


async def prefill_judge_batch(
    runner: Runner,
    judge_call: CallService,
    responses: dict[tuple[str, int], ResponseRecord],
    judged: set[JudgmentKey],
    progress: RunProgress,
) -> None:
    client = getattr(judge_call.provider, "client", None)
    if not judge_call.spec.startswith("anthropic/") or client is None:
        raise UsageError("--batch: the Message Batches API needs an anthropic/ judge")
    model = judge_call.spec.split("/", 1)[1]
    state = _load(runner)

    wanted: dict[str, GenerateRequest] = {}
    for task in runner.tasks:
        for sample in range(runner.manifest.samples):
            response = responses.get((task.id, sample))
            if response is None:
                continue
            for _g, items in judge_groups(task.items, runner.manifest.judge_mode):
                if all((task.id, sample, it.id) in judged for it in items):
                    continue
                dim = runner.suite.dimensions[items[0].dimension]
                for k in range(runner.manifest.judge_samples):
                    req = build_judge_request(
                        task, response, items, dim, runner.config.judge_params(), judge_sample=k
                    )
                    if judge_call.cached(req) is None:
                        wanted[cache_key(judge_call.spec, req, judge_call.endpoint)] = req

    in_flight = [b for b in state["batches"] if b.get("status") != "collected"]
    covered = {cid for b in in_flight for cid in b["custom_ids"]}
    todo = {cid: req for cid, req in wanted.items() if cid not in covered}
    if todo:
        batch_id = await batch_api.submit(client, list(todo.items()), model)
        in_flight.append(
            {
                "batch_id": batch_id,
                "custom_ids": list(todo),
                "submitted_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "status": "submitted",
            }
        )
        state["batches"].append(in_flight[-1])
        write_json_atomic(runner.run.batches_path, state)

    for entry in in_flight:
        try:
            await batch_api.poll(
                client,
                entry["batch_id"],
                interval=runner.config.batch_poll_interval,
                timeout=runner.config.batch_wait,
            )
        except batch_api.BatchPollTimeout:
            raise BatchPending(
                f"{runner.run.path}: Message Batch {entry['batch_id']} is still in progress; "
                "run the same command again to collect it (nothing is resubmitted)"
            ) from None
        results = await batch_api.results(client, entry["batch_id"])
        for cid, outcome in results.items():
            asked = wanted.get(cid)
            if asked is None or isinstance(outcome, ProviderError):
                continue  # answered already, or failed: the judge phase calls it directly
            judge_call.prefill(asked, outcome)
        entry["status"] = "collected"
        write_json_atomic(runner.run.batches_path, state)
    progress.refresh()
