"""`musebench compare RUN_A RUN_B`: paired rubric-score differences with bootstrap CIs."""

from __future__ import annotations

import argparse
import json
from typing import Any

from rich.console import Console

# Per-task rows shown by default: the largest drops and the largest gains.
TASK_ROWS_EACH_WAY = 10


def register(sub: Any) -> None:
    p = sub.add_parser(
        "compare", help="paired differences of two runs per task, category and dimension"
    )
    p.add_argument("run_a", help="run directory A (the baseline)")
    p.add_argument("run_b", help="run directory B; differences are B minus A")
    p.add_argument("--suite", help="suite directory for task categories (default: shipped)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default: the fixed one)")
    p.add_argument("--all-tasks", action="store_true", help="every shared task, not 10 each way")
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")
    p.set_defaults(func=cmd_compare)


def cmd_compare(args: argparse.Namespace) -> int:
    from ..measure.compare import compare_runs
    from ..suite import load_suite

    category_of = {t.id: t.category for t in load_suite(args.suite).tasks}
    comp = compare_runs(args.run_a, args.run_b, category_of=category_of, seed=args.seed)
    if args.json:
        print(json.dumps(comp.as_dict(), indent=2))
        return 0
    print_comparison(comp, Console(highlight=False), all_tasks=args.all_tasks)
    return 0


def _sig(s: bool | None) -> str:
    return "?" if s is None else "yes" if s else "no"


def print_comparison(comp: Any, console: Console, *, all_tasks: bool = False) -> None:
    from ..measure.tables import FEW_NOTE, MIN_CI_TASKS, add_row, fmt_diff, table

    console.print(f"A = {comp.a_model}  ({comp.a})", markup=False)
    console.print(f"B = {comp.b_model}  ({comp.b})", markup=False)
    for note in comp.notes:
        console.print(f"note: {note}", style="yellow", markup=False)
    t = table(
        f"B minus A over {comp.overall.n} shared task(s), points 0-100",
        ["scope", "n", "A", "B", "B-A [95% CI]", "sig"],
    )
    rows = [
        ("overall", comp.overall),
        *((f"cat {d.scope}", d) for d in comp.categories),
        *((f"dim {d.scope}", d) for d in comp.dimensions),
    ]
    for label, d in rows:
        add_row(
            t,
            label,
            str(d.n),
            "—" if d.a is None else f"{d.a:.1f}",
            "—" if d.b is None else f"{d.b:.1f}",
            fmt_diff(d.diff, d.ci_low, d.ci_high, d.n),
            _sig(d.significant),
        )
    console.print(t)
    console.print(
        f"sig: the 95% CI excludes 0 (yes) or not (no); ? under {MIN_CI_TASKS} shared tasks. "
        "Tasks are resampled in pairs (1000 bootstrap resamples).",
        style="dim",
        markup=False,
    )
    if any(d.n > 1 and d.n < MIN_CI_TASKS for _, d in rows):
        console.print(FEW_NOTE, style="dim", markup=False)
    _print_tasks(comp, console, all_tasks)
    for label, ids in (("A", comp.only_a), ("B", comp.only_b)):
        if ids:
            console.print(
                f"{len(ids)} task(s) only in {label}, left out: {', '.join(ids)}",
                style="dim",
                markup=False,
            )


def _print_tasks(comp: Any, console: Console, all_tasks: bool) -> None:
    from ..measure.tables import add_row, table

    tasks = comp.tasks  # sorted: largest drop first
    k = TASK_ROWS_EACH_WAY
    shown = tasks if all_tasks or len(tasks) <= 2 * k else [*tasks[:k], *tasks[-k:]]
    title = "per task, largest drop first" + ("" if shown is tasks else f" ({k} each way)")
    t = table(title, ["task", "A", "B", "B-A"])
    for i, d in enumerate(shown):
        if shown is not tasks and i == k:
            add_row(t, f"... {len(tasks) - 2 * k} more (--all-tasks)", "", "", "")
        add_row(t, d.scope, f"{d.a:.1f}", f"{d.b:.1f}", f"{d.diff:+.1f}")
    console.print(t)
