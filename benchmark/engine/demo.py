"""`musebench demo`: the whole pipeline offline on bundled, illustrative responses.

The responses were written by the musebench team for the demo (benchmark/data/demo/README.md);
they are not outputs of any real model. Programmatic items are scored for real; LLM-judged items
are recorded as "not judged: no judge configured" unless a judge is given — never invented."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from ..records.jsonl import read_jsonl
from ..records.schemas import ResponseRecord, ScoreCI, Scores
from ..suite import load_suite
from .providers.replay import ReplayProvider
from .runner import RunConfig, Runner

CATEGORY_LABELS = {
    "creative_writing": "creative",
    "visual_design": "design",
    "emotional_intelligence": "EI",
}
DEMO_NOTE = (
    "Illustrative data: these responses were written by the musebench team for the "
    "offline demo. They are not outputs of any real model and the figures below "
    "describe nothing real."
)


@dataclass(frozen=True)
class DemoModel:
    name: str
    path: Path
    task_ids: list[str]
    records: list[ResponseRecord]


def demo_models(suite_dir: str | Path | None = None) -> list[DemoModel]:
    """The bundled illustrative models, restricted to tasks the suite has."""
    root = Path(str(resources.files("benchmark").joinpath("data/demo")))
    known = {t.id for t in load_suite(suite_dir).tasks}
    models = []
    for path in sorted(root.glob("*.jsonl")):
        records = list(read_jsonl(path, ResponseRecord, cut_partial_tail=False))
        ids = sorted({r.task_id for r in records} & known)
        if ids:
            chosen = [r for r in records if r.task_id in ids]
            models.append(DemoModel(path.stem, path, ids, chosen))
    return models


def demo_diversity(models: list[DemoModel]) -> dict[str, dict[str, Any]]:
    """Diversity over every bundled response of each model: the scored runs use one sample per
    task, but a few tasks carry three samples so that within-prompt metrics have data."""
    from ..analysis.diversity import diversity_report

    out: dict[str, dict[str, Any]] = {}
    for m in models:
        out[m.name] = diversity_report([(r.task_id, m.name, r.text) for r in m.records])[m.name]
    return out


SUGGESTED_JUDGE = "anthropic/claude-sonnet-4-5"


def judge_cost_line(out: Path, models: list[Any], suite_dir: str | Path | None, judge: str) -> str:
    """What judging the demo's runs with `judge` would cost, from the estimate a
    `--dry-run` prints (run_estimate), before the demo suggests it."""
    from ..measure.cost import load_prices
    from ..records.rundir import RunDir
    from .run_estimate import ASSUMPTIONS, estimate_command

    prices = load_prices()
    calls, dollars = 0, 0.0
    for m in models:
        config = RunConfig(model=f"replay/{m.name}", judge=judge, suite_dir=suite_dir)
        kind = estimate_command(config, RunDir(out / m.name), prices).kinds[1]
        assert kind is not None  # a judge was given
        calls += kind.calls
        dollars += kind.dollars or 0.0
    return (
        f"\nJudging these runs with {judge}: {calls:,} judge calls, about ${dollars:,.2f} at "
        f"list prices with no prompt-cache reads (${dollars * prices.batch_discount:,.2f} "
        f"through the batch API). Assumed: {ASSUMPTIONS}."
    )


def next_commands(out: Path, first: Path) -> list[str]:
    """The commands the demo suggests, one flag group a line (each under 80 columns unless a
    path is longer), with shell line continuations and paths quoted for the shell."""
    return [
        "",
        "Next commands to try:",
        f"  musebench report {shlex.quote(str(first))}",
        "  # judge the LLM items (needs ANTHROPIC_API_KEY):",
        f"  musebench demo --out {shlex.quote(str(out))} \\",
        f"      --judge {SUGGESTED_JUDGE}",
        "  musebench validate --stats",
        "  musebench run --model anthropic/claude-haiku-4-5 \\",
        "      --judge anthropic/claude-sonnet-4-5 \\",
        "      --out runs/haiku --tasks 'emotional_intelligence/*'",
    ]


def run_demo(
    out: str | Path,
    *,
    judge: str | None = None,
    judge_base_url: str | None = None,
    suite_dir: str | Path | None = None,
    concurrency: int = 16,
    console: Console | None = None,
    progress: bool = False,
) -> dict[str, Scores]:
    console = console or Console()
    out = Path(out)
    results: dict[str, Scores] = {}
    models = demo_models(suite_dir)
    for m in models:
        spec = f"replay/{m.name}"
        config = RunConfig(
            model=spec,
            judge=judge,
            judge_base_url=judge_base_url,
            samples=1,
            tasks=",".join(m.task_ids),
            suite_dir=suite_dir,
            concurrency=concurrency,
            progress=progress,
        )
        runner = Runner(config, out / m.name, model_provider=ReplayProvider(m.path, spec=spec))
        results[m.name] = runner.execute()
    console.print(f"[yellow]{DEMO_NOTE}[/yellow]\n")
    console.print(comparison_table(results))
    console.print(dimension_table(results))
    diversity = demo_diversity(models)
    console.print(
        diversity_table(
            diversity, order=sorted(results, key=lambda n: -(results[n].overall.score or 0))
        )
    )
    if judge is None:
        console.print(
            "\n[bold]LLM-judged items were not judged[/bold] (no judge configured): "
            "the scores above cover the programmatic items only, and the runs are "
            "marked partial."
        )
    best = max(results, key=lambda n: results[n].overall.score or 0) if results else ""
    first = out / best
    if judge is None:
        console.print(judge_cost_line(out, models, suite_dir, SUGGESTED_JUDGE), highlight=False)
    # Printed as is (no markup, no wrapping by rich): a command broken across lines keeps its
    # `\` continuations, so each one pastes whole into a shell.
    console.print(
        "\n".join(next_commands(out, first)), markup=False, highlight=False, soft_wrap=True
    )
    (out / "demo.json").write_text(
        json.dumps(
            {
                "note": DEMO_NOTE,
                "models": {k: v.model_dump(mode="json") for k, v in results.items()},
                "diversity_all_samples": diversity,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return results


def _cell(ci: ScoreCI | None) -> str:
    return "—" if ci is None or ci.score is None else f"{ci.score:.1f}"


def comparison_table(results: dict[str, Scores]) -> Table:
    table = Table(
        title="illustrative models (0-100; judged = items with a verdict)", title_justify="left"
    )
    table.add_column("model", no_wrap=True)
    table.add_column("score", justify="right")
    table.add_column("95% CI", justify="right", no_wrap=True)
    cats = sorted({c for s in results.values() for c in s.categories})
    for c in cats:
        table.add_column(CATEGORY_LABELS.get(c, c), justify="right")
    table.add_column("judged", justify="right")
    for name, s in sorted(results.items(), key=lambda kv: -(kv[1].overall.score or 0)):
        o = s.overall
        ci = "—" if o.ci_low is None or o.ci_high is None else f"{o.ci_low:.1f}-{o.ci_high:.1f}"
        cells = [_cell(o), ci, *(_cell(s.categories.get(c)) for c in cats)]
        cells.append(f"{s.coverage.judged}/{s.coverage.expected}")
        table.add_row(name.removeprefix("illustrative-"), *cells)
    return table


def dimension_table(results: dict[str, Scores]) -> Table:
    names = sorted(results, key=lambda n: -(results[n].overall.score or 0))
    table = Table(title="by rubric dimension (— = no item of it scored)", title_justify="left")
    table.add_column("dimension", no_wrap=True)
    for n in names:
        table.add_column(n.removeprefix("illustrative-"), justify="right")
    for d in sorted({d for s in results.values() for d in s.dimensions}):
        table.add_row(d, *(_cell(results[n].dimensions.get(d)) for n in names))
    return table


DIVERSITY_COLUMNS = (
    ("distinct_2", "dist-2", "{:.2f}"),
    ("self_bleu", "sBLEU", "{:.2f}"),
    ("mean_pairwise_similarity", "sim in", "{:.2f}"),
    ("cross_prompt_similarity", "sim out", "{:.2f}"),
    ("vendi", "Vendi", "{:.2f}"),
    ("slop_per_1k", "slop/1k", "{:.1f}"),
    ("name_recurrence", "names", "{:.2f}"),
)


def diversity_table(diversity: dict[str, dict[str, Any]], *, order: list[str]) -> Table:
    """Diversity and mode collapse per model (docs/DIVERSITY.md defines each column)."""
    table = Table(
        title="diversity over all bundled samples: distinct bigrams; self-BLEU and TF-IDF "
        "similarity between a prompt's samples (in) and across prompts (out); Vendi; slop per "
        "1,000 words; share of names recurring across prompts",
        title_justify="left",
    )
    table.add_column("model", no_wrap=True)
    for _, label, _ in DIVERSITY_COLUMNS:
        table.add_column(label, justify="right")
    for name in order:
        block = diversity.get(name, {})
        cells = []
        for key, _, fmt in DIVERSITY_COLUMNS:
            value = block.get(key)
            cells.append("—" if value is None else fmt.format(value))
        table.add_row(name.removeprefix("illustrative-"), *cells)
    return table
