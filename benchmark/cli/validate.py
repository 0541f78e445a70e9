"""`musebench validate [SUITE_DIR] [--stats] [--json]`."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..suite import load_suite, suite_stats


def register(sub: Any) -> None:
    p = sub.add_parser("validate", help="lint tasks and rubrics; exit 2 with file:field: message")
    p.add_argument(
        "suite_dir",
        nargs="?",
        help="directory holding tasks/ and rubrics/ (default: the shipped suite)",
    )
    p.add_argument(
        "--stats",
        action="store_true",
        help="print counts per category and tag, items per task, multi-turn share, shares of "
        "points by dimension and by check vs judge, and items breaking the suite 2 rules",
    )
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    suite = load_suite(args.suite_dir)
    stats = suite_stats(suite)
    if args.json:
        print(json.dumps({"ok": True, "suite_hash": suite.suite_hash, **stats}, indent=2))
        return 0
    print(
        f"ok: {stats['tasks']} tasks, {stats['items']} items, suite {stats['suite']} "
        f"v{stats['version']} ({suite.root})"
    )
    if args.stats:
        from rich.console import Console
        from rich.table import Table

        table = Table(title="suite statistics")
        table.add_column("measure")
        table.add_column("value", justify="right")
        for cat, n in stats["categories"].items():
            table.add_row(f"tasks: {cat}", str(n))
        ipt = stats["items_per_task"]
        table.add_row(
            "items per task (min / mean / max)", f"{ipt['min']} / {ipt['mean']} / {ipt['max']}"
        )
        for dim, n in stats["items_by_dimension"].items():
            table.add_row(f"items: {dim}", str(n))
        table.add_row("programmatic items", str(stats["programmatic_items"]))
        table.add_row("negative items", str(stats["negative_items"]))
        table.add_row(
            "ceiling items (share of positive points)",
            f"{stats['ceiling_items']} ({stats['positive_points_share_ceiling']:.1%})",
        )
        share = stats["emotional_intelligence_multi_turn_share"]
        table.add_row(
            "multi-turn share of emotional_intelligence", "n/a" if share is None else f"{share:.0%}"
        )
        for lang, n in stats["tasks_by_language"].items():
            table.add_row(f"tasks in language {lang}", str(n))
        for tag, n in stats["tasks_by_tag"].items():
            table.add_row(f"tasks tagged {tag}", str(n))
        for dim, part in stats["positive_points_share_by_dimension"].items():
            table.add_row(f"positive points: {dim}", f"{part:.1%}")
        for who, part in stats["positive_points_share_by_decider"].items():
            table.add_row(f"positive points decided by {who}", f"{part:.1%}")
        for rule, n in stats["suite2_rule_findings"].items():
            table.add_row(f"suite 2 rules broken: {rule.replace('_', ' ')}", str(n))
        unchecked = stats["crisis_services_unchecked"]
        table.add_row(
            "crisis services relied on, not yet checked against their source",
            str(len(unchecked)) + (f" ({', '.join(unchecked)})" if unchecked else ""),
        )
        Console().print(table)
    return 0
