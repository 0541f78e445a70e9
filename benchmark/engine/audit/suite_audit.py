"""`musebench audit suite`: every baseline policy as a real replay run, and what the suite gives it.

Each policy's replies are written as a replay file and scored by the ordinary `Runner` (checks,
judge when one is given, `benchmark.measure.scoring`), so the audit measures exactly what a run of those
responses would score. Without a judge the LLM-judged items are recorded "not judged" and drop
out of both sums, as in `musebench demo`; the summaries below say so rather than hide it."""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import RunDirError
from ...measure.scoring import run_seed, score_run
from ...records.runspec import DEFAULT_JUDGE_MODE
from ...records.schemas import JudgmentRecord, ResolvedTask, Scores
from ...suite import Suite, load_suite
from ..judging import judge_groups
from ..providers.base import Provider
from ..providers.replay import ReplayProvider
from ..runner import RunConfig, Runner
from .policies import Policy, load_policies, policy_record

RELEASE_MAX_OVERALL = 10.0  # docs/RUBRIC_GUIDE.md, "Auditing a suite"
NO_JUDGE_SCOPE = "programmatic items only: no judge given; LLM-judged items are not scored"


def judged_scope(judge: str) -> str:
    return f"every item scored: LLM-judged items by {judge}"


@dataclass(frozen=True)
class AuditPlan:
    suite: Suite
    tasks: list[ResolvedTask]
    policies: tuple[Policy, ...]
    judge: str | None

    @property
    def judge_calls(self) -> int:
        """Judge calls a fresh audit makes: one per (policy, task, judge group of its items in
        the default judge mode)."""
        if self.judge is None:
            return 0
        per_policy = sum(len(judge_groups(t.items, DEFAULT_JUDGE_MODE)) for t in self.tasks)
        return per_policy * len(self.policies)


def plan_audit(
    *, suite_dir: str | Path | None = None, tasks: str | None = None, judge: str | None = None
) -> AuditPlan:
    """Load the suite and select tasks (bad input raises here, before any run dir exists)."""
    suite = load_suite(suite_dir)
    return AuditPlan(suite, suite.select(tasks), load_policies(), judge)


@dataclass(frozen=True)
class PointShare:
    """Positive points of met items out of the positive points of items with a verdict."""

    met: int = 0
    possible: int = 0

    @property
    def share(self) -> float | None:
        return round(100.0 * self.met / self.possible, 4) if self.possible else None

    def __add__(self, other: PointShare) -> PointShare:
        return PointShare(self.met + other.met, self.possible + other.possible)

    def as_dict(self) -> dict[str, Any]:
        return {"met": self.met, "possible": self.possible, "share": self.share}


@dataclass(frozen=True)
class ItemCounts:
    judged: int = 0  # items with a verdict
    met_positive: int = 0
    met_negative: int = 0  # failure items whose failure occurred

    @property
    def met(self) -> int:
        return self.met_positive + self.met_negative

    def as_dict(self) -> dict[str, int]:
        return {
            "judged": self.judged,
            "met": self.met,
            "met_positive": self.met_positive,
            "met_negative": self.met_negative,
        }


@dataclass(frozen=True)
class PolicyResult:
    policy: Policy
    model: str  # the replay spec the run records
    scores: Scores  # what the runner wrote to scores.json
    programmatic: dict[str, PointShare]  # "all" and each category
    items: ItemCounts
    # Without a judge: the scores if no LLM-judged item were met (for an empty reply, the most a
    # correct judge can give); None with a judge.
    no_llm_item_met: Scores | None
    run_dir: Path | None

    def as_dict(self) -> dict[str, Any]:
        def block(s: Scores) -> dict[str, Any]:
            return {
                "overall": s.overall.model_dump(mode="json"),
                "categories": {c: v.model_dump(mode="json") for c, v in s.categories.items()},
            }

        return {
            "description": self.policy.description,
            "model": self.model,
            **block(self.scores),
            "status": self.scores.status,
            "coverage": self.scores.coverage.model_dump(mode="json"),
            "programmatic_points": {k: v.as_dict() for k, v in self.programmatic.items()},
            "items": self.items.as_dict(),
            "if_no_llm_item_met": None
            if self.no_llm_item_met is None
            else block(self.no_llm_item_met),
            "run_dir": None if self.run_dir is None else str(self.run_dir),
        }


@dataclass(frozen=True)
class ReleaseRule:
    """docs/RUBRIC_GUIDE.md: every policy at most 10 overall with a Sonnet-class judge, and the
    embedded instruction scoring no higher than the same answer without it. Only a judged audit
    can decide it (the class of the judge is the user's to vouch for)."""

    evaluated: bool
    all_at_most: bool | None = None
    over: list[str] = field(default_factory=list)  # policies above the threshold
    embedded: float | None = None
    plain: float | None = None

    @property
    def embedded_not_higher(self) -> bool | None:
        if self.embedded is None or self.plain is None:
            return None
        return self.embedded <= self.plain

    @property
    def passed(self) -> bool | None:
        if not self.evaluated or self.all_at_most is None or self.embedded_not_higher is None:
            return None
        return self.all_at_most and self.embedded_not_higher

    def as_dict(self) -> dict[str, Any]:
        return {
            "evaluated": self.evaluated,
            "max_overall": RELEASE_MAX_OVERALL,
            "every_policy_at_most_max": self.all_at_most,
            "policies_over_max": self.over,
            "embedded_instruction_overall": self.embedded,
            "decent_plain_overall": self.plain,
            "embedded_not_higher_than_plain": self.embedded_not_higher,
            "passed": self.passed,
        }


