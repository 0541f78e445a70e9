"""`musebench tasks`: the suite's tasks with their titles and item counts."""

from __future__ import annotations

import argparse
import dataclasses
import json
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from ..measure.tables import add_row
from ..records.schemas import CATEGORIES


def register(sub: Any) -> None:
    p = sub.add_parser("tasks", help="list the suite's tasks (ids, titles, item counts)")
    p.add_argument("--category", choices=CATEGORIES, help="only this category")
    p.add_argument("--tag", help="only tasks carrying this tag (e.g. hard)")
    p.add_argument("--suite", help="suite directory (default: the shipped suite)")
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")
    p.set_defaults(func=cmd_tasks)


def cmd_tasks(args: argparse.Namespace) -> int:
    from ..engine.task_select import list_tasks
    from ..suite import load_suite

    suite = load_suite(args.suite)
    rows = list_tasks(suite, category=args.category, tag=args.tag)
    if args.json:
        doc = {
            "suite_version": suite.version,
            "tasks": [dataclasses.asdict(r) for r in rows],
        }
        print(json.dumps(doc, indent=2, ensure_ascii=False))
        return 0
    console = Console(highlight=False)
    # Grouped by category (a heading each) so that the id and the title share the 80 columns.
    for category in dict.fromkeys(r.category for r in rows):
        table = Table(box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, title_justify="left")
        table.title = category
        table.add_column("id", no_wrap=True)
        table.add_column("items", justify="right", no_wrap=True)
        table.add_column("title", overflow="fold")
        for r in rows:
            if r.category == category:
                add_row(table, r.id, f"{r.items} ({r.checks})", r.title)
        console.print(table)
    console.print(
        f"{len(rows)} task(s), suite v{suite.version}. items (checks): rubric items, and in "
        "brackets those decided by code; the rest go to the judge."
    )
    return 0
