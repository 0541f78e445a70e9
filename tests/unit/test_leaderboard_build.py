"""`leaderboard build`: honest bundles on the board with recomputed scores and tie-aware ranks,
tampered ones in rejected.json with the reason; metadata, labels, details and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from benchmark.cli import main
from benchmark.errors import UsageError
from benchmark.records.schemas import ResolvedTask
from leaderboard.build import build_board
from leaderboard.files import BOARD_FILE, META_FILE, REJECTED_FILE, TASKS_FILE
from leaderboard.metrics import DIVERSITY_KEYS, DIVERSITY_MISSING, diversity_available
from leaderboard.modelmeta import ModelDescription, load_model_table
from tests.leaderboard_helpers import (
    HAND_OVERALL,
    HAND_TASKS,
    MINI,
    bundle,
    constant,
    edit_json,
    lines,
    mini_suites,
)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """Three honest runs and four tampered ones."""
    src = tmp_path / "bundles"
    bundle(src, "hand")  # 59.17
    bundle(src, "claude-best", verdict=constant(True))  # 100
    bundle(src, "worst", model="replay/illustrative-worst", verdict=constant(False))  # 0
    edited = bundle(src, "edited")
    edit_json(edited / "scores.json", lambda s: s["overall"].update(score=99.0))
    gap = bundle(src, "gap")
    kept = lines(gap / "judgments.jsonl")
    (gap / "judgments.jsonl").write_text("".join(kept[1:]))
    foreign = bundle(src, "foreign")
    edit_json(foreign / "manifest.json", lambda m: m["spec"]["suite"].update(hash="ab" * 32))
    dup = bundle(src, "dup")
    (dup / "judgments.jsonl").write_text("".join(lines(dup / "judgments.jsonl") * 2))
    return src


def build(source: Path, out: Path, **kw: object) -> pd.DataFrame:
    kw.setdefault("min_samples", 1)  # these boards rank single-sample runs
    build_board(source, out, suites=mini_suites(), **kw)  # type: ignore[arg-type]
    return pd.read_parquet(out / BOARD_FILE)


def by_model(board: pd.DataFrame) -> dict[str, dict[str, Any]]:
    return {str(r["model"]): {str(k): v for k, v in r.items()} for r in board.to_dict("records")}


def test_board_holds_honest_runs_with_recomputed_scores(source: Path, tmp_path: Path) -> None:
    board = build(source, tmp_path / "board")
    rows = by_model(board)
    assert sorted(board["model"]) == [
        "anthropic/claude-best",
        "anthropic/hand",
        "replay/illustrative-worst",
    ]
    assert rows["anthropic/hand"]["overall"] == pytest.approx(HAND_OVERALL, abs=1e-4)
    assert rows["anthropic/claude-best"]["overall"] == 100.0
    assert rows["replay/illustrative-worst"]["overall"] == 0.0
    # category = its single task here
    assert rows["anthropic/hand"]["cat_creative_writing"] == HAND_TASKS["story"]
    assert rows["anthropic/hand"]["dim_listening"] == HAND_TASKS["talk"]
    assert rows["anthropic/hand"]["coverage"] == 1.0


def test_rejected_json_gives_each_reason(source: Path, tmp_path: Path) -> None:
    build(source, tmp_path / "board")
    rejected = json.loads((tmp_path / "board" / REJECTED_FILE).read_text())
    reasons = {Path(r["source"]).name: (r["code"], r["reason"]) for r in rejected}
    assert set(reasons) == {"edited", "gap", "foreign", "dup"}
    assert reasons["edited"] == (
        "score_mismatch",
        f"stated score does not match: overall.score stated 99.0, recomputed "
        f"{round(HAND_OVERALL, 4)}",
    )
    assert reasons["gap"][0] == "missing_records"
    assert reasons["foreign"][0] == "foreign_suite_hash"
    assert reasons["dup"][0] == "duplicated_lines"
    assert all(r["model"] and r["run_id"] for r in rejected)


def test_ranks_respect_ties(tmp_path: Path) -> None:
    src = tmp_path / "src"
    bundle(src, "a", verdict=constant(True))
    bundle(src, "b", verdict=constant(True))
    bundle(src, "c", verdict=constant(False))
    bundle(src, "d")
    rows = by_model(build(src, tmp_path / "board"))
    # a and b are identical: tied at the top.
    assert rows["anthropic/a"]["rank"] == rows["anthropic/b"]["rank"] == 1
    # d scores (37.5, 100, 40) against a's (100, 100, 100): equal on "talk", and with three
    # tasks a resample of "talk" alone has probability 1/27 > 2.5%, so a is not
    # significantly better than d: d shares rank 1 although its mean is far lower.
    assert rows["anthropic/d"]["rank"] == 1
    # c scores 0 on every task: a, b and d are better on every resample.
    assert rows["anthropic/c"]["rank"] == 4
    assert rows["anthropic/c"]["n_better"] == 3


def test_metadata_labels_and_unknowns(source: Path, tmp_path: Path) -> None:
    rows = by_model(build(source, tmp_path / "board"))
    assert rows["anthropic/claude-best"]["provider"] == "Anthropic"
    assert rows["anthropic/claude-best"]["weights"] == "closed"
    assert rows["anthropic/hand"]["provider"] == "unknown"
    assert rows["anthropic/hand"]["weights"] == "unknown"
    assert pd.isna(rows["anthropic/hand"]["size_b"])
    assert rows["replay/illustrative-worst"]["label"] == "illustrative (demo data)"
    assert rows["anthropic/hand"]["label"] == ""
    assert rows["anthropic/hand"]["judge"] == "anthropic/judge-synthetic"
    assert rows["anthropic/hand"]["suite_version"] == "0.0.1"


def test_demo_label_survives_a_models_file_without_it(source: Path, tmp_path: Path) -> None:
    models = tmp_path / "models.yaml"
    models.write_text("models: []\n")
    rows = by_model(build(source, tmp_path / "board", models=models))
    assert rows["replay/illustrative-worst"]["label"] == "illustrative (demo data)"


def test_model_table_globs() -> None:
    table = load_model_table()
    assert table.describe("openai/meta-llama/Llama-3.1-70B-Instruct").size_b == 70
    assert table.describe("openai/meta-llama/Llama-3.1-70B-Instruct").weights == "open"
    assert table.describe("openai/my-own-model") == ModelDescription(
        provider="unknown", weights="unknown", size_b=None, label=""
    )


def test_bad_models_file_names_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "models.yaml"
    bad.write_text("models:\n  - pattern: x\n    weights: half-open\n")
    with pytest.raises(UsageError, match=r"models.yaml:models.0.weights:"):
        load_model_table(bad)


def test_diversity_columns_are_null_with_a_note_when_absent(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "benchmark.analysis.diversity", None)  # import now fails
    assert not diversity_available()
    board = build(source, tmp_path / "board")
    for k in DIVERSITY_KEYS:
        assert board[f"div_{k}"].isna().all()
    meta = json.loads((tmp_path / "board" / META_FILE).read_text())
    assert meta["diversity_note"] == DIVERSITY_MISSING
    assert f"diversity: {DIVERSITY_MISSING}" in meta["notes"]


def _varied(task: ResolvedTask, sample: int) -> str:
    words = ["harbour", "lamp", "ledger", "orchard", "ferry", "winter", "signal", "bread"]
    return " ".join(words[(sample * 3 + i * (len(task.id) + 1)) % 8] for i in range(30))


def test_diversity_columns_are_the_diversity_module_values(tmp_path: Path) -> None:
    pytest.importorskip("benchmark.analysis.diversity", reason="diversity module not installed")
    from benchmark.analysis.diversity import HEADLINE_KEYS, diversity_report

    # The board asks for the headline pass only: every column it shows must be in it, with
    # the full report's value (compared below).
    assert set(DIVERSITY_KEYS) <= set(HEADLINE_KEYS)
    src = tmp_path / "src"
    bundle(src, "varied", samples=3, text=_varied)
    bundle(src, "same", samples=3, text=lambda t, s: f"The one answer this model gives to {t.id}.")
    cache = tmp_path / "cache"
    rows = by_model(build(src, tmp_path / "board", cache=cache))
    suite = mini_suites()["0.0.1"]
    records = [(t.id, "m", _varied(t, s)) for t in suite.tasks for s in range(3)]
    expected = diversity_report(records)["m"]
    for k in DIVERSITY_KEYS:
        assert rows["anthropic/varied"][f"div_{k}"] == pytest.approx(expected[k]), k
    assert rows["anthropic/varied"]["div_n_texts"] == 9
    # three identical samples per prompt: nothing distinct within a prompt
    assert rows["anthropic/same"]["div_mean_pairwise_similarity"] == pytest.approx(1.0)
    assert rows["anthropic/varied"]["div_mean_pairwise_similarity"] < 1.0
    # The second build takes the values from the cache, keyed by the responses' bytes.
    assert len(list((cache / "diversity").rglob("*.json"))) == 2
    import leaderboard.metrics as metrics_module

    def fail(*a: object, **k: object) -> None:
        raise AssertionError("diversity recomputed despite the cache")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(metrics_module, "diversity_columns", fail)
        again = by_model(build(src, tmp_path / "board", cache=cache))
    assert again["anthropic/varied"]["div_vendi"] == rows["anthropic/varied"]["div_vendi"]


def test_tasks_and_details_files(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "board"
    key = str(by_model(build(source, out))["anthropic/hand"]["run_key"])
    tasks = pd.read_parquet(out / TASKS_FILE)
    mine = tasks[tasks["run_key"] == key].set_index("task_id")["score"].to_dict()
    assert mine == HAND_TASKS
    responses = pd.read_parquet(out / "details" / key / "responses.parquet")
    judgments = pd.read_parquet(out / "details" / key / "judgments.parquet")
    assert len(responses) == 3 and len(judgments) == 9
    row = judgments.set_index("item_id").loc["cliche"]
    assert row["item_text"] == "Opens with a cliche." and row["points"] == -2


def test_cost_from_recorded_usage(source: Path, tmp_path: Path) -> None:
    rows = by_model(build(source, tmp_path / "board"))
    # synthetic specs have no list price: unknown, not zero
    assert pd.isna(rows["anthropic/hand"]["cost_usd"])


def test_a_failed_build_keeps_the_previous_board(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "board"
    build(source, out)
    before = (out / BOARD_FILE).read_bytes()
    with pytest.raises(UsageError):
        build_board(source, out, suites=mini_suites(), models=tmp_path / "absent.yaml")
    assert (out / BOARD_FILE).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_refuses_to_overwrite_a_folder_that_is_not_a_board(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "precious"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(UsageError, match="holds no board"):
        build_board(source, out, suites=mini_suites())
    assert (out / "notes.txt").read_text() == "keep me"


def test_duplicate_run_ids_keep_the_first(tmp_path: Path) -> None:
    src = tmp_path / "src"
    bundle(src, "a", run_id="same")
    bundle(src, "b", run_id="same")
    build(src, tmp_path / "board")
    rejected = json.loads((tmp_path / "board" / REJECTED_FILE).read_text())
    assert [(Path(r["source"]).name, r["code"]) for r in rejected] == [("b", "duplicate_run")]


def test_cli_build_json(
    source: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MUSEBENCH_CACHE", str(tmp_path / "cache"))
    out = str(tmp_path / "b")
    code = main(["leaderboard", "build", str(source), "--out", out, "--suite", str(MINI), "--json"])
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["accepted"] == 3 and len(doc["rejected"]) == 4


def test_cli_build_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["leaderboard", "build", str(tmp_path / "nope"), "--out", str(tmp_path)]) == 2
    assert "SOURCE:" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["leaderboard", "build", str(tmp_path), "--out", "x", "--min-coverage", "1.5"])
    assert info.value.code == 2
    assert "--min-coverage" in capsys.readouterr().err


@pytest.mark.slow
def test_worker_processes_build_the_same_board(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import leaderboard.build as build_module

    serial = build(source, tmp_path / "serial", workers=1)
    monkeypatch.setattr(build_module, "PARALLEL_FROM", 2)
    parallel = build(source, tmp_path / "parallel", workers=2)
    drop = ["created_at", "source"]
    pd.testing.assert_frame_equal(serial.drop(columns=drop), parallel.drop(columns=drop))
    assert (
        json.loads((tmp_path / "serial" / REJECTED_FILE).read_text())[0]["code"]
        == json.loads((tmp_path / "parallel" / REJECTED_FILE).read_text())[0]["code"]
    )
    assert sorted(p.name for p in (tmp_path / "parallel" / "details").iterdir()) == sorted(
        serial["run_key"]
    )


def test_an_in_process_build_leaves_the_garbage_collector_as_it_was(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bundles are built with the survivors of the previous ones frozen (bundle_job._settle_heap);
    in the caller's process everything is unfrozen at the end, and a caller that froze objects
    itself keeps exactly those frozen."""
    import gc

    import leaderboard.bundle_job as job_module

    if gc.get_freeze_count():
        pytest.skip("this test process froze objects before")
    frozen_at_start: list[int] = []
    real = job_module._settle_heap

    def spy() -> None:
        real()
        frozen_at_start.append(gc.get_freeze_count())

    monkeypatch.setattr(job_module, "_settle_heap", spy)
    build(source, tmp_path / "a", workers=1)
    assert len(frozen_at_start) == 7 and min(frozen_at_start) > 0  # one per bundle
    assert gc.get_freeze_count() == 0
    gc.freeze()
    try:
        mine = gc.get_freeze_count()
        frozen_at_start.clear()
        build(source, tmp_path / "b", workers=1)
        assert frozen_at_start == []
        assert gc.get_freeze_count() <= mine  # none frozen (some of those may have been freed)
    finally:
        gc.unfreeze()


