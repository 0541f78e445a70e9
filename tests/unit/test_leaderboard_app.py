"""The Streamlit app's pages under AppTest: the board with its filters and sorting, the model
page (radar, per-task scores, sample viewer with highlighted evidence), and the about page
with the rejected bundles."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from benchmark.records.schemas import ResolvedTask, RubricItem
from leaderboard.boarddata import DATA_ENV, board_signature
from leaderboard.build import build_board
from leaderboard.files import BOARD_FILE
from leaderboard.metrics import diversity_available
from tests.leaderboard_helpers import bundle, constant, edit_json, mini_suite, mini_suites

APP = str(Path(__file__).resolve().parents[2] / "leaderboard" / "app.py")
STORY = "The lighthouse keeper climbed the stairs. Nothing changed."


PAGE = "<!DOCTYPE html><html><body><form><input><button>Go</button></form><script>alert(1)</script>"


def _story_text(name: str) -> Callable[[ResolvedTask, int], str]:
    """The same story and page for every bundle, each signed with the bundle's name (two
    bundles with the same responses would be one copying the other)."""

    def text(task: ResolvedTask, sample: int) -> str:
        signed = {"story": f"{STORY} ({name})", "page": f"{PAGE}<!-- {name} -->"}
        return signed.get(task.id, f"Synthetic answer to {task.id} ({name}).")

    return text


def _quote(item: RubricItem, text: str) -> str:
    return "The lighthouse keeper" if item.id == "has_lighthouse" and "lighthouse" in text else ""


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src")
    bundle(src, "claude-top", verdict=constant(True), text=_story_text("top"), evidence=_quote)
    bundle(src, "hand", text=_story_text("hand"), evidence=_quote)
    bundle(src, "openish", model="openai/meta-llama/Llama-3.1-8B-Instruct")
    bundle(src, "floor", model="replay/illustrative-floor", verdict=constant(False))
    liar = bundle(src, "liar")
    edit_json(liar / "scores.json", lambda s: s["overall"].update(score=100.0))
    # two of the three tasks, all met: the best overall, but not comparable, so unranked
    bundle(src, "subset", verdict=constant(True), task_ids=["story", "talk"])
    out = tmp_path_factory.mktemp("board") / "board"
    build_board(src, out, suites=mini_suites(), min_samples=1)
    return out


@pytest.fixture
def app(board: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.setenv(DATA_ENV, str(board))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    yield at


def _scores_table(at: AppTest) -> pd.DataFrame:
    return at.dataframe[0].value


def _key_of(at: AppTest, model: str) -> str:
    frame = pd.read_parquet(Path(os.environ[DATA_ENV]) / BOARD_FILE)
    return str(frame.set_index("model").loc[model, "run_key"])


def _html(at: AppTest) -> list[str]:
    """What the page shows through st.html (board fields, inert), in order."""
    return [str(h.value) for h in at.html]


def test_board_page(app: AppTest) -> None:
    assert app.title[0].value == "musebench leaderboard"
    assert any("illustrative (demo data)" in h for h in _html(app))
    table = _scores_table(app)
    assert len(table) == 4
    assert table["rank"].tolist() == sorted(table["rank"])
    assert table.iloc[0]["model"] == "anthropic/claude-top"
    assert table.iloc[0]["overall 95% CI"] == "100.0 [100.0, 100.0]"
    assert "replay/illustrative-floor — illustrative (demo data)" in table["model"].tolist()
    # Each row links to its run's page (a relative link, opened by the table's link column).
    keys = pd.read_parquet(Path(os.environ[DATA_ENV]) / BOARD_FILE).set_index("model")["run_key"]
    assert table.iloc[0]["page"] == f"model?run={keys['anthropic/claude-top']}"
    assert all(app.dataframe[i].value["page"].str.startswith("model?run=").all() for i in (0, 1, 3))
    assert "1 bundles rejected" in _html(app)[0]
    assert len(app.tabs) == 5
    assert "No pairwise bundle on this board" in app.info[-1].value
    # the overall-with-CI chart, and the quality-versus-diversity scatter when measured
    assert len(app.get("vega_lite_chart")) == (2 if diversity_available() else 1)


def test_unranked_runs_are_shown_apart(app: AppTest) -> None:
    """A subset of the suite is listed under its own heading with the reason, never in the
    ranked tables or charts; its page says it is unranked."""
    assert "anthropic/subset" not in _scores_table(app)["model"].tolist()
    assert [h.value for h in app.subheader][-1] == (
        "Unranked runs (1): not comparable with the ranked board"
    )
    unranked = app.dataframe[-1].value
    assert unranked["model"].tolist() == ["anthropic/subset"]
    assert unranked["why unranked"].iloc[0] == "subset of the suite: 2 of 3 tasks of suite 0.0.1"
    assert unranked["overall (its tasks)"].iloc[0] == 100.0
    assert unranked["page"].iloc[0] == f"model?run={_key_of(app, 'anthropic/subset')}"
    assert "(4 ranked, 1 unranked)" in _html(app)[0]
    app.query_params["run"] = _key_of(app, "anthropic/subset")
    at = app.switch_page("views/model.py").run()
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["rank"] == "unranked"
    assert any(
        "Unranked, shown apart from the ranked board: subset of the suite" in h for h in _html(at)
    )


def test_board_of_unranked_runs_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, out = tmp_path / "src", tmp_path / "board"
    bundle(src, "alone", task_ids=["story"])
    build_board(src, out, suites=mini_suites(), min_samples=1)
    monkeypatch.setenv(DATA_ENV, str(out))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert _scores_table(at).empty
    assert at.dataframe[-1].value["model"].tolist() == ["anthropic/alone"]


def test_filters_and_sorting(app: AppTest) -> None:
    app.multiselect(key="f_weights").set_value(["closed"]).run()
    assert _scores_table(app)["model"].tolist() == ["anthropic/claude-top"]
    app.multiselect(key="f_weights").set_value(["open", "closed", "unknown"]).run()
    app.checkbox(key="f_labelled").uncheck().run()
    assert len(_scores_table(app)) == 3
    app.checkbox(key="f_labelled").check().run()
    app.selectbox(key="sort_by").set_value("overall").run()
    app.checkbox(key="sort_reverse").check().run()
    overall = _scores_table(app)["overall"].tolist()
    assert overall == sorted(overall) and overall[0] == 0.0
    app.multiselect(key="f_providers").set_value(["Meta"]).run()
    assert _scores_table(app)["model"].tolist() == ["openai/meta-llama/Llama-3.1-8B-Instruct"]


def test_runs_tab_shows_judge_suite_and_cost(app: AppTest) -> None:
    runs = app.dataframe[3].value
    assert set(runs["judge"]) == {"anthropic/judge-synthetic"}
    assert set(runs["suite"].str.startswith("0.0.1 (")) == {True}
    assert "cost (USD)" in runs.columns and "tasks" in runs.columns


def test_model_page(app: AppTest, board: Path) -> None:
    key = pd.read_parquet(board / BOARD_FILE).set_index("model").loc["anthropic/hand", "run_key"]
    app.query_params["run"] = key
    at = app.switch_page("views/model.py").run()
    assert not at.exception, at.exception
    assert '">anthropic/hand</h1>' in _html(at)[0]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["rank"] == "1"
    assert metrics["overall"] == "59.2"
    # Full coverage: the rank score and its interval are the overall score's.
    assert any(
        "rank score 59.2 [37.5, 100.0] (95% CI): the overall score with every missing" in h
        for h in _html(at)
    )
    assert metrics["95% CI"] == "37.5 – 100.0"
    assert metrics["tasks"] == "3 / 3"
    assert len(at.get("vega_lite_chart")) == 2  # radar + per-task bars
    assert at.selectbox(key="sample_task").value == "story"  # the suite's order
    html = next(h for h in _html(at) if "<mark" in h)
    assert (
        '<mark style="background:#c8f7c5" title="has_lighthouse: met (+4)">The lighthouse keeper</mark>'
        in html
    )
    verdicts = at.dataframe[-1].value.set_index("item")
    assert verdicts.loc["has_change", "verdict"] == "not met"
    assert verdicts.loc["has_lighthouse", "evidence"] == "The lighthouse keeper"


def test_sample_viewer_shows_a_web_page_framed_and_its_source_escaped(app: AppTest) -> None:
    at = app.switch_page("views/model.py").run()
    at.selectbox(key="sample_task").set_value("page").run()
    assert not at.exception
    shown = "".join(_html(at))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown and "<script" not in shown
    assert [t.label for t in at.tabs][-2:] == ["Rendered page", "Source, with evidence"]
    (frame,) = at.get("bidi_component")
    assert frame.proto.component_name == "musebench.page_frame"
    doc = json.loads(frame.proto.json)["doc"]
    assert doc.startswith('<meta http-equiv="Content-Security-Policy"') and PAGE in doc


def test_single_turn_sample_shows_its_prompt(app: AppTest) -> None:
    at = app.switch_page("views/model.py").run()
    shown = _html(at)
    titles = [h for h in shown if h.startswith('<p style="font-weight: 600')]
    assert [t.split(">")[1].split("<")[0] for t in titles] == ["Prompt", "Response"]
    prompt = mini_suite().task("story").prompt
    assert any(prompt.splitlines()[0] in h for h in shown)
    assert not at.get("bidi_component")  # a story is not a page


def test_unknown_run_says_so(app: AppTest) -> None:
    app.query_params["run"] = "no-such-run"
    at = app.switch_page("views/model.py").run()
    assert not at.exception, at.exception
    assert "This board has no run “no-such-run”" in _html(at)[0]
    assert at.selectbox(key="model_run").value is None
    assert not at.metric  # nothing of another run is shown as if it were this one
    at.selectbox(key="model_run").set_value(_key_of(at, "anthropic/hand")).run()
    assert '">anthropic/hand</h1>' in "".join(_html(at))
    assert at.query_params["run"] == _key_of(at, "anthropic/hand")


def test_about_page_lists_rejections(app: AppTest) -> None:
    at = app.switch_page("views/about.py").run()
    assert not at.exception, at.exception
    rejected = at.dataframe[-1].value
    assert rejected["code"].tolist() == ["score_mismatch"]
    assert rejected["reason"].iloc[0].startswith("stated score does not match")


def test_no_board_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DATA_ENV, raising=False)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert "No board to show" in at.error[0].value


def test_missing_board_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert "holds no leaderboard.parquet" in _html(at)[0]


def test_board_with_no_accepted_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build where every bundle was rejected writes a board without columns: every page
    says so instead of failing."""
    src = tmp_path / "src"
    liar = bundle(src, "liar")
    edit_json(liar / "scores.json", lambda s: s["overall"].update(score=100.0))
    out = tmp_path / "board"
    build_board(src, out, suites=mini_suites(), min_samples=1)
    monkeypatch.setenv(DATA_ENV, str(out))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert "No run passed verification yet." in [i.value for i in at.info]
    for page in ("views/model.py", "views/about.py"):
        at = at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
    assert at.dataframe[-1].value["code"].tolist() == ["score_mismatch"]


