"""What a run will cost before it is paid for: the calls still to make by kind, their tokens and
dollars, from the suite's real prompts and the judge's real prompt (no call is made).

Assumptions, stated wherever an estimate is shown:
- tokens are characters / CHARS_PER_TOKEN (about what tokenizers give on English prose);
- every model answer is as long as --max-tokens allows (an upper bound: a judge reads a
  response of that length, a later turn the earlier ones); a judge answer is
  JUDGE_OUTPUT_TOKENS_PER_ITEM tokens an item (at most its max_tokens);
- no prompt-cache reads (every input token at the full input price) and no judge re-asks;
- judge calls at the price table's batch discount with --batch.
Calls already answered in the run directory are left out; calls already in the cache are not
(they would be free)."""

from __future__ import annotations

import textwrap
from collections.abc import Container, Coroutine, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from ..measure.cost import PriceTable, price_usage
from ..measure.run_scores import spec_tasks
from ..records.keys import JudgmentKey, ResponseKey, judgment_key, response_key
from ..records.rundir import RunDir, is_failed
from ..records.runspec import RunSpec
from ..records.schemas import ResolvedTask, ResponseRecord, Usage
from ..suite import Suite, load_suite
from ._budget import CHARS_PER_TOKEN, call_usage
from .generation import generate_response
from .judging import JudgePlan
from .providers import capabilities_of
from .providers.base import Completion, GenerateRequest
from .runconfig import RunConfig, check_resumable

CallKind = Literal["model", "judge"]
# Judge output per judged item (verdict, an evidence quote, a one-sentence rationale), as
# scripts/bench_engine.py estimates it; a judge answer is never counted above its max_tokens.
JUDGE_OUTPUT_TOKENS_PER_ITEM = 80
ASSUMPTIONS = (
    f"tokens = characters / {CHARS_PER_TOKEN}; model answers as long as --max-tokens allows "
    f"(an upper bound); judge answers {JUDGE_OUTPUT_TOKENS_PER_ITEM} tokens an item; "
    "no prompt-cache reads; no judge re-asks"
)


@dataclass(frozen=True)
class KindEstimate:
    kind: CallKind
    spec: str
    calls: int
    usage: Usage
    dollars: float | None  # None: the spec is not in the price table
    batch: bool = False


@dataclass(frozen=True)
class RunEstimate:
    kinds: tuple[KindEstimate, KindEstimate | None]  # model, then judge (None: no judge)

    @property
    def dollars(self) -> float | None:
        parts = [k.dollars for k in self.kinds if k is not None]
        return None if any(d is None for d in parts) else round(sum(d or 0.0 for d in parts), 6)


