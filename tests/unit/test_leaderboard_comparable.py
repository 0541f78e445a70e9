"""Comparable entries and the rank score (issue 15, Build 2 and 3): a bundle of a run's best
tasks is shown apart and unranked, never among full entries; turning a run's worst verdicts
into judge-call failures does not raise the score it is ranked by."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from benchmark.measure.scoring import run_seed, score_run
from benchmark.records.rundir import RunDir
from benchmark.suite import Suite, load_suite
from leaderboard.build import build_board
from leaderboard.files import BOARD_FILE, META_FILE, TASKS_FILE
from leaderboard.synthetic import random_verdicts, write_bundle
from leaderboard.verify import load_suites, verify_bundle
from tests.leaderboard_helpers import bundle, copy_bundle, mini_suites

Record = dict[str, Any]


@pytest.fixture(scope="module")
def suite() -> Suite:
    return load_suite()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, suite: Suite) -> Iterator[Path]:
    """Two honest synthetic runs of the whole shipped suite, 3 samples per task."""
    root = tmp_path_factory.mktemp("runs")
    for name, quality in (("honest", 0.55), ("rival", 0.5)):
        write_bundle(
            root / name,
            suite,
            model=f"anthropic/{name}",
            verdict=random_verdicts(quality, seed=len(name)),
            samples=3,
            run_id=f"run-{name}",
        )
    yield root


def rewrite(
    src: Path,
    dst: Path,
    suite: Suite,
    *,
    keep_tasks: list[str] | None = None,
    judgments: Callable[[list[Record]], None] | None = None,
) -> Path:
    """A copy of `src` restricted to `keep_tasks` and/or with its judgments changed, with the
    manifest and scores.json made consistent again (as a careful fabricator would)."""
    path = copy_bundle(src, dst)
    run = RunDir(path)
    m = run.read_manifest()
    if keep_tasks is not None:
        m = m.model_copy(update={"spec": m.spec.model_copy(update={"tasks": tuple(keep_tasks)})})
        run.write_manifest(m)
    for name, change in (("responses.jsonl", None), ("judgments.jsonl", judgments)):
        rows = [json.loads(x) for x in (path / name).read_text().splitlines()]
        if keep_tasks is not None:
            rows = [r for r in rows if r["task_id"] in keep_tasks]
        if change is not None:
            change(rows)
        (path / name).write_text("".join(json.dumps(r) + "\n" for r in rows))
    tasks = [suite.task(t) for t in m.task_ids]
    run.write_scores(score_run(m.model, tasks, m.samples, run.judgments(), seed=run_seed(m.seed)))
    return path


def board_rows(src: Path, out: Path, suites: Any = None, **kw: Any) -> dict[str, dict[str, Any]]:
    build_board(src, out, suites=suites, cache=None, **kw)
    frame = pd.read_parquet(out / BOARD_FILE)
    return {str(r["model"]): r for r in frame.to_dict("records")}


# --------------------------------------------------------------------------- Build 2


def test_best_tasks_subset_is_shown_apart_and_unranked(
    runs: Path, suite: Suite, tmp_path: Path
) -> None:
    """The tester's bundle of its best 5 tasks ranked first (92.1). Now it is accepted but
    unranked, with the reason, while the full run it beats on those tasks keeps rank 1."""
    honest = verify_bundle(runs / "honest", load_suites())
    best5 = sorted(honest.scores.tasks, key=lambda t: -(honest.scores.tasks[t].score or 0.0))[:5]
    src = tmp_path / "src"
    rewrite(runs / "honest", src / "best5", suite, keep_tasks=best5)
    copy_bundle(runs / "rival", src / "rival")
    rows = board_rows(src, tmp_path / "board")
    subset, rival = rows["anthropic/honest"], rows["anthropic/rival"]
    assert subset["overall"] > rival["overall"]  # what used to put it first
    assert not subset["ranked"] and pd.isna(subset["rank"])
    n = len(suite.tasks)
    assert subset["unranked_reason"] == (
        f"subset of the suite: 5 of {n} tasks of suite {suite.version}"
    )
    assert rival["ranked"] and rival["rank"] == 1
    # the board lists ranked runs first; the note says some are shown apart
    frame = pd.read_parquet(tmp_path / "board" / BOARD_FILE)
    assert frame["model"].tolist() == ["anthropic/rival", "anthropic/honest"]
    meta = json.loads((tmp_path / "board" / META_FILE).read_text())
    assert any(note.startswith("1 run(s) shown unranked") for note in meta["notes"])
    # its per-task scores are still on the board for its own page
    tasks = pd.read_parquet(tmp_path / "board" / TASKS_FILE)
    assert len(tasks[tasks["run_key"] == subset["run_key"]]) == 5


def test_too_few_samples_are_unranked(tmp_path: Path) -> None:
    src = tmp_path / "src"
    bundle(src, "one", samples=1)
    bundle(src, "three", samples=3)
    rows = board_rows(src, tmp_path / "board", suites=mini_suites())  # default: 3 samples
    assert rows["anthropic/three"]["ranked"] and rows["anthropic/three"]["rank"] == 1
    assert not rows["anthropic/one"]["ranked"]
    assert rows["anthropic/one"]["unranked_reason"] == (
        "1 sample(s) per task; a ranked entry has at least 3"
    )
    again = board_rows(src, tmp_path / "board2", suites=mini_suites(), min_samples=1)
    assert again["anthropic/one"]["ranked"]


# --------------------------------------------------------------------------- Build 3


def _worst_ten(rows: list[Record]) -> None:
    """The tester's move: the 10 verdicts that cost the run most (positive items not met and
    failure items met, largest points first) turned into judge-call failures."""
    costly = [j for j in rows if j["judge"] != "check" and j["verdict"] is (j["points"] < 0)]
    costly.sort(key=lambda j: -abs(j["points"]))
    for j in costly[:10]:
        j.update(
            verdict=None,
            evidence="",
            grounded=None,
            error="judge call failed: APIStatusError: 529 overloaded",
        )


def test_nulling_the_worst_verdicts_does_not_raise_the_rank_score(
    runs: Path, suite: Suite, tmp_path: Path
) -> None:
    nulled = rewrite(runs / "honest", tmp_path / "nulled" / "n", suite, judgments=_worst_ten)
    v = verify_bundle(nulled, load_suites())  # still above the 99% coverage bar: accepted
    assert v.scores.coverage.failed == 10
    honest = board_rows(runs / "honest", tmp_path / "b1", min_samples=3)["anthropic/honest"]
    cheat = board_rows(tmp_path / "nulled", tmp_path / "b2")["anthropic/honest"]
    assert cheat["overall"] > honest["overall"]  # the gain the old board ranked by
    assert honest["rank_score"] == pytest.approx(honest["overall"])  # full coverage: equal
    # The nulled verdicts were already the worst outcomes, so the bound is exactly the honest
    # score: no gain, on the whole and on any task (paired rank comparisons cannot improve).
    assert cheat["rank_score"] == pytest.approx(honest["rank_score"])
    t1 = pd.read_parquet(tmp_path / "b1" / TASKS_FILE).set_index("task_id")["rank_score"]
    t2 = pd.read_parquet(tmp_path / "b2" / TASKS_FILE).set_index("task_id")["rank_score"]
    pd.testing.assert_series_equal(t1, t2)
    assert (pd.read_parquet(tmp_path / "b2" / TASKS_FILE)["score"] > t2.values - 1e-9).all()


def _best_ten(rows: list[Record]) -> None:
    kept = [j for j in rows if j["judge"] != "check" and j["verdict"] is (j["points"] > 0)]
    for j in sorted(kept, key=lambda j: -abs(j["points"]))[:10]:
        j.update(verdict=None, evidence="", grounded=None, error="judge call failed: 529")


def test_nulling_good_verdicts_lowers_the_rank_score(
    runs: Path, suite: Suite, tmp_path: Path
) -> None:
    """Any other missing verdict is counted as failed: the rank score falls."""
    rewrite(runs / "honest", tmp_path / "src" / "n", suite, judgments=_best_ten)
    honest = board_rows(runs / "honest", tmp_path / "b1")["anthropic/honest"]
    lost = board_rows(tmp_path / "src", tmp_path / "b2")["anthropic/honest"]
    assert lost["rank_score"] < honest["rank_score"]