def test_rebuilt_board_is_read_again_without_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The served board follows `leaderboard build` into the same folder; reruns in between
    do not read the board again."""
    import leaderboard.ui as ui

    reads: list[str] = []
    real = ui.load_board
    monkeypatch.setattr(ui, "load_board", lambda root: reads.append(str(root)) or real(root))
    src, out = tmp_path / "src", tmp_path / "board"
    bundle(src, "first")
    bundle(src, "second", verdict=constant(True))
    build_board(src, out, suites=mini_suites(), min_samples=1)
    monkeypatch.setenv(DATA_ENV, str(out))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert len(_scores_table(at)) == 2
    at.run()
    at.run()
    assert len(reads) == 1
    bundle(src, "third", verdict=constant(False))
    build_board(src, out, suites=mini_suites(), min_samples=1)
    at.run()
    assert not at.exception, at.exception
    assert len(_scores_table(at)) == 3
    assert len(reads) == 2


def test_board_signature_changes_with_a_rebuild_only(tmp_path: Path) -> None:
    src, out = tmp_path / "src", tmp_path / "board"
    bundle(src, "first")
    build_board(src, out, suites=mini_suites(), min_samples=1)
    before = board_signature(out)
    assert board_signature(out) == before
    build_board(src, out, suites=mini_suites(), min_samples=1)  # same bundles, new files
    assert board_signature(out) != before
