"""The run viewer page (leaderboard/viewer/app.py) under Streamlit's AppTest, on runs made by
`musebench demo` (tests/run_fixtures.py): the filters change what is shown, the judge's evidence
is highlighted, and a hostile response or model name stays text."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from benchmark.records.loaded_run import load_run
from leaderboard.viewer.frames import RUNS_ENV
from tests.run_fixtures import DemoRuns, hostile_copy, make_demo_runs

pytestmark = pytest.mark.slow  # the fixture runs `musebench demo` and a judged run (~15 s)

APP = Path(__file__).resolve().parents[2] / "leaderboard" / "viewer" / "app.py"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> DemoRuns:
    return make_demo_runs(tmp_path_factory.mktemp("runs"))


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _app(monkeypatch: pytest.MonkeyPatch, *run_dirs: Path) -> AppTest:
    monkeypatch.setenv(RUNS_ENV, os.pathsep.join(str(d) for d in run_dirs))
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _shown(at: AppTest) -> str:
    return next(c.value for c in at.caption if "verdict(s) on" in c.value)


def _verdict_table(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "evidence" in d.value.columns)


def _html(at: AppTest) -> str:
    return "\n".join(h.proto.body for h in at.get("html"))


def test_the_filters_change_what_is_shown(runs: DemoRuns, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _lines(runs.judged / "judgments.jsonl")
    n_responses = len(_lines(runs.judged / "responses.jsonl"))
    at = _app(monkeypatch, runs.judged)
    assert _shown(at) == f"{len(rows)} verdict(s) on {n_responses} response(s) shown."

    # Items that lost points: a positive item not met, a negative one found.
    lost = [
        j for j in rows
        if j["verdict"] is not None and (j["verdict"] is (j["points"] < 0))
    ]  # fmt: skip
    at.checkbox(key="filter_failed").check().run()
    pairs = {(j["task_id"], j["sample"]) for j in lost}
    assert _shown(at) == f"{len(lost)} verdict(s) on {len(pairs)} response(s) shown."
    table = _verdict_table(at)
    assert len(table) > 0
    for points, verdict in zip(table["points"], table["verdict"], strict=True):
        assert verdict == ("met" if points < 0 else "not met")

    at.checkbox(key="filter_failed").uncheck()
    at.selectbox(key="filter_dimension").select("craft").run()
    craft = [j for j in rows if j["dimension"] == "craft"]
    pairs = {(j["task_id"], j["sample"]) for j in craft}
    assert _shown(at) == f"{len(craft)} verdict(s) on {len(pairs)} response(s) shown."
    assert set(_verdict_table(at)["dimension"]) == {"craft"}

    at.selectbox(key="filter_dimension").select("(all dimensions)")
    at.checkbox(key="filter_disagree").check().run()
    split = [j for j in rows if j["votes"] and len(set(j["votes"])) > 1]
    pairs = {(j["task_id"], j["sample"]) for j in split}
    assert 0 < len(split) < len(rows)
    assert _shown(at) == f"{len(split)} verdict(s) on {len(pairs)} response(s) shown."
    task, sample = at.selectbox(key="sample_task").value, at.selectbox(key="sample_n").value
    expected = {j["item_id"] for j in split if (j["task_id"], j["sample"]) == (task, sample)}
    assert set(_verdict_table(at)["item"]) == expected
    votes = next(d.value for d in at.dataframe if "votes" in d.value.columns)
    assert set(votes["item"]) == expected and (votes["agreement"] < 1).all()


def test_one_judge_sample_disables_the_disagreement_filter(
    runs: DemoRuns, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _app(monkeypatch, runs.judged, runs.careful)
    assert not at.checkbox(key="filter_disagree").disabled
    at.selectbox(key="view_run").set_value(1).run()
    assert at.checkbox(key="filter_disagree").disabled
    careful = load_run(runs.careful).manifest
    assert careful.run_id in _html(at) and careful.model in _html(at)
    rows = _lines(runs.careful / "judgments.jsonl")
    assert _shown(at).startswith(f"{len(rows)} verdict(s)")


def test_the_judges_evidence_is_highlighted(
    runs: DemoRuns, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _lines(runs.judged / "judgments.jsonl")
    quoted = next(j for j in rows if j["evidence"] and j["grounded"] and j["verdict"])
    at = _app(monkeypatch, runs.judged)
    at.selectbox(key="sample_task").select(quoted["task_id"]).run()
    at.selectbox(key="sample_n").select(quoted["sample"]).run()
    assert f">{quoted['evidence']}</mark>" in _html(at).replace("&#x27;", "'")
    assert f'title="{quoted["item_id"]}: met ({quoted["points"]:+d})"' in _html(at)


def test_a_hostile_response_stays_text(
    runs: DemoRuns, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    task, sample = hostile_copy(runs.judged, tmp_path / "hostile")
    at = _app(monkeypatch, tmp_path / "hostile")
    at.selectbox(key="sample_task").select(task).run()
    at.selectbox(key="sample_n").select(sample).run()
    page = _html(at)
    assert (
        "&lt;script&gt;document.title = &#x27;pwned&#x27;&lt;/script&gt;</mark>" in page
    )  # marked, inert
    assert "&lt;img src=&quot;http://127.0.0.1:9/pixel.png&quot;" in page
    assert "<script" not in page and "<img" not in page and "<a " not in page
    assert "&lt;b&gt;bold&lt;/b&gt;</h1>" in page  # the model name, as written
    # Nothing reached a renderer that turns markdown into markup.
    for element in (*at.markdown, *at.caption, *at.title, *at.header, *at.subheader):
        assert "127.0.0.1:9" not in element.value
