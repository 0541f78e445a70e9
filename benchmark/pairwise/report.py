"""The readable table of ratings.json."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .records import RatingsFile


def print_ratings(ratings: RatingsFile, console: Console) -> None:
    table = Table(
        title=f"Pairwise ratings ({escape(ratings.criterion)}, judge {escape(ratings.judge)})"
    )
    for col in ("model", "run_id", "rating", "95% CI", "length-controlled", "comparisons"):
        table.add_column(col, justify="left" if col in ("model", "run_id") else "right")
    for r in ratings.runs:
        table.add_row(
            escape(r.model) + (" (anchor)" if r.anchor else ""),
            escape(r.run_id),
            f"{r.rating:.0f}",
            f"{r.ci_low:.0f} to {r.ci_high:.0f}",
            f"{r.lc_rating:.0f} ({r.lc_ci_low:.0f} to {r.lc_ci_high:.0f})",
            str(r.comparisons),
        )
    console.print(table)
    p = ratings.position
    console.print(
        f"position: flip rate {p.flip_rate:.1%} ({p.flip_ci_low:.1%} to {p.flip_ci_high:.1%}) over "
        f"{p.pairs} pairs; first-seat win rate {p.first_seat_win_rate:.1%} "
        f"({p.first_seat_ci_low:.1%} to {p.first_seat_ci_high:.1%})"
    )