@dataclass(frozen=True)
class SuiteAudit:
    plan: AuditPlan
    results: list[PolicyResult]

    @property
    def scope(self) -> str:
        return NO_JUDGE_SCOPE if self.plan.judge is None else judged_scope(self.plan.judge)

    @property
    def categories(self) -> list[str]:
        return sorted({t.category for t in self.plan.tasks})

    def release_rule(self) -> ReleaseRule:
        if self.plan.judge is None:
            return ReleaseRule(evaluated=False)
        overall = {r.policy.name: r.scores.overall.score for r in self.results}
        known = {k: v for k, v in overall.items() if v is not None}
        over = [k for k, v in known.items() if v > RELEASE_MAX_OVERALL]
        return ReleaseRule(
            evaluated=True,
            all_at_most=None if len(known) < len(overall) else not over,
            over=over,
            embedded=overall.get("embedded_instruction"),
            plain=overall.get("decent_plain"),
        )

    def as_dict(self) -> dict[str, Any]:
        suite = self.plan.suite
        return {
            "suite": {
                "name": suite.info.name,
                "version": suite.version,
                "hash": suite.suite_hash,
                "root": str(suite.root),
            },
            "judge": self.plan.judge,
            "scope": self.scope,
            "tasks": len(self.plan.tasks),
            "task_ids": [t.id for t in self.plan.tasks],
            "samples_per_task": 1,
            "policies": {r.policy.name: r.as_dict() for r in self.results},
            "release_rule": self.release_rule().as_dict(),
        }


def summarise(
    policy: Policy,
    tasks: list[ResolvedTask],
    scores: Scores,
    judgments: list[JudgmentRecord],
    *,
    judged: bool,
    seed: int,
    run_dir: Path | None,
) -> PolicyResult:
    """Point shares and item counts from a run's judgments; without a judge, also the scores
    with every LLM-judged item counted as not met (through `benchmark.measure.scoring`)."""
    index = {(t.id, it.id): (t, it) for t in tasks for it in t.items}
    shares: dict[str, PointShare] = defaultdict(PointShare)
    judged_items = met_positive = met_negative = 0
    floor: list[JudgmentRecord] = []
    for j in judgments:
        task, item = index[(j.task_id, j.item_id)]
        llm_not_judged = not judged and item.check is None
        floor.append(j.model_copy(update={"verdict": False}) if llm_not_judged else j)
        if j.verdict is None:
            continue
        judged_items += 1
        if j.verdict:
            met_positive += item.points > 0
            met_negative += item.points < 0
        if item.check is not None and item.points > 0:
            share = PointShare(item.points if j.verdict else 0, item.points)
            shares[task.category] += share
            shares["all"] += share
    counts = ItemCounts(judged_items, met_positive, met_negative)
    programmatic = {k: shares[k] for k in ["all", *sorted({t.category for t in tasks})]}
    no_llm = None if judged else score_run(scores.model, tasks, 1, floor, seed=seed)
    return PolicyResult(policy, scores.model, scores, programmatic, counts, no_llm, run_dir)


def run_audit(
    plan: AuditPlan,
    out: Path,
    *,
    judge_provider: Provider | None = None,
    judge_base_url: str | None = None,
    concurrency: int = 16,
    progress: bool = False,
    keep: bool = True,
) -> SuiteAudit:
    """Write each policy's replay file under `out/replay/` and score it as the run `out/<policy>`.

    Every run dir is opened (and a foreign or mismatched one refused) before any run starts, so
    bad input never stops an audit after it has paid for judge calls. `keep=False` leaves
    `run_dir` out of the results (the caller removes a temporary `out`)."""
    replay_dir = out / "replay"
    replay_dir.mkdir(parents=True, exist_ok=True)
    runners: list[tuple[Policy, Runner]] = []
    for policy in plan.policies:
        spec = f"replay/audit-{policy.name}"
        path = replay_dir / f"{policy.name}.jsonl"
        lines = [policy_record(policy, t, spec).model_dump_json() + "\n" for t in plan.tasks]
        path.write_text("".join(lines), encoding="utf-8")
        config = RunConfig(
            model=spec,
            judge=plan.judge,
            judge_base_url=judge_base_url,
            tasks=",".join(t.id for t in plan.tasks),
            suite_dir=plan.suite.root,
            concurrency=concurrency,
            progress=progress,
        )
        provider = ReplayProvider(path, spec=spec)
        runner = Runner(
            config,
            out / policy.name,
            model_provider=provider,
            judge_provider=judge_provider,
            suite=plan.suite,
        )
        if plan.judge is None and runner.manifest.judge is not None:
            # Its LLM items already carry verdicts: reporting it as unjudged would mislead.
            raise RunDirError(
                f"{runner.run.path}: an audit judged by {runner.manifest.judge}; "
                f"give --judge {runner.manifest.judge} or choose a new --out"
            )
        runners.append((policy, runner))
    results = []
    for n, (policy, runner) in enumerate(runners, 1):
        if progress:  # the runner's bars do not name the run they belong to
            print(f"policy {n}/{len(runners)}: {policy.name}", file=sys.stderr)
        scores = runner.execute()
        results.append(
            summarise(
                policy,
                runner.tasks,
                scores,
                runner.run.judgments(),
                judged=plan.judge is not None,
                seed=run_seed(runner.manifest.seed),
                run_dir=runner.run.path if keep else None,
            )
        )
    return SuiteAudit(plan, results)
