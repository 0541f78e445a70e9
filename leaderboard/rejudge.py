"""Spot re-judging (`leaderboard build --rejudge SPEC [--rejudge-n N]`): the maintainer's judge
judges again a random sample of each accepted bundle's LLM verdicts, and a bundle that claims
clearly more than that judge gives is rejected ("rejudge_mismatch").

- Which bundles: those judged by SPEC (`--rejudge` may be given once per judge on the board).
  A bundle judged by another judge is not re-judged (its row says so): a different judge
  disagrees by its own standards, not because the bundle lies.
- Which verdicts: `rejudge_sample` (N drawn with probability proportional to |points|, seeded by
  the maintainer's key and the bundle's bytes).
- How: exactly as a run judges (benchmark.engine.judging.judge_items: the same prompt, delimiting,
  schema, grounding and re-asks, the run's judge mode, a single draw at the product's pinned
  judge parameters) through the engine's CallService: cached (benchmark.engine.cache, under the build
  cache), so a rebuild pays nothing again; failures are never cached, so a rebuild asks again.
- What it says: `rejudge_stats` (disagreement rate, implied score shift, the decision), shown
  through `rejudge_report` (the row's line and figures, the rejection reason, the build notes).
- Items judged from screenshots (`judge_sees: [source, screenshots]`) are asked with the
  screenshots, as a run asks them: the board renders the response's page itself (never the
  bundle's pictures) into the build cache's `rejudge/render/` (a temporary store without a
  cache). Without chromium they are left out of the draw, and the report says so; a page that
  does not render leaves its items without a new verdict. Never judged from the source alone."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmark.checks.render import store as render_store
from benchmark.checks.render.browser import ChromiumNotFound, find_chromium
from benchmark.engine.cache import ResponseCache
from benchmark.engine.calls import CallService
from benchmark.engine.judging import JudgeCall, JudgeGroup, judge_group, judge_groups
from benchmark.engine.providers import make_provider, parse_spec
from benchmark.engine.providers.base import Completion, GenerateRequest, Provider
from benchmark.engine.retry import RetryPolicy
from benchmark.errors import ProviderError, SpecError, UsageError
from benchmark.records.schemas import JudgmentRecord, ResolvedTask, RubricItem
from benchmark.suite import Suite

from .errors import BundleRejected
from .rejudge_report import CODE, RejudgeReport, rejection_reason, rejudge_columns
from .rejudge_rules import RejudgeConfig as RejudgeConfig  # re-exported: callers import it here
from .rejudge_rules import RejudgeRules, packaged_rejudge_rules
from .rejudge_sample import Candidate, ItemKey, bundle_digest, candidates, draw
from .rejudge_stats import estimate_shift, inflated, sign_p

KEY_ENV = "MUSEBENCH_REJUDGE_KEY"
KEY_FILE = "rejudge.key"
CACHE_FILE = "rejudge/cache.sqlite"
JUDGE_PROVIDERS = ("anthropic", "openai")
CONCURRENCY = 8  # judge calls in flight per bundle (per build worker)


# --------------------------------------------------------------------------- set-up


def _sampling_key(cache_dir: Path | None) -> tuple[bytes, str | None]:
    """The maintainer's key: $MUSEBENCH_REJUDGE_KEY, else one kept in the build cache (made on
    first use), else a fresh one for this build only."""
    env = os.environ.get(KEY_ENV)
    if env:
        return env.encode("utf-8"), None
    if cache_dir is None:
        return secrets.token_bytes(32), (
            f"re-judging: no cache and no ${KEY_ENV}, so another build draws other verdicts"
        )
    path = cache_dir / KEY_FILE
    try:
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32) + "\n")
        return path.read_text(encoding="utf-8").strip().encode("utf-8"), None
    except FileExistsError:  # another build made it first
        return path.read_text(encoding="utf-8").strip().encode("utf-8"), None
    except OSError as err:
        raise UsageError(f"--cache: cannot keep the re-judging key in {path}: {err}") from None


def check_judge_spec(spec: str) -> Provider:
    """A judge the maintainer can call now: a known provider and its API key (no call made)."""
    try:
        provider, _ = parse_spec(spec)
    except SpecError as err:
        raise UsageError(f"--rejudge: {err}") from None
    if provider not in JUDGE_PROVIDERS:
        raise UsageError(
            f"--rejudge: {spec!r} cannot judge (expected one of: "
            f"{', '.join(p + '/' for p in JUDGE_PROVIDERS)})"
        )
    try:
        return make_provider(spec)
    except SpecError as err:
        raise UsageError(f"--rejudge: {err}") from None


def rejudge_config(
    judges: list[str] | tuple[str, ...],
    n: int | None,
    cache_dir: str | Path | None,
    *,
    retry: RetryPolicy | None = None,
) -> RejudgeConfig:
    """Validate `--rejudge` / `--rejudge-n` before anything is paid for."""
    rules = packaged_rejudge_rules()
    if n is None:
        n = rules.n
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise UsageError(f"--rejudge-n: must be a positive integer, not {n!r}")
    if not judges:
        raise UsageError("--rejudge: name the judge to re-judge with (provider/model)")
    for spec in judges:
        check_judge_spec(spec)
    root = Path(cache_dir) if cache_dir is not None else None
    key, note = _sampling_key(root)
    return RejudgeConfig(
        judges=tuple(dict.fromkeys(judges)),
        n=n,
        key=key,
        cache=root / CACHE_FILE if root is not None else None,
        rules=rules,
        retry=retry or RetryPolicy(),
        key_note=note,
    )


# --------------------------------------------------------------------------- judging


def _group_of(items: list[RubricItem], item_id: str, mode: Any) -> tuple[str, list[RubricItem]]:
    for name, group in judge_groups(items, mode):
        if any(it.id == item_id for it in group):
            return name, group
    raise AssertionError(f"item {item_id} is not LLM-judged")  # candidates() chose it


REFUSED = (401, 403)  # credentials the judge will never take: no bundle can be re-judged


def refusing_stops(service: CallService) -> JudgeCall:
    """`service`, except that a refused key or an unreachable judge stops the build (one line
    naming --rejudge) instead of leaving every bundle with failed re-judgments."""

    async def call(request: GenerateRequest) -> Completion:
        try:
            return await service(request)
        except UsageError as err:  # CallService: the judge cannot be reached at all
            raise UsageError(f"--rejudge: {service.spec}: {err}") from None
        except ProviderError as err:
            if err.status in REFUSED:
                raise UsageError(
                    f"--rejudge: {service.spec} refused the credentials: {err}"
                ) from None
            raise

    return call


async def _judge_drawn(
    bundle: Any, suite: Suite, drawn: list[Candidate], service: CallService
) -> dict[ItemKey, JudgmentRecord]:
    """New judgments of the drawn verdicts: each asked in its run's judge group, one call per
    group (two drawn items of one group share it), exactly as the runner asks."""
    m = bundle.manifest
    tasks = {t.id: t for t in bundle.tasks}
    responses = {(r.task_id, r.sample): r for r in bundle.responses}
    groups: dict[tuple[str, int, str], list[RubricItem]] = {}
    for c in drawn:
        task_id, sample, item_id = c.key
        name, group = _group_of(tasks[task_id].items, item_id, m.judge_mode)
        groups.setdefault((task_id, sample, name), group)
    from benchmark.engine.runner import (
        RunConfig,  # the run's own judge parameters; loaded only here
    )

    params = RunConfig(model="-", judge=service.spec).judge_params()
    # judge_group: a group judged from screenshots gets them first (rendered into the bound
    # store), or no verdict; the other groups are asked exactly as judge_items asks them.
    results = await asyncio.gather(
        *(
            judge_group(
                refusing_stops(service),
                JudgeGroup(
                    tasks[task_id],
                    responses[(task_id, sample)],
                    name,
                    items,
                    suite.dimensions,
                ),
                judge_spec=service.spec,
                params=params,
                samples=1,
            )
            for (task_id, sample, name), items in groups.items()
        )
    )
    return {(j.task_id, j.sample, j.item_id): j for recs in results for j in recs}


def _assess(
    judge: str,
    population: list[Candidate],
    drawn: list[Candidate],
    new: Mapping[ItemKey, JudgmentRecord],
    rules: RejudgeRules,
    weighted_total: float,
) -> RejudgeReport:
    shifts: list[float] = []
    disagree = favour = failed = 0
    error: str | None = None
    for c in drawn:
        j = new.get(c.key)
        if j is None or j.verdict is None:
            failed += 1
            error = error or (j.error if j is not None else "no answer")
            shifts.append(0.0)  # no new verdict cannot count against the bundle
            continue
        if j.verdict != c.claimed:
            disagree += 1
            favour += int(c.favourable)
            shifts.append(c.effect)
        else:
            shifts.append(0.0)
    probs = [c.weight / weighted_total for c in drawn]
    est = estimate_shift(shifts, probs, population=len(population))
    return RejudgeReport(
        judge=judge,
        population=len(population),
        drawn=len(drawn),
        rejudged=len(drawn) - failed,
        failed=failed,
        disagree=disagree,
        favour=favour,
        shift=est,
        p_value=sign_p(favour, disagree),
        calls=0,
        cache_hits=0,
        error=" ".join(error.split())[:200] if error else None,
        rejected=inflated(
            est, favour=favour, disagree=disagree, margin=rules.margin, alpha=rules.alpha
        ),
    )


class RejudgeMismatch(BundleRejected):
    """A bundle rejected by re-judging; carries its report for rejected.json."""

    def __init__(self, report: RejudgeReport, rules: RejudgeRules):
        super().__init__(CODE, rejection_reason(report, rules))
        self.report = report


def rejection_fields(err: BundleRejected) -> dict[str, Any]:
    """Extra fields of a rejected.json entry: the re-judging report of a mismatch."""
    return {"rejudge": err.report.as_dict()} if isinstance(err, RejudgeMismatch) else {}


def renderer_missing() -> str | None:
    """Why pages cannot be rendered here (None: chromium is found)."""
    try:
        find_chromium()
    except ChromiumNotFound as err:
        return f"{render_store.NOT_RUN}: {err}"
    return None


def seeable(
    tasks: Sequence[ResolvedTask], population: list[Candidate]
) -> tuple[list[Candidate], str | None]:
    """The population without the verdicts judged from screenshots when no page can be
    rendered (they are never judged from the source alone), and what was left out."""
    seeing = {(t.id, it.id) for t in tasks for it in t.items if it.sees_screenshots}
    judged_seeing = [c for c in population if (c.key[0], c.key[2]) in seeing]
    if not judged_seeing or (why := renderer_missing()) is None:
        return population, None
    kept = [c for c in population if (c.key[0], c.key[2]) not in seeing]
    return kept, (
        f"{len(judged_seeing)} verdict(s) judged from screenshots left out of the draw ({why})"
    )


class Rejudger:
    """Re-judges bundles in one process (a build worker): one provider per judge, one cache,
    one store of the board's own renders."""

    def __init__(self, config: RejudgeConfig):
        self.config = config
        self.providers = {spec: make_provider(spec) for spec in config.judges}
        self.cache = ResponseCache(config.cache) if config.cache is not None else None
        # Beside the response cache (rejudge/cache.sqlite), so a rebuild renders nothing again.
        self.renders = config.cache.parent / "render" if config.cache is not None else None

    def __call__(self, bundle: Any, suite: Suite, files: tuple[str, ...]) -> RejudgeReport | None:
        """The report on one verified bundle (None: not judged by a re-judging judge); raises
        BundleRejected when the bundle claims clearly more than the judge gives."""
        m = bundle.manifest
        provider = self.providers.get(m.judge or "")
        if provider is None:
            return None
        population, left_out = seeable(
            bundle.tasks,
            candidates(bundle.tasks, m.samples, bundle.responses, bundle.judgments, m.judge),
        )
        digest = bundle_digest(bundle.path, files)
        drawn = draw(population, self.config.n, key=self.config.key, digest=digest)
        bound = (
            render_store.using(self.renders)
            if self.renders is not None
            else contextlib.nullcontext()
        )
        with bound:
            report = asyncio.run(self._run(bundle, suite, population, drawn, provider))
        report = replace(report, left_out=left_out)
        if report.rejected:
            raise RejudgeMismatch(report, self.config.rules)
        return report

    async def _run(
        self,
        bundle: Any,
        suite: Suite,
        population: list[Candidate],
        drawn: list[Candidate],
        provider: Provider,
    ) -> RejudgeReport:
        service = CallService(
            provider, self.cache, asyncio.Semaphore(CONCURRENCY), self.config.retry
        )
        new = await _judge_drawn(bundle, suite, drawn, service) if drawn else {}
        total = sum(c.weight for c in population)
        report = _assess(provider.spec, population, drawn, new, self.config.rules, total)
        return _with_stats(report, service)


def _with_stats(report: RejudgeReport, service: CallService) -> RejudgeReport:
    return replace(report, calls=service.stats.calls, cache_hits=service.stats.cache_hits)


def rejudge_summary(
    rejudger: Rejudger | None, bundle: Any, suites: Mapping[str, Suite], files: tuple[str, ...]
) -> dict[str, Any] | None:
    """What a build keeps of one bundle's re-judging: its board columns and its report (None
    when the build does not re-judge). Raises BundleRejected on a mismatch."""
    if rejudger is None:
        return None
    m = bundle.manifest
    report = rejudger(bundle, suites[m.suite_version], files)
    note = None
    if report is None:
        note = (
            f"not re-judged: judged by {m.judge or 'no judge'}, re-judging with "
            f"{', '.join(rejudger.config.judges)}"
        )
    return {
        "columns": rejudge_columns(report, note),
        "report": report.as_dict() if report is not None else {"line": note},
    }
