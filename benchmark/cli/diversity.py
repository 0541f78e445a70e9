"""`musebench diversity INPUT [--json]`: diversity and mode-collapse metrics per model."""

from __future__ import annotations

import argparse
import json
from typing import Any

# The metrics pull in pandas, scipy and scikit-learn: imported in `run`, not at parser build
# time, so other commands do not pay for them. Keep in step with report.CROSS_PROMPT_CAP.
CROSS_PROMPT_CAP = 2000

# (label, key in the model report, section or None for top level)
TABLE_ROWS: list[tuple[str, str, str | None]] = [
    ("texts", "n_texts", None),
    ("prompts", "n_prompts", None),
    ("mean words", "mean_words", None),
    ("distinct-1", "distinct_1", None),
    ("distinct-2", "distinct_2", None),
    ("distinct-3", "distinct_3", None),
    ("compression", "compression_ratio", None),
    ("slop / 1k words", "slop_per_1k", None),
    ("opening recur.", "opening_recurrence", None),
    ("name recur.", "name_recurrence", None),
    ("in: self-BLEU", "self_bleu", "within_prompt"),
    ("in: similarity", "mean_pairwise_similarity", "within_prompt"),
    ("in: Vendi", "vendi", "within_prompt"),
    ("in: distinct_k", "distinct_k", "within_prompt"),
    ("x: similarity", "mean_pairwise_similarity", "cross_prompt"),
    ("x: self-BLEU", "self_bleu", "cross_prompt"),
    ("x: Vendi", "vendi", "cross_prompt"),
    ("x: distinct_k", "distinct_k", "cross_prompt"),
    ("x: set size", "n_texts", "cross_prompt"),
]


def register(sub: Any) -> None:
    p = sub.add_parser(
        "diversity",
        help="diversity / mode-collapse metrics per model",
        description="Diversity and mode-collapse metrics per model (definitions: docs/DIVERSITY.md).",
    )
    p.add_argument(
        "input",
        help="a run directory, a responses.jsonl, or a CSV/Parquet/JSONL with prompt_id, model, text",
    )
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.add_argument(
        "--embeddings",
        default="tfidf",
        help="similarity vectors: tfidf (default) or sentence-transformers[:MODEL] (optional extra)",
    )
    p.add_argument(
        "--threshold",
        type=float,
        default=None,
        help="cosine above which two texts are equivalent for distinct_k (default per backend)",
    )
    p.add_argument("--slop-list", default=None, help="a slop list YAML instead of the shipped one")
    p.add_argument(
        "--cross-prompt-cap",
        type=int,
        default=CROSS_PROMPT_CAP,
        help=f"most texts in the cross-prompt set (seeded sample above it; default {CROSS_PROMPT_CAP})",
    )
    p.add_argument(
        "--prompt-column",
        default=None,
        help="column holding the prompt id (default prompt_id, or task_id)",
    )
    p.add_argument(
        "--model-column", default="model", help="column holding the model (default model)"
    )
    p.add_argument("--text-column", default="text", help="column holding the text (default text)")
    p.set_defaults(func=run)


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def run(args: argparse.Namespace) -> int:
    from ..analysis.diversity import Columns, diversity_report, load_records

    loaded = load_records(
        args.input,
        Columns(prompt=args.prompt_column, model=args.model_column, text=args.text_column),
    )
    report = diversity_report(
        loaded.records,
        embeddings=args.embeddings,
        threshold=args.threshold,
        slop_list=args.slop_list,
        cross_prompt_cap=args.cross_prompt_cap,
    )
    if args.json:
        doc = {
            "input": loaded.source,
            "n_records": len(loaded.records),
            "skipped_errors": loaded.skipped_errors,
            "notes": loaded.notes,
            "models": report,
        }
        print(json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False))
        return 0

    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(
        title=f"diversity: {loaded.source}",
        caption="in: within a prompt (its samples); x: across prompts; "
        "distinct-n and compression: all texts",
    )
    table.add_column("metric", no_wrap=True)
    for model in report:
        table.add_column(model, justify="right", overflow="fold")
    for label, key, section in TABLE_ROWS:
        row = [_fmt((r[section] if section else r).get(key)) for r in report.values()]
        table.add_row(label, *row)
    console.print(table)
    for model, r in report.items():
        tops = ", ".join(f"{o['opening']!r} x{o['prompts']}" for o in r["top_openings"][:3])
        names = ", ".join(f"{n['name']} x{n['prompts']}" for n in r["top_names"][:5])
        slop = ", ".join(f"{s['text']!r} x{s['hits']}" for s in r["top_slop"][:5])
        console.print(f"[bold]{model}[/bold]", highlight=False)
        console.print(
            f"  recurring openings (prompts): {tops or '-'}", highlight=False, markup=False
        )
        console.print(f"  recurring names (prompts): {names or '-'}", highlight=False, markup=False)
        console.print(f"  top slop (hits): {slop or '-'}", highlight=False, markup=False)
        for note in r["notes"]:
            console.print(f"  note: {note}", highlight=False, markup=False)
    for note in loaded.notes:
        console.print(f"note: {note}", highlight=False, markup=False)
    return 0
