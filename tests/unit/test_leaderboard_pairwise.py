"""Pairwise bundles on the board: verified against the accepted run bundles, ratings
recomputed from the comparisons; tampered ones rejected with their reason."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from benchmark.cli import main
from benchmark.engine.pairwise.bias_card import BiasCard, LengthBias, RateCI
from benchmark.engine.pairwise.prompt import text_sha256, word_count
from benchmark.engine.pairwise.ratings import build_ratings
from benchmark.engine.pairwise.records import ComparisonRecord, PairwiseManifest, RunRef
from benchmark.engine.pairwise.runner import preferred_run
from benchmark.records.schemas import ResponseRecord
from leaderboard.boarddata import DATA_ENV
from leaderboard.build import build_board
from leaderboard.files import BOARD_FILE, META_FILE, REJECTED_FILE
from leaderboard.hub import hub_api
from tests.browser.hostile import name_payload
from tests.integration.test_leaderboard_hub import REPO, hub  # noqa: F401  (the FakeHub fixture)
from tests.leaderboard_helpers import MINI, bundle, constant, edit_json, mini_suites
from tests.unit.test_leaderboard_inert import APP, URL, _assert_inert

JUDGE = "anthropic/judge-pairwise-synthetic"
QUALITY = {"run-best": 2, "run-hand": 1, "run-worst": 0}  # the synthetic judge's preference
RESAMPLES = 200


def _responses(run: Path) -> dict[tuple[str, int], ResponseRecord]:
    out = {}
    for line in (run / "responses.jsonl").read_text().splitlines():
        r = ResponseRecord.model_validate_json(line)
        out[(r.task_id, r.sample)] = r
    return out


def _line(
    a: RunRef, b: RunRef, task: str, order: str, winner: str, texts: tuple[str, str], judge: str
) -> ComparisonRecord:
    return ComparisonRecord(
        task_id=task,
        sample=0,
        sample_b=0,
        run_a=a.run_id,
        run_b=b.run_id,
        model_a=a.model,
        model_b=b.model,
        order=order,  # type: ignore[arg-type]
        criterion="overall",
        judge=judge,
        winner=winner,  # type: ignore[arg-type]
        margin=2,
        reason="synthetic",
        preferred=preferred_run(winner, order),  # type: ignore[arg-type]
        words_a=word_count(texts[0]),
        words_b=word_count(texts[1]),
        sha256_a=text_sha256(texts[0]),
        sha256_b=text_sha256(texts[1]),
    )


def comparisons(
    runs: dict[str, Path], refs: list[RunRef], judge: str = JUDGE
) -> list[ComparisonRecord]:
    """Every pair, both orders, on every task: the run of higher QUALITY wins, except that the
    judge answers "A" on task `talk` whatever it sees (one flip per pair)."""
    texts = {r.run_id: _responses(runs[r.run_id]) for r in refs}
    out = []
    for i, a in enumerate(refs):
        for b in refs[i + 1 :]:
            for task, _s in sorted(texts[a.run_id]):
                pair = (texts[a.run_id][(task, 0)].text, texts[b.run_id][(task, 0)].text)
                better_a = QUALITY[a.run_id] > QUALITY[b.run_id]
                for order in ("ab", "ba"):
                    a_first = order == "ab"
                    winner = "A" if task == "talk" or better_a == a_first else "B"
                    out.append(_line(a, b, task, order, winner, pair, judge))
    return out


def write_pairwise(
    root: Path,
    runs: dict[str, Path],
    refs: list[RunRef],
    records: list[ComparisonRecord],
    *,
    restate: bool = True,
    card: bool = False,
    judge: str = JUDGE,
) -> Path:
    root.mkdir(parents=True)
    manifest = PairwiseManifest(
        suite_version="0.0.1", runs=refs, judge=judge, judge_params={"temperature": 0.0}
    )
    (root / "pairwise.json").write_text(manifest.model_dump_json())
    (root / "comparisons.jsonl").write_text("".join(r.model_dump_json() + "\n" for r in records))
    if restate:
        ratings = build_ratings(records, refs, {2: 1000.0}, judge=judge, resamples=RESAMPLES)
        (root / "ratings.json").write_text(ratings.model_dump_json())
    if card:
        stated = json.loads((root / "ratings.json").read_text())["position"]
        bias = BiasCard(
            judge=judge,
            judge_family="claude",
            runs=[r.run_id for r in refs],
            position=stated,
            length=LengthBias(
                padded_win_rate=RateCI(rate=0.25, ci_low=0.1, ci_high=0.4, n=8), tie_rate=0.5
            ),
            family=None,
            retest_samples=1,
            retest_agreement=None,
        )
        (root / "bias_card.json").write_text(bias.model_dump_json())
    return root


@pytest.fixture
def source(tmp_path: Path) -> tuple[Path, dict[str, Path], list[RunRef]]:
    src = tmp_path / "bundles"
    runs = {
        "run-best": bundle(src, "best", verdict=constant(True)),
        "run-hand": bundle(src, "hand"),
        "run-worst": bundle(src, "worst", verdict=constant(False)),
    }
    refs = [
        RunRef(path=str(p), run_id=k, model=f"anthropic/{k.removeprefix('run-')}")
        for k, p in runs.items()
    ]
    return src, runs, refs


def build(src: Path | str, out: Path) -> tuple[pd.DataFrame, dict[str, Any], list[dict[str, Any]]]:
    build_board(src, out, suites=mini_suites(), min_samples=1)
    return (
        pd.read_parquet(out / BOARD_FILE),
        json.loads((out / META_FILE).read_text()),
        json.loads((out / REJECTED_FILE).read_text()),
    )


def test_honest_pairwise_bundle_is_shown_with_its_ratings(source, tmp_path: Path) -> None:
    src, runs, refs = source
    records = comparisons(runs, refs)
    write_pairwise(src / "pairwise" / "honest", runs, refs, records, card=True)
    board, meta, rejected = build(src, tmp_path / "board")
    assert rejected == []
    rows = {r["run_id"]: r for r in board.to_dict("records")}
    stated = json.loads((src / "pairwise" / "honest" / "ratings.json").read_text())
    for r in stated["runs"]:
        assert rows[r["run_id"]]["pw_rating"] == r["rating"]
        assert rows[r["run_id"]]["pw_lc_rating"] == r["lc_rating"]
        assert rows[r["run_id"]]["pw_ci_low"] == r["ci_low"]
    # Anchor at 1000; the better run above it, the order of QUALITY.
    assert rows["run-worst"]["pw_rating"] == 1000.0 and rows["run-worst"]["pw_anchor"]
    assert rows["run-best"]["pw_rating"] > rows["run-hand"]["pw_rating"] > 1000.0
    # Hand-computed: on `talk` every pair flips (A always wins): 3 pairs of 9 -> 1/3; the
    # first seat wins 12 of the 18 single-order verdicts (all 6 on talk, 6 of 12 elsewhere).
    assert rows["run-best"]["pw_flip_rate"] == pytest.approx(1 / 3)
    assert rows["run-best"]["pw_first_seat_win_rate"] == pytest.approx(12 / 18)
    shown = meta["pairwise"]["bundles"][0]
    assert shown["shown"] and shown["anchors"] == "anthropic/worst (run-worst) = 1000"
    assert shown["bias_card"]["padded_win_rate"] == 0.25
    assert shown["bias_card"]["stated"].startswith("as submitted")


def _rejected(source, tmp_path: Path, tamper: Callable[[list[ComparisonRecord]], None], **kw):
    src, runs, refs = source
    records = comparisons(runs, refs)
    tamper(records)
    write_pairwise(src / "pairwise" / "tampered", runs, refs, records, **kw)
    board, meta, rejected = build(src, tmp_path / "board")
    assert board["pw_rating"].isna().all() and meta["pairwise"]["bundles"] == []
    assert len(rejected) == 1 and rejected[0]["kind"] == "pairwise"
    return rejected[0]


def _flip(r: ComparisonRecord, *, preferred: bool) -> ComparisonRecord:
    winner = "B" if r.winner == "A" else "A"
    update: dict[str, Any] = {"winner": winner}
    if preferred:
        update["preferred"] = preferred_run(winner, r.order)  # type: ignore[arg-type]
    return r.model_copy(update=update)


def test_a_flipped_winner_is_rejected(source, tmp_path: Path) -> None:
    def tamper(records: list[ComparisonRecord]) -> None:
        records[0] = _flip(records[0], preferred=False)

    entry = _rejected(source, tmp_path, tamper)
    assert entry["code"] == "comparison_mismatch"
    assert entry["reason"].startswith("comparison does not match: comparisons.jsonl page/0/0/")


def test_flipped_verdicts_with_stale_ratings_are_rejected(source, tmp_path: Path) -> None:
    """Verdicts flipped in favour of the worst run (winner and preferred both), the stated
    ratings left as they were: the recomputed ratings differ."""
    src, runs, refs = source
    honest = comparisons(runs, refs)
    root = write_pairwise(src / "pairwise" / "tampered", runs, refs, honest)
    flipped = [_flip(r, preferred=True) if "run-worst" in (r.run_a, r.run_b) else r for r in honest]
    (root / "comparisons.jsonl").write_text("".join(r.model_dump_json() + "\n" for r in flipped))
    _board, _meta, rejected = build(src, tmp_path / "board")
    assert [e["code"] for e in rejected] == ["rating_mismatch"]
    assert rejected[0]["reason"].startswith("stated rating does not match: runs.")


def test_a_restated_rating_is_rejected(source, tmp_path: Path) -> None:
    src, runs, refs = source
    root = write_pairwise(src / "pairwise" / "tampered", runs, refs, comparisons(runs, refs))
    stated = json.loads((root / "ratings.json").read_text())
    stated["runs"][0]["rating"] += 50
    (root / "ratings.json").write_text(json.dumps(stated))
    _board, _meta, rejected = build(src, tmp_path / "board")
    assert [e["code"] for e in rejected] == ["rating_mismatch"]
    assert "run-best.rating stated" in rejected[0]["reason"]


def test_a_comparison_of_a_response_not_in_the_bundle_is_rejected(source, tmp_path) -> None:
    def tamper(records: list[ComparisonRecord]) -> None:
        records.append(records[1].model_copy(update={"sample": 4, "sample_b": 4}))

    entry = _rejected(source, tmp_path, tamper, restate=True)
    assert entry["code"] == "orphan_record"
    assert "run-best" in entry["reason"] and "/4 of run" in entry["reason"]


def test_a_response_of_other_length_is_rejected(source, tmp_path: Path) -> None:
    """words_a drives the length-controlled rating: it must be the bundle's response's."""

    def tamper(records: list[ComparisonRecord]) -> None:
        records[0] = records[0].model_copy(update={"words_a": records[0].words_a + 100})

    entry = _rejected(source, tmp_path, tamper)
    assert entry["code"] == "pairwise_response_mismatch"


@pytest.mark.parametrize("change", [{"sha256_b": "0" * 64}, {"sha256_a": None}])
def test_a_response_of_other_text_is_rejected(source, tmp_path: Path, change) -> None:
    """The line names a response by the sha256 of its text: another text, or none, is refused."""

    def tamper(records: list[ComparisonRecord]) -> None:
        records[0] = records[0].model_copy(update=change)

    entry = _rejected(source, tmp_path, tamper)
    assert entry["code"] == "pairwise_response_mismatch"
    assert entry["reason"].startswith("response does not match: comparisons.jsonl page/0/0/")


def test_one_order_missing_is_rejected(source, tmp_path: Path) -> None:
    def tamper(records: list[ComparisonRecord]) -> None:
        del records[1]  # the "ba" line of the first pair's first task

    entry = _rejected(source, tmp_path, tamper)
    assert entry["code"] == "missing_order"
    assert entry["reason"] == (
        "one order missing: comparisons.jsonl has no order ba for "
        "page/0/0/run-best/run-hand/0/overall"
    )


def test_a_dropped_task_is_rejected(source, tmp_path: Path) -> None:
    """Both orders of one task left out (the pair's unfavourable task, say)."""

    def tamper(records: list[ComparisonRecord]) -> None:
        del records[0:2]

    entry = _rejected(source, tmp_path, tamper)
    assert entry["code"] == "missing_comparisons"


def test_lost_comparisons_turned_into_errors_are_rejected(source, tmp_path: Path) -> None:
    """Both lines of the worst run's wins made "failed calls": below the 99% verdict bar."""

    def tamper(records: list[ComparisonRecord]) -> None:
        for k in (0, 1):
            records[k] = records[k].model_copy(
                update={
                    "winner": None,
                    "margin": None,
                    "preferred": None,
                    "error": "judge call failed",
                }
            )

    entry = _rejected(source, tmp_path, tamper)
    assert entry["code"] == "coverage"
    assert entry["reason"] == (
        "coverage below threshold: 16/18 overall comparison lines have a verdict (88.9% < 99%)"
    )


def test_a_run_not_on_the_board_is_rejected(source, tmp_path: Path) -> None:
    src, runs, refs = source
    records = comparisons(runs, refs)
    root = write_pairwise(src / "pairwise" / "tampered", runs, refs, records)
    (runs["run-hand"] / "scores.json").write_text("{}")  # that run bundle is now rejected
    _board, _meta, rejected = build(src, tmp_path / "board")
    assert [e["code"] for e in rejected] == ["schema", "pairwise_unknown_run"]
    assert root.as_posix() in rejected[1]["source"]


def test_a_test_provider_judge_is_rejected(source, tmp_path: Path) -> None:
    src, runs, refs = source
    root = write_pairwise(src / "pairwise" / "mock", runs, refs, comparisons(runs, refs))
    manifest = json.loads((root / "pairwise.json").read_text())
    manifest["judge"] = "mock/judge"
    (root / "pairwise.json").write_text(json.dumps(manifest))
    _board, _meta, rejected = build(src, tmp_path / "board")
    assert [e["code"] for e in rejected] == ["test_provider"]


def test_the_board_page_shows_the_pairwise_columns_inert(
    source, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Judge and model names with markup are shown as text: in board.json as the same string,
    on the page only through the inert renderers (the checks of test_leaderboard_inert)."""
    src, runs, refs = source
    judge = name_payload(URL)
    hostile = [refs[0].model_copy(update={"model": name_payload(URL)}), *refs[1:]]
    edit_json(
        runs["run-best"] / "manifest.json",
        lambda m: m["spec"]["model"].update(spec=hostile[0].model),
    )
    for f in ("responses.jsonl", "judgments.jsonl"):
        path = runs["run-best"] / f
        path.write_text(path.read_text().replace('"anthropic/best"', json.dumps(hostile[0].model)))
    edit_json(runs["run-best"] / "scores.json", lambda s: s.update(model=hostile[0].model))
    records = comparisons(runs, hostile, judge)
    write_pairwise(src / "pairwise" / "x", runs, hostile, records, card=True, judge=judge)
    board, meta, rejected = build(src, tmp_path / "board")
    assert rejected == []
    assert set(board["pw_judge"]) == {judge} and meta["pairwise"]["bundles"][0]["judge"] == judge
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "board"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    shown = _assert_inert(at)
    assert "by judge evil/model ![x](" in shown and "Anchored: anthropic/worst (run-worst)" in shown
    assert "Judge bias card (as submitted" in shown and "padded copy wins 25.0%" in shown
    scores = at.dataframe[0].value
    assert "pairwise rating" in scores and "length-controlled" in scores
    table = at.dataframe[4].value
    assert table["model"].tolist()[0].startswith("evil/model ![x](")  # the best, as text
    assert table["anchor"].tolist() == ["", "", "anchor"]
    assert table["pairwise rating [95% CI]"].iloc[-1] == "1000 [1000, 1000]"


# ------------------------------------------------------------------ submitting


def test_submit_a_pairwise_bundle_then_build_from_the_hub(
    source,
    tmp_path: Path,
    hub,  # noqa: F811  (the FakeHub fixture, imported)
) -> None:
    """`musebench submit PAIRWISE_DIR` verifies it against its runs' dirs and opens a pull
    request; a board built from that ref (runs submitted too) shows the ratings."""
    _src, runs, refs = source
    root = write_pairwise(tmp_path / "pw", runs, refs, comparisons(runs, refs), card=True)
    for run in runs.values():
        assert main(["submit", str(run), "--repo", REPO, "--suite", str(MINI)]) == 0
    assert main(["submit", str(root), "--repo", REPO, "--suite", str(MINI)]) == 0
    pr = hub.repo(REPO).prs[-1]
    assert pr.description.startswith("musebench pairwise submission: judge `" + JUDGE)
    for k in range(1, 5):
        hub_api().merge_pull_request(REPO, k, repo_type="dataset")
    files = hub.files(REPO, "main")
    shown = [f for f in files if f.startswith(f"submissions/pairwise/{JUDGE.replace('/', '--')}/")]
    assert sorted(f.rsplit("/", 1)[1] for f in shown) == [
        "bias_card.json",
        "comparisons.jsonl",
        "pairwise.json",
        "ratings.json",
    ]
    board, _meta, rejected = build(f"hf://datasets/{REPO}", tmp_path / "board")
    assert rejected == [] and board["pw_rating"].notna().sum() == 3


def test_submit_refuses_a_tampered_pairwise_bundle(
    source,
    tmp_path: Path,
    hub,  # noqa: F811  (the FakeHub fixture, imported)
    capsys,
) -> None:
    _src, runs, refs = source
    records = comparisons(runs, refs)
    del records[1]
    root = write_pairwise(tmp_path / "pw", runs, refs, records)
    assert main(["submit", str(root), "--repo", REPO, "--suite", str(MINI)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"musebench: error: {root}: refused, the pairwise bundle fails ")
    assert "one order missing" in err and hub.repo(REPO).prs == []