def _drive(coro: Coroutine[Any, Any, ResponseRecord]) -> ResponseRecord:
    """Run `coro` to its end without an event loop: its stand-in call returns at once, so no
    await ever suspends (a dry run must also work inside a notebook's running loop)."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()
    raise RuntimeError("the estimate's stand-in call suspended")  # a bug, not bad input


def _simulated(
    task: ResolvedTask, sample: int, spec: RunSpec, requests: list[GenerateRequest]
) -> ResponseRecord:
    """The response `generate_response` would build, every reply at max_tokens characters
    times CHARS_PER_TOKEN; the requests it would send are appended to `requests`."""
    params = spec.model.params
    reply = "x" * (params.max_tokens * CHARS_PER_TOKEN)

    async def call(request: GenerateRequest) -> Completion:
        requests.append(request)
        return Completion(text=reply)

    return _drive(generate_response(call, task, sample, spec.model.spec, params))


def _total(requests: Iterable[tuple[GenerateRequest, int | None]]) -> tuple[int, Usage]:
    """Calls and tokens of (request, judged items) pairs; items None: a model call, whose
    answer is counted at max_tokens."""
    n, usage = 0, Usage()
    for request, items in requests:
        most = call_usage(request)
        if items is not None:
            out = min(most.output_tokens, JUDGE_OUTPUT_TOKENS_PER_ITEM * items)
            most = most.model_copy(update={"output_tokens": out})
        n, usage = n + 1, usage + most
    return n, usage


def estimate_run(
    spec: RunSpec,
    tasks: list[ResolvedTask],
    suite: Suite,
    prices: PriceTable,
    *,
    responses: dict[ResponseKey, ResponseRecord] | None = None,
    judged: Container[JudgmentKey] = frozenset(),
    batch: bool = False,
    judge: bool = True,
) -> RunEstimate:
    """The calls `spec` still needs given the `responses` and `judged` lines a run dir holds
    (`judge=False`: generation only)."""
    held = responses or {}
    model_requests: list[GenerateRequest] = []
    judge_requests: list[tuple[GenerateRequest, int | None]] = []
    plan = JudgePlan.of(spec.judge, suite.dimensions) if spec.judge and judge else None
    for task in tasks:
        for sample in range(spec.samples):
            response = held.get(ResponseKey(task.id, sample))
            if response is None:
                response = _simulated(task, sample, spec, model_requests)
            if plan is not None:
                for group in plan.pending(task, response, judged):
                    judge_requests.extend((r, len(group.items)) for r in plan.first_asks(group))
    n, usage = _total((r, None) for r in model_requests)
    # A replay answers from its file: free.
    free = capabilities_of(spec.model.spec).replay
    model_dollars = 0.0 if free else price_usage(spec.model.spec, usage, prices)
    model = KindEstimate("model", spec.model.spec, n, usage, model_dollars)
    if spec.judge is None or not judge:
        return RunEstimate((model, None))
    n, usage = _total(judge_requests)
    dollars = price_usage(spec.judge.spec, usage, prices, batch=batch)
    return RunEstimate((model, KindEstimate("judge", spec.judge.spec, n, usage, dollars, batch)))


def _usd(dollars: float) -> str:
    return f"${dollars:,.2f}" if dollars >= 1 else f"${dollars:.4f}"


def estimate_lines(est: RunEstimate, discount: float) -> list[str]:
    """The estimate as plain lines (under 80 columns), its assumptions last."""
    lines = ["calls still to make (estimate, no call made):"]
    for k in est.kinds:
        if k is None:
            continue
        money = "no price (add it with --prices)" if k.dollars is None else _usd(k.dollars)
        how = f", batch x{discount:g}" if k.batch else ""
        lines.append(f"  {k.kind}  {k.spec}")
        lines.append(
            f"    {k.calls:,} call{'' if k.calls == 1 else 's'}, {k.usage.input_tokens:,} input + "
            f"{k.usage.output_tokens:,} output tokens: {money}{how}"
        )
    total = est.dollars
    lines.append(f"  total: {'unknown' if total is None else _usd(total)}")
    lines.extend(textwrap.wrap(f"assumed: {ASSUMPTIONS}.", width=78, subsequent_indent="  "))
    return lines


def estimate_command(
    config: RunConfig, run: RunDir, prices: PriceTable, *, judge: bool = True
) -> RunEstimate:
    """What the command `config` would still pay for on `run` (read only: nothing is written,
    and a run dir that does not belong to the command is refused as the run itself would)."""
    suite = load_suite(config.suite_dir)
    recorded = run.read_manifest().spec if run.exists() else None
    spec = config.spec(suite, recorded)
    if recorded is not None:
        check_resumable(recorded, spec, run.path)
    tasks = spec_tasks(spec, suite, run.manifest_path)
    held: dict[ResponseKey, ResponseRecord] = {}
    judged: set[JudgmentKey] = set()
    if run.exists():
        held = {response_key(r): r for r in run.responses() if not is_failed(r)}
        judged = {judgment_key(j) for j in run.judgments() if not is_failed(j)}
    return estimate_run(
        spec,
        tasks,
        suite,
        prices,
        responses=held,
        judged=judged,
        batch=config.batch,
        judge=judge,
    )
