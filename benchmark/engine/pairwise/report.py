"""The readable table of ratings.json."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ...measure.tables import add_row, labels, table
from .bias_card import BiasCard, RateCI
from .records import RatingsFile


def print_ratings(ratings: RatingsFile, console: Console) -> None:
    """One row a run under a short label, and a legend line a label with the run's full model
    spec and run id: at 80 columns a run-id column cut `20261206T1…`, the very part that tells
    two runs of one day apart (the rule of benchmark.measure.tables)."""
    tags = labels(len(ratings.runs))
    t = table(
        f"Pairwise ratings ({escape(ratings.criterion)}, judge {escape(ratings.judge)})",
        ["run", "rating", "95% CI", "length-controlled", "comparisons"],
    )
    for tag, r in zip(tags, ratings.runs, strict=True):
        add_row(
            t,
            tag,
            f"{r.rating:.0f}",
            f"{r.ci_low:.0f} to {r.ci_high:.0f}",
            f"{r.lc_rating:.0f} ({r.lc_ci_low:.0f} to {r.lc_ci_high:.0f})",
            str(r.comparisons),
        )
    console.print(t)
    for tag, r in zip(tags, ratings.runs, strict=True):
        fixed = ratings.anchors.get(r.run_id)
        anchor = (
            "" if not r.anchor else ", the anchor" + ("" if fixed is None else f" at {fixed:.0f}")
        )
        console.print(Text(f"{tag} = {r.model}, run {r.run_id}{anchor}"))
    p = ratings.position
    console.print(
        f"position: flip rate {p.flip_rate:.1%} ({p.flip_ci_low:.1%} to {p.flip_ci_high:.1%}) over "
        f"{p.pairs} pairs; first-seat win rate {p.first_seat_win_rate:.1%} "
        f"({p.first_seat_ci_low:.1%} to {p.first_seat_ci_high:.1%})"
    )


def _pct(r: RateCI | None) -> str:
    if r is None:
        return "n/a"
    if r.rate is None or r.ci_low is None or r.ci_high is None:
        return "nothing to count (n=0)"
    return f"{r.rate:.1%} ({r.ci_low:.1%} to {r.ci_high:.1%}; n={r.n})"


def print_bias_card(card: BiasCard, console: Console) -> None:
    table = Table(
        title=f"Judge bias card: {escape(card.judge)} (family {escape(card.judge_family)})"
    )
    table.add_column("measure")
    table.add_column("value (95% CI)", justify="right")
    table.add_column("what a fair judge gives")
    p = card.position
    table.add_row(
        "position flip rate",
        f"{p.flip_rate:.1%} ({p.flip_ci_low:.1%} to {p.flip_ci_high:.1%}; n={p.pairs})",
        "low",
    )
    table.add_row(
        "first-seat win rate",
        f"{p.first_seat_win_rate:.1%} ({p.first_seat_ci_low:.1%} to {p.first_seat_ci_high:.1%})",
        "50%",
    )
    table.add_row(
        "padded copy wins (length)", _pct(card.length.padded_win_rate), "at most 50%, or ties"
    )
    table.add_row("ties, response vs padded copy", f"{card.length.tie_rate:.1%}", "high")
    if card.family is not None:
        f = card.family
        expected = (
            "near the rubric's (no scores.json to compare)"
            if f.rubric_win_rate is None
            else f"near the rubric's {f.rubric_win_rate:.1%}"
        )
        table.add_row(f"{escape(f.family)} runs' win rate vs others", _pct(f.win_rate), expected)
    else:
        table.add_row("family preference", "n/a", "needs runs in and out of the judge's family")
    table.add_row(
        f"test-retest agreement (K={card.retest_samples})", _pct(card.retest_agreement), "high"
    )
    console.print(table)
