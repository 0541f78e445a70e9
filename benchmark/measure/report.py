"""The run report: scores with CIs, per-task scores (worst first), coverage, truncations,
diversity and slop with a mode-collapse warning, judge-sample agreement, and token / dollar cost
from recorded usage. Several runs share one set of tables (columns A, B, ... with a legend).

Everything is read and computed before anything is printed, so a bad file or price table is one
error line, never tables followed by a traceback."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from ..errors import RunDirError
from ..records.rundir import RunDir
from ..records.schemas import (
    JudgmentRecord,
    Manifest,
    ResponseRecord,
    ScoreCI,
    Scores,
    StopCounts,
    Usage,
)
from .cost import CostLine, PriceTable, load_prices, price_usage
from .tables import FEW_NOTE, add_row, few, fmt_score, labels, legend, table

# Per-task rows shown by default (worst first); --all-tasks shows every task.
TASKS_SHOWN = 20

# The diversity measures the report shows: (scores.json diversity key, column, what it is).
DIVERSITY_COLUMNS = (
    ("distinct_2", "dist-2", "distinct bigrams"),
    ("self_bleu", "sBLEU", "self-BLEU between a task's samples"),
    ("mean_pairwise_similarity", "sim in", "TF-IDF similarity between a task's samples"),
    ("cross_prompt_similarity", "sim out", "TF-IDF similarity across tasks"),
    ("compression_ratio", "gzip", "compression ratio of all texts"),
    ("slop_per_1k", "slop/1k", "slop phrases per 1,000 words"),
)


def cost_lines(
    manifest: Manifest,
    responses: list[ResponseRecord],
    judgments: list[JudgmentRecord],
    prices: PriceTable,
    *,
    batch: bool = False,
) -> list[CostLine]:
    model_usage = sum((r.usage for r in responses), Usage())
    lines = [
        CostLine(
            "model", manifest.model, model_usage, price_usage(manifest.model, model_usage, prices)
        )
    ]
    judge_usage = sum((j.usage for j in judgments if j.usage is not None), Usage())
    if manifest.judge:
        lines.append(
            CostLine(
                "judge",
                manifest.judge,
                judge_usage,
                price_usage(manifest.judge, judge_usage, prices, batch=batch),
                batch=batch,
            )
        )
    return lines


def _cost_doc(
    run: RunDir,
    manifest: Manifest,
    responses: list[ResponseRecord],
    judgments: list[JudgmentRecord],
    prices: PriceTable,
) -> dict[str, Any]:
    batch = run.batches_path.is_file()
    lines = cost_lines(manifest, responses, judgments, prices, batch=batch)
    known = [ln.dollars for ln in lines if ln.dollars is not None]
    return {
        "lines": [ln.as_dict() for ln in lines],
        "total_dollars": round(sum(known), 6) if len(known) == len(lines) else None,
        "note": "dollars from list prices (benchmark/data/prices.yaml or --prices); "
        "null where a spec has no price",
    }


def cost_report(run: RunDir, prices_path: str | None = None) -> dict[str, Any]:
    manifest = run.require()
    prices = load_prices(prices_path)
    return _cost_doc(run, manifest, run.responses(), run.judgments(), prices)


def judge_agreement(judgments: list[JudgmentRecord]) -> dict[str, Any] | None:
    """With --judge-samples K > 1: the mean share of an item's votes agreeing with its majority,
    and the share of items whose votes were unanimous. None with one verdict per item."""
    shares = [j.vote_agreement for j in judgments if j.votes and j.vote_agreement is not None]
    if not shares:
        return None
    return {
        "items": len(shares),
        "mean_vote_agreement": round(sum(shares) / len(shares), 4),
        "unanimous_share": round(sum(1 for s in shares if s == 1.0) / len(shares), 4),
    }


def collapse_warnings(diversity: dict[str, Any] | None, samples: int) -> list[str]:
    """The project's mode-collapse rules (benchmark/data/mode_collapse.yaml, reasons in
    docs/LEADERBOARD.md) the run crosses, one line each."""
    if not diversity:
        return []
    from benchmark.measure.collapse import collapse_findings  # the board's rules, read as data

    row = {f"div_{k}": v for k, v in diversity.items()} | {"samples": samples}
    return [f"{f} — {f.rule.means}" for f in collapse_findings(row)]


@dataclass
class RunReport:
    """Everything `report` shows for one run, computed before anything is printed."""

    path: Path
    manifest: Manifest
    scores: Scores
    cost: dict[str, Any]
    agreement: dict[str, Any] | None
    collapse: list[str] = field(default_factory=list)

    @property
    def diversity(self) -> dict[str, Any] | None:
        extra = self.scores.model_extra or {}
        block = extra.get("diversity")
        return block if isinstance(block, dict) else None

    def worst_first(self) -> list[tuple[str, ScoreCI]]:
        scored = [(t, ci) for t, ci in self.scores.tasks.items() if ci.score is not None]
        return sorted(scored, key=lambda kv: (kv[1].score, kv[0]))

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_dir": str(self.path),
            "scores": self.scores.model_dump(mode="json"),
            "tasks_worst_first": [
                {"task_id": t, "score": ci.score} for t, ci in self.worst_first()
            ],
            "collapse_warnings": self.collapse,
            "judge_agreement": self.agreement,
            "cost": self.cost,
        }


def load_report(path: str | Path, prices: PriceTable) -> RunReport:
    run = RunDir(path)
    manifest = run.require()
    if manifest.status == "stopped" and not run.scores_path.is_file():
        raise RunDirError(
            f"{run.path}: stopped early and not scored (the same command resumes it; "
            f"`musebench score {run.path}` scores what it holds)"
        )
    scores = run.read_scores()
    responses, judgments = run.responses(), run.judgments()
    rep = RunReport(
        path=run.path,
        manifest=manifest,
        scores=scores,
        cost=_cost_doc(run, manifest, responses, judgments, prices),
        agreement=judge_agreement(judgments),
    )
    rep.collapse = collapse_warnings(rep.diversity, manifest.samples)
    return rep


def load_reports(paths: list[str], prices_path: str | None = None) -> list[RunReport]:
    prices = load_prices(prices_path)
    return [load_report(p, prices) for p in paths]


def report_json(reports: list[RunReport]) -> dict[str, Any]:
    """One run: its document; several: {"runs": [...]} in the order given."""
    if len(reports) == 1:
        return reports[0].as_dict()
    return {"runs": [r.as_dict() for r in reports]}


def stops_line(stops: StopCounts) -> str:
    """How many scored responses were cut off at max_tokens (they are scored as is)."""
    line = f"truncated: {stops.max_tokens} of {stops.total} responses stopped at max_tokens"
    if stops.max_tokens:
        line += " (scored as is; a larger --max-tokens avoids it)"
    if stops.other:
        line += f"; {stops.other} stopped for another reason (refusal, content filter)"
    if stops.unknown:
        line += f"; {stops.unknown} without a recorded stop reason"
    return line


def _coverage_line(scores: Scores) -> str:
    cov = scores.coverage
    return (
        f"coverage: {cov.judged}/{cov.expected} items judged ({100 * cov.fraction:.1f}%), "
        f"{cov.failed} without a verdict"
        + (f", {cov.not_applicable} checks not applicable" if cov.not_applicable else "")
        + f"; status {scores.status}"
        + ("  (under 99% coverage: partial)" if scores.status == "partial" else "")
    )


def _scope_rows(reports: list[RunReport]) -> list[tuple[str, list[ScoreCI | None]]]:
    rows: list[tuple[str, list[ScoreCI | None]]] = [
        ("overall", [r.scores.overall for r in reports])
    ]
    for kind, attr in (("category", "categories"), ("dimension", "dimensions")):
        names = sorted({n for r in reports for n in getattr(r.scores, attr)})
        rows += [(f"{kind}: {n}", [getattr(r.scores, attr).get(n) for r in reports]) for n in names]
    return rows


def _print_scores(reports: list[RunReport], tags: list[str], console: Console) -> None:
    if len(reports) == 1:
        t = table("scores 0-100 [95% CI]", ["scope", "score [95% CI]", "n tasks"])
        for scope, (ci,) in _scope_rows(reports):
            add_row(t, scope, fmt_score(ci), str(ci.n or 0) if ci else "0")
    else:
        t = table("scores 0-100 (CIs: --json, or report one run)", ["scope", *tags])
        for scope, cis in _scope_rows(reports):
            add_row(t, scope, *(fmt_score(ci, with_ci=False) for ci in cis))
    console.print(t)


def _print_tasks(
    reports: list[RunReport], tags: list[str], console: Console, shown: int | None
) -> None:
    order = [t for t, _ in reports[0].worst_first()]
    unscored = sorted({t for r in reports for t in r.scores.tasks} - set(order))
    if not order:
        console.print("per-task scores: no task has a score yet", markup=False)
        return
    title = "per-task scores, worst first" + (f" (by {tags[0]})" if len(reports) > 1 else "")
    t = table(title, ["task", *tags])
    rest = len(order) - shown if shown is not None and len(order) > shown else 0
    for task_id in order[: len(order) - rest]:
        cells = (fmt_score(r.scores.tasks.get(task_id), with_ci=False) for r in reports)
        add_row(t, task_id, *cells)
    console.print(t)
    if rest:
        console.print(f"... {rest} better-scoring task(s) not shown (--all-tasks)", style="dim")
    if unscored:
        console.print(
            f"{len(unscored)} task(s) without a score (no verdict on a positive item): "
            + ", ".join(unscored),
            markup=False,
            style="dim",
        )


def _fmt_num(v: Any) -> str:
    return "—" if v is None else f"{v:.2f}" if abs(v) < 10 else f"{v:.1f}"


def _print_diversity(reports: list[RunReport], tags: list[str], console: Console) -> None:
    t = table("diversity and slop", ["run", *(c for _, c, _ in DIVERSITY_COLUMNS)])
    for tag, r in zip(tags, reports, strict=True):
        d = r.diversity or {}
        add_row(t, tag, *(_fmt_num(d.get(k)) for k, _, _ in DIVERSITY_COLUMNS))
    console.print(t)
    console.print(
        "; ".join(f"{c}: {what}" for _, c, what in DIVERSITY_COLUMNS)
        + " (— : not measured, e.g. within-task measures need --samples 2 or more)",
        markup=False,
        style="dim",
    )
    for tag, r in zip(tags, reports, strict=True):
        for w in r.collapse:
            console.print(
                f"{_who(tag, reports)}mode collapse: {w}", style="bold yellow", markup=False
            )


def _print_costs(reports: list[RunReport], tags: list[str], console: Console) -> None:
    t = table("tokens and cost", ["run", "input", "cache w", "cache r", "output", "USD"])
    for tag, r in zip(tags, reports, strict=True):
        for ln in r.cost["lines"]:
            usd = "no price" if ln["dollars"] is None else f"${ln['dollars']:.4f}"
            role = ln["role"] + (" (batch)" if ln["batch"] else "")
            add_row(
                t,
                f"{_who(tag, reports, sep=' ')}{role}",
                f"{ln['input_tokens']:,}",
                f"{ln['cache_write_tokens']:,}",
                f"{ln['cache_read_tokens']:,}",
                f"{ln['output_tokens']:,}",
                usd,
            )
        total = r.cost["total_dollars"]
        usd = "unknown" if total is None else f"${total:.4f}"
        add_row(t, f"{_who(tag, reports, sep=' ')}total", "", "", "", "", usd)
    console.print(t)
    unpriced = sorted(
        {ln["spec"] for r in reports for ln in r.cost["lines"] if ln["dollars"] is None}
    )
    if unpriced:
        console.print(
            f"no price for {', '.join(unpriced)}: give one with --prices FILE (docs/FORMATS.md)",
            style="dim",
            markup=False,
        )


def _print_notes(reports: list[RunReport], tags: list[str], console: Console) -> None:
    for tag, r in zip(tags, reports, strict=True):
        lines = [_coverage_line(r.scores)]
        if r.scores.stop_reasons is not None:
            lines.append(stops_line(r.scores.stop_reasons))
        if r.agreement is not None:
            a = r.agreement
            lines.append(
                f"judge samples: {a['mean_vote_agreement']:.2f} mean vote agreement, "
                f"{100 * a['unanimous_share']:.0f}% of {a['items']} items unanimous"
            )
        elif r.manifest.judge:
            lines.append("judge samples: one verdict per item (--judge-samples K to measure)")
        gap = r.scores.vanilla_gap
        if gap is not None:
            lines.append(f"vanilla gap over {gap.n} paired task(s): {fmt_score(gap)} points")
        for ln in lines:
            console.print(_who(tag, reports) + ln, markup=False)


def _who(tag: str, reports: list[RunReport], sep: str = ": ") -> str:
    """A line's run label when several runs are reported; nothing for one."""
    return tag + sep if len(reports) > 1 else ""


