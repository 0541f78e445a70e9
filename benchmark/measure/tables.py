"""Formatting shared by `report` and `compare`: run labels with a legend, scores with CIs that
say when they rest on too few tasks, and tables that fit 80 columns.

Names are never cut: several runs get the column labels A, B, C... and a legend line each with
the full model spec and directory, so `anthropic/claude-x` and `anthropic/claude-y` stay apart."""

from __future__ import annotations

import string
from collections.abc import Sequence
from pathlib import Path

from rich import box
from rich.table import Table
from rich.text import Text

from ..records.schemas import ScoreCI

# A bootstrap CI over fewer tasks than this is shown flagged: with 1 task it has zero width, and
# with a handful its percentiles rest on a few distinct resample means (docs/REPORTS.md).
MIN_CI_TASKS = 10
FEW = "*"  # marks a CI from fewer than MIN_CI_TASKS tasks
FEW_NOTE = f"{FEW} CI from fewer than {MIN_CI_TASKS} tasks: too few to say how sure the score is"


def labels(n: int) -> list[str]:
    """A, B, ..., Z, then A2, B2, ...: short column labels for n runs."""
    letters = string.ascii_uppercase
    return [letters[i % 26] + (str(i // 26 + 1) if i >= 26 else "") for i in range(n)]


def legend(label: str, model: str, path: Path, judge: str | None = None) -> str:
    judged = f", judge {judge}" if judge else ", no judge"
    return f"{label} = {model}{judged}  ({path})"


def few(n: int | None) -> bool:
    return (n or 0) < MIN_CI_TASKS


def fmt_score(ci: ScoreCI | None, *, with_ci: bool = True) -> str:
    """`71.1 [64.7, 77.5]`; a single task shows no interval at all, a few tasks a flagged one."""
    if ci is None or ci.score is None:
        return "—"
    if not with_ci:
        return f"{ci.score:.1f}"
    if (ci.n or 0) <= 1 or ci.ci_low is None or ci.ci_high is None:
        return f"{ci.score:.1f} [no CI]"
    mark = FEW if few(ci.n) else ""
    return f"{ci.score:.1f} [{ci.ci_low:.1f}, {ci.ci_high:.1f}]{mark}"


def fmt_diff(diff: float | None, low: float | None, high: float | None, n: int) -> str:
    if diff is None:
        return "—"
    if n <= 1 or low is None or high is None:
        return f"{diff:+.1f} [no CI]"
    return f"{diff:+.1f} [{low:+.1f}, {high:+.1f}]" + (FEW if few(n) else "")


def table(title: str, columns: Sequence[str], *, right_from: int = 1) -> Table:
    """A compact table: the first `right_from` columns left-aligned and folding (names wrap,
    never cut), the rest right-aligned numbers kept on one line."""
    # min_width: a narrow table would otherwise fold its own title onto several lines.
    t = Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        min_width=min(len(title), 80),
    )
    for i, col in enumerate(columns):
        if i < right_from:
            t.add_column(col, overflow="fold")
        else:
            t.add_column(col, justify="right", no_wrap=True)
    return t


def add_row(t: Table, *cells: str) -> None:
    """Cells as plain text: `[no CI]`, a task title or a model name is never read as markup."""
    t.add_row(*(Text(c) for c in cells))