def test_a_worker_freezes_nothing_dead_and_keeps_the_collector_on(
    source: Path, tmp_path: Path
) -> None:
    """A worker (bundle_job._init_worker) reads each bundle with the collector off and freezes its
    records (bundle_job._bundle_heap): after every bundle, accepted or rejected, the collector is
    on, and the frozen objects do not grow from bundle to bundle (the records were freed)."""
    import gc

    import leaderboard.build as build_module

    if gc.get_freeze_count():
        pytest.skip("this test process froze objects before")
    staging = tmp_path / "staging"
    staging.mkdir()
    jobs = [(i, p, str(p)) for i, p in enumerate(sorted(source.iterdir()))] * 2
    frozen, codes = [], []
    build_module._init_worker(mini_suites(), None, 0.99, 1, staging, tmp_path / "cache")
    try:
        for job in jobs:
            out = build_module._process(job)
            assert gc.isenabled()
            frozen.append(gc.get_freeze_count())
            codes.append(out.get("code") if isinstance(out, dict) else "ok")
    finally:
        build_module._STATE.clear()
        gc.unfreeze()
    assert codes.count("ok") == 6 and len(set(codes)) > 2  # accepted and rejected, twice
    assert min(frozen) > 0 and max(frozen[7:]) <= max(frozen[:7])  # the second round adds none


