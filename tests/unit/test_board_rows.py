"""The board's typed rows spread into leaderboard.parquet's columns, in the board's order."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import pandas as pd
import pytest

from leaderboard.board_rows import (
    TASK_COLUMNS,
    BoardRow,
    Calibration,
    Interval,
    PPIEstimate,
    TaskRow,
    task_columns,
)


def _row() -> BoardRow:
    return BoardRow(
        run_key="k",
        run_id="r",
        model="m",
        label="",
        provider="unknown",
        weights="open",
        size_b=7.0,
        judge="j",
        judge_params="{}",
        suite_version="1.0.0",
        suite_hash="abc",
        created_at="t",
        samples=3,
        n_tasks=2,
        suite_tasks=2,
        coverage=1.0,
        status="complete",
        cost_usd=None,
        source="s",
        ranked=True,
        unranked_reason="",
        rejudge={"rejudge": "not asked"},
        overall=Interval(50.0, 40.0, 60.0),
        rank_score=Interval(45.0, 35.0, 55.0),
        categories={"poetry": Interval(1.0, 0.5, 1.5), "prose": Interval()},
        dimensions={"craft": Interval(2.0, 1.0, 3.0)},
        diversity={"vendi": 0.25},
        calibration={"craft": Calibration("passes", 0.75, 0.5)},
        ppi={"overall": PPIEstimate(48.0, 38.0, 58.0, 12), "craft": PPIEstimate()},
        rank=1,
        n_better=0,
        pairwise={"pw_rating": None},
    )


def test_columns_in_board_order_with_groups_spread() -> None:
    cols = _row().columns()
    assert list(cols)[:21] == [
        "run_key", "run_id", "model", "label", "provider", "weights", "size_b", "judge",
        "judge_params", "suite_version", "suite_hash", "created_at", "samples", "n_tasks",
        "suite_tasks", "coverage", "status", "cost_usd", "source", "ranked", "unranked_reason",
    ]  # fmt: skip
    assert list(cols)[21:] == [
        "rejudge",
        "overall", "overall_ci_low", "overall_ci_high",
        "rank_score", "rank_score_ci_low", "rank_score_ci_high",
        "cat_poetry", "cat_poetry_ci_low", "cat_poetry_ci_high",
        "cat_prose", "cat_prose_ci_low", "cat_prose_ci_high",
        "dim_craft", "dim_craft_ci_low", "dim_craft_ci_high",
        "div_vendi",
        "cal_craft", "cal_craft_winning_rate", "cal_craft_balanced_f1",
        "ppi_overall", "ppi_overall_ci_low", "ppi_overall_ci_high", "ppi_overall_n",
        "ppi_craft", "ppi_craft_ci_low", "ppi_craft_ci_high", "ppi_craft_n",
        "rank", "n_better", "pw_rating",
    ]  # fmt: skip
    assert cols["cat_poetry_ci_high"] == 1.5
    assert cols["cat_prose"] is None
    assert cols["cal_craft_winning_rate"] == 0.75
    assert cols["ppi_overall_n"] == 12
    assert cols["ppi_craft_n"] is None
    assert cols["div_vendi"] == 0.25


def test_missing_groups_have_their_defaults() -> None:
    assert Calibration().columns("cal_x") == {
        "cal_x": "no human labels",
        "cal_x_winning_rate": None,
        "cal_x_balanced_f1": None,
    }
    assert Interval.of(None) == Interval(None, None, None)


def test_rows_are_frozen_and_task_rows_follow_their_columns() -> None:
    with pytest.raises(FrozenInstanceError):
        _row().rank = 2  # type: ignore[misc]
    row = TaskRow("k", "t", "poetry", "A title", 0.5, 0.25, 3)
    assert TASK_COLUMNS == ["run_key", "task_id", "category", "title", "score", "rank_score", "n"]
    assert task_columns([row]) == [
        dict(zip(TASK_COLUMNS, ["k", "t", "poetry", "A title", 0.5, 0.25, 3], strict=True))
    ]


def test_a_row_reads_back_from_its_columns() -> None:
    row = _row()
    assert BoardRow.read(row.columns(), ["poetry", "prose"], ["craft"]) == row


def test_reading_a_board_frame_turns_nan_and_na_into_none() -> None:
    frame = pd.DataFrame([_row().columns()])
    frame["rank"] = pd.array([pd.NA], dtype="Int64")
    frame["cost_usd"] = float("nan")
    old = frame.drop(columns=["cal_craft", "cal_craft_winning_rate", "cal_craft_balanced_f1"])
    row = BoardRow.read(old.iloc[0].to_dict(), ["poetry", "prose"], ["craft"])
    assert row.rank is None and row.cost_usd is None
    assert row.categories["prose"] == Interval()
    assert row.calibration["craft"] == Calibration()  # a board built before calibration
    assert row.overall == Interval(50.0, 40.0, 60.0)
