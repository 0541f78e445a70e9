"""The pairwise ratings table at 80 columns: runs under short labels with a legend, so that no
run id is cut (issue 14: "never cut the distinguishing part of a name")."""

from __future__ import annotations

import io

from rich.console import Console

from benchmark.engine.pairwise.records import PositionStats, RatingsFile, RunRating
from benchmark.engine.pairwise.report import print_ratings

# Two runs of one day: their ids share the first 11 characters, which is all a cut column kept.
RUN_A = "20261206T101500Z-1a2b3c4d"
RUN_B = "20261206T112931Z-7c678493"


def _rating(model: str, run_id: str, rating: float, *, anchor: bool = False) -> RunRating:
    return RunRating(
        model=model,
        run_id=run_id,
        rating=rating,
        ci_low=rating - 80,
        ci_high=rating + 80,
        lc_rating=rating - 5,
        lc_ci_low=rating - 90,
        lc_ci_high=rating + 70,
        comparisons=24,
        anchor=anchor,
    )


def _render(ratings: RatingsFile) -> str:
    out = io.StringIO()
    print_ratings(ratings, Console(file=out, width=80, color_system=None))
    return out.getvalue()


def test_run_ids_are_never_cut_at_80_columns() -> None:
    model = "anthropic/claude-sonnet-4-5-20250929-with-a-long-name"
    ratings = RatingsFile(
        judge="anthropic/claude-opus-4-1",
        criterion="overall",
        method={},
        anchors={RUN_B: 1000.0},
        runs=[_rating(model, RUN_A, 1123.0), _rating(model, RUN_B, 1000.0, anchor=True)],
        position=PositionStats(
            pairs=12,
            flip_rate=0.25,
            flip_ci_low=0.1,
            flip_ci_high=0.4,
            first_seat_win_rate=0.55,
            first_seat_ci_low=0.45,
            first_seat_ci_high=0.65,
        ),
        length_coefficient=0.0,
    )
    text = _render(ratings)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in text
    # A long legend line wraps between words: each id stays whole on one line.
    assert any(RUN_A in line for line in lines) and any(RUN_B in line for line in lines)
    flowing = " ".join(line.strip() for line in lines)
    assert f"A = {model}, run {RUN_A} B = {model}, run {RUN_B}, the anchor at 1000" in flowing
    row_a = next(line for line in lines if line.lstrip().startswith("A "))
    assert row_a.split() == [
        "A",
        "1123",
        "1043",
        "to",
        "1203",
        "1118",
        "(1033",
        "to",
        "1193)",
        "24",
    ]
