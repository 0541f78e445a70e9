"""The run report: scores with CIs, coverage, and token / dollar cost from recorded usage."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from .cost import CostLine, PriceTable, load_prices, price_usage
from .rundir import RunDir
from .schemas import JudgmentRecord, Manifest, ResponseRecord, ScoreCI, Scores, StopCounts, Usage


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


def cost_report(run: RunDir, prices_path: str | None = None) -> dict[str, Any]:
    manifest = run.require()
    prices = load_prices(prices_path)
    batch = run.batches_path.is_file()
    lines = cost_lines(manifest, run.responses(), run.judgments(), prices, batch=batch)
    known = [ln.dollars for ln in lines if ln.dollars is not None]
    return {
        "lines": [ln.as_dict() for ln in lines],
        "total_dollars": round(sum(known), 6) if len(known) == len(lines) else None,
        "note": "dollars from list prices (benchmark/data/prices.yaml or --prices); "
        "null where a spec has no price",
    }


def _fmt(ci: ScoreCI) -> str:
    if ci.score is None:
        return "—"
    if ci.ci_low is None or ci.ci_high is None:
        return f"{ci.score:.1f}"
    return f"{ci.score:.1f}  [{ci.ci_low:.1f}, {ci.ci_high:.1f}]"


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


def render(run: RunDir, console: Console, *, prices_path: str | None = None) -> None:
    manifest = run.require()
    scores: Scores = run.read_scores()
    title = f"{manifest.model}  (run {manifest.run_id}, suite v{manifest.suite_version})"
    table = Table(title=title, title_justify="left")
    table.add_column("scope")
    table.add_column("score 0-100  [95% CI]", justify="right")
    table.add_column("n tasks", justify="right")
    table.add_row("[bold]overall", _fmt(scores.overall), str(scores.overall.n or 0))
    for name, ci in scores.categories.items():
        table.add_row(f"category: {name}", _fmt(ci), str(ci.n or 0))
    for name, ci in scores.dimensions.items():
        table.add_row(f"dimension: {name}", _fmt(ci), str(ci.n or 0))
    console.print(table)
    if scores.stop_reasons is not None:
        style = "bold yellow" if scores.stop_reasons.max_tokens else ""
        console.print(stops_line(scores.stop_reasons), style=style, markup=False)
    cov = scores.coverage
    console.print(
        f"coverage: {cov.judged}/{cov.expected} items judged ({100 * cov.fraction:.1f}%), "
        f"{cov.failed} without a verdict"
        + (f", {cov.not_applicable} checks not applicable" if cov.not_applicable else "")
        + f"; status [bold]{scores.status}[/bold]"
        + ("  (under 99% coverage: partial)" if scores.status == "partial" else "")
    )
    gap = scores.vanilla_gap
    if gap is not None:
        console.print(
            f"vanilla gap (creative minus plain, over {gap.n} paired task(s)): {_fmt(gap)} points"
        )
    cost = cost_report(run, prices_path)
    ct = Table(title="tokens and cost", title_justify="left")
    for col in ("role", "spec", "input", "cache write", "cache read", "output", "USD"):
        ct.add_column(col, justify="right" if col not in ("role", "spec") else "left")
    for ln in cost["lines"]:
        usd = "no price" if ln["dollars"] is None else f"${ln['dollars']:.4f}"
        ct.add_row(
            ln["role"] + (" (batch)" if ln["batch"] else ""),
            ln["spec"],
            f"{ln['input_tokens']:,}",
            f"{ln['cache_write_tokens']:,}",
            f"{ln['cache_read_tokens']:,}",
            f"{ln['output_tokens']:,}",
            usd,
        )
    console.print(ct)