def _any_few(reports: list[RunReport]) -> bool:
    return any(
        ci is not None and ci.ci_low is not None and (ci.n or 0) > 1 and few(ci.n)
        for _, cis in _scope_rows(reports)
        for ci in cis
    )


def print_reports(
    reports: list[RunReport], console: Console, *, tasks_shown: int | None = TASKS_SHOWN
) -> None:
    tags = labels(len(reports)) if len(reports) > 1 else ["score"]
    for tag, r in zip(tags, reports, strict=True):
        head = legend(tag, r.manifest.model, r.path, r.manifest.judge)
        console.print(
            (head if len(reports) > 1 else head.removeprefix(f"{tag} = "))
            + f"; run {r.manifest.run_id}, suite v{r.manifest.suite_version}",
            markup=False,
        )
    _print_scores(reports, tags, console)
    _print_notes(reports, tags, console)
    _print_tasks(reports, tags, console, tasks_shown)
    _print_diversity(reports, tags if len(reports) > 1 else ["this run"], console)
    _print_costs(reports, tags, console)
    if _any_few(reports) and len(reports) == 1:
        console.print(FEW_NOTE, style="dim", markup=False)


def render(run: RunDir, console: Console, *, prices_path: str | None = None) -> None:
    """The report of one run (printed after `run` and `judge`)."""
    print_reports(load_reports([str(run.path)], prices_path), console)