@pytest.mark.slow
def test_workers_take_the_largest_bundle_first_yet_admit_in_path_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two bundles of one run id: "b" is the larger, so a worker starts on it first, but "a"
    comes first in path order and keeps the run id, as in a build without workers."""
    import leaderboard.build as build_module

    src = tmp_path / "src"
    bundle(src, "a", run_id="same")
    (bundle(src, "b", run_id="same") / "notes.txt").write_text("x" * 100_000)
    submitted: list[str] = []

    class Recording(ProcessPoolExecutor):
        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
            submitted.append(Path(args[0][1]).name)
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(build_module, "ProcessPoolExecutor", Recording)
    monkeypatch.setattr(build_module, "PARALLEL_FROM", 2)
    board = build(src, tmp_path / "board", workers=2)
    assert submitted == ["b", "a"]
    assert board["model"].tolist() == ["anthropic/a"]
    rejected = json.loads((tmp_path / "board" / REJECTED_FILE).read_text())
    assert [(Path(r["source"]).name, r["code"]) for r in rejected] == [("b", "duplicate_run")]


def test_a_worker_imports_neither_pandas_nor_the_renderer() -> None:
    """A build worker imports bundle_job.py only: pandas and the screenshot renderer
    (streamlit) are the board's, and would cost each worker's start ~0.3 CPU-s."""
    code = (
        "import sys, leaderboard.bundle_job; "
        "print(sorted({'pandas', 'streamlit', 'huggingface_hub'} & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    ).stdout
    assert out.strip() == "[]"
