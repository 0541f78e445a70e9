"""Human labels on the board: PPI-corrected scores (checked against ppi_mean on hand-derived
response scores) and per-dimension judge calibration from the alternative-annotator test."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pandas as pd
import pytest

from benchmark.errors import RatingsError
from benchmark.measure.ppi import ppi_mean
from benchmark.records.schemas import ResolvedTask, RubricItem
from leaderboard.build import build_board
from leaderboard.files import BOARD_FILE, META_FILE
from leaderboard.human import load_human_verdicts
from tests.leaderboard_helpers import bundle, mini_suites


def write_ratings(path: Path, rows: list[tuple[str, str, str, int]]) -> Path:
    pd.DataFrame(
        [
            {"unit_id": u, "criterion": c, "rater_id": r, "value": v, "rater_type": "human"}
            for u, c, r, v in rows
        ]
    ).to_csv(path, index=False)
    return path


def board_of(tmp_path: Path, src: Path, ratings: Path) -> tuple[dict[str, dict], dict]:
    out = tmp_path / "board"
    build_board(src, out, suites=mini_suites(), human=ratings)
    frame = pd.read_parquet(out / BOARD_FILE)
    rows = {str(r["model"]): r for r in frame.to_dict("records")}
    return rows, json.loads((out / META_FILE).read_text())


def test_ppi_matches_hand_derived_response_scores(tmp_path: Path) -> None:
    src = tmp_path / "src"
    bundle(src, "hand", samples=2)  # HAND_VERDICTS on both samples
    m = "anthropic/hand"
    ratings = write_ratings(
        tmp_path / "human.csv",
        [
            # story/0: humans say has_change (+3) is met; the judge said not
            (f"story/0/{m}", "has_change", "ann", 1),
            (f"story/0/{m}", "has_change", "bob", 1),
            # talk/0: agrees with the judge
            (f"talk/0/{m}", "grounded_question", "ann", 1),
            # page/1: clear_action (+3) met, the judge said not
            (f"page/1/{m}", "clear_action", "bob", 1),
            # a tie leaves the judge's verdict in place (and this response unlabelled)
            (f"talk/1/{m}", "advice_first", "ann", 1),
            (f"talk/1/{m}", "advice_first", "bob", 0),
            # a label on a programmatic item is not a judge verdict: ignored
            (f"story/1/{m}", "short", "ann", 0),
            # labels for a model not on the board are ignored
            ("story/0/anthropic/absent", "has_change", "ann", 0),
        ],
    )
    rows, meta = board_of(tmp_path, src, ratings)
    # Judge scores per response (task order, then sample): story 3/8, talk 5/5, page 2/5.
    f_all = [3 / 8, 3 / 8, 1.0, 1.0, 2 / 5, 2 / 5]
    # Labelled responses: story/0 -> (4 + 3 - 2 + 1)/8 = 6/8; talk/0 -> 1; page/1 -> 5/5.
    est, lo, hi = ppi_mean(f_all, [3 / 8, 1.0, 2 / 5], [6 / 8, 1.0, 1.0])
    row = rows[m]
    assert row["ppi_overall"] == pytest.approx(100 * est)
    assert (row["ppi_overall_ci_low"], row["ppi_overall_ci_high"]) == pytest.approx(
        (100 * lo, 100 * hi)
    )
    assert row["ppi_overall_n"] == 3
    # one labelled response per dimension is too few for an interval
    assert row["ppi_writing"] is None and row["ppi_design"] is None
    # under 30 units per human: the alt-test cannot run
    assert row["cal_writing"] == "insufficient"
    assert meta["human_labels"] == str(ratings)


def _truth(task: ResolvedTask, sample: int, item: RubricItem) -> bool:
    return random.Random(f"{task.id}/{sample}/{item.id}").random() < 0.5


def test_calibrated_and_uncalibrated_judges(tmp_path: Path) -> None:
    """Three humans who each slip on a different seventh of the units; one judge gives the
    true verdicts, another the opposite. 12 samples give every human 36 writing units (the
    alt-test needs 30), but only 24 listening and 12 design units."""
    src = tmp_path / "src"
    bundle(src, "good", samples=12, verdict=_truth, judge="anthropic/good-judge")
    bundle(
        src,
        "bad",
        samples=12,
        verdict=lambda t, s, it: it.check is not None or not _truth(t, s, it),
        judge="anthropic/bad-judge",
    )
    suite = mini_suites()["0.0.1"]
    rows: list[tuple[str, str, str, int]] = []
    n = 0
    for model in ("anthropic/good", "anthropic/bad"):
        for t in suite.tasks:
            for s in range(12):
                for it in t.items:
                    if it.check is not None:
                        continue
                    truth = int(_truth(t, s, it))
                    for k, rater in enumerate(("ann", "bob", "cat")):
                        slip = n % 7 == (0, 3, 5)[k]
                        rows.append(
                            (f"{t.id}/{s}/{model}", it.id, rater, 1 - truth if slip else truth)
                        )
                    n += 1
    board, meta = board_of(tmp_path, src, write_ratings(tmp_path / "h.csv", rows))
    assert board["anthropic/good"]["cal_writing"] == "calibrated"
    assert board["anthropic/bad"]["cal_writing"] == "not calibrated"
    assert board["anthropic/good"]["cal_listening"] == "insufficient"
    good = meta["calibration"]["anthropic/good-judge"]["writing"]
    assert good["balanced_f1"] == pytest.approx(1.0) and good["n_units"] == 36
    assert meta["calibration"]["anthropic/bad-judge"]["writing"]["balanced_f1"] == 0.0
    # the good judge agrees with the human majority everywhere: PPI equals the judge's score
    # (which the board reports rounded to 4 decimals)
    assert board["anthropic/good"]["ppi_overall"] == pytest.approx(
        board["anthropic/good"]["overall"], abs=1e-4
    )


def test_labels_are_not_applied_when_a_model_has_two_runs(tmp_path: Path) -> None:
    src = tmp_path / "src"
    bundle(src, "one", model="anthropic/twice", run_id="r1")
    bundle(src, "two", model="anthropic/twice", run_id="r2")
    ratings = write_ratings(
        tmp_path / "h.csv",
        [
            ("story/0/anthropic/twice", "has_change", "ann", 1),
            ("talk/0/anthropic/twice", "grounded_question", "ann", 1),
        ],
    )
    _, meta = board_of(tmp_path, src, ratings)
    frame = pd.read_parquet(tmp_path / "board" / BOARD_FILE)
    assert len(frame) == 2 and frame["ppi_overall"].isna().all()
    assert any("several runs of the model" in n for n in meta["notes"])


def test_unusable_ratings_file_names_it(tmp_path: Path) -> None:
    bad = write_ratings(tmp_path / "h.csv", [("no-slashes", "x", "ann", 1)])
    with pytest.raises(RatingsError, match=r"h\.csv: no usable human label"):
        load_human_verdicts(bad)
