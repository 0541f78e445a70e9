"""Mode-collapse rules (benchmark/data/mode_collapse.yaml) on hand-computed rows, the docs
that justify them, and the warning on the model page for a run whose samples are identical."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from benchmark.errors import UsageError
from benchmark.measure.collapse import (
    collapse_findings,
    load_packaged_rules,
    load_rules,
    run_measures,
)
from benchmark.records.schemas import ResolvedTask
from leaderboard.boarddata import DATA_ENV
from leaderboard.build import build_board
from leaderboard.files import BOARD_FILE
from leaderboard.metrics import diversity_available
from tests.leaderboard_helpers import bundle, mini_suites

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "leaderboard" / "app.py")
NAN = math.nan


def _names(row: dict[str, float | None]) -> list[str]:
    return [f.rule.name for f in collapse_findings(row)]


def test_packaged_rules_are_the_documented_ones() -> None:
    rules = {r.measure: (r.at_least, r.at_most) for r in load_packaged_rules().rules}
    assert rules == {
        "mean_pairwise_similarity": (0.5, None),
        "distinct_k_ratio": (None, 0.5),
        "cross_prompt_similarity": (0.3, None),
        "compression_ratio": (5.0, None),
    }
    docs = (REPO / "docs" / "LEADERBOARD.md").read_text()
    for rule in load_packaged_rules().rules:
        assert f"| `{rule.measure}` | {rule.bound} |" in docs, rule.measure


def test_every_rule_at_its_threshold_holds() -> None:
    # distinct_k 2 of 4 samples per task: ratio 2/4 = 0.5, at the bound.
    row = {
        "div_mean_pairwise_similarity": 0.5,
        "div_distinct_k": 2.0,
        "samples": 4,
        "div_cross_prompt_similarity": 0.3,
        "div_compression_ratio": 5.0,
    }
    assert run_measures(row)["distinct_k_ratio"] == 0.5
    assert _names(row) == [
        "samples alike",
        "few distinct samples",
        "same answer across tasks",
        "repetitive text",
    ]
    assert str(collapse_findings(row)[1]) == "few distinct samples: distinct_k_ratio = 0.5 (≤ 0.5)"


def test_just_inside_every_threshold_nothing_holds() -> None:
    # distinct_k 1.51 of 3 samples: ratio 0.5033 > 0.5.
    row = {
        "div_mean_pairwise_similarity": 0.499,
        "div_distinct_k": 1.51,
        "samples": 3,
        "div_cross_prompt_similarity": 0.299,
        "div_compression_ratio": 4.99,
    }
    assert run_measures(row)["distinct_k_ratio"] == pytest.approx(1.51 / 3)
    assert _names(row) == []


def test_one_sample_per_task_leaves_the_within_task_rules_out() -> None:
    row = {
        "div_mean_pairwise_similarity": None,
        "div_distinct_k": None,
        "samples": 1,
        "div_cross_prompt_similarity": 0.31,
        "div_compression_ratio": 3.1,
    }
    assert run_measures(row)["distinct_k_ratio"] is None
    assert _names(row) == ["same answer across tasks"]
    # distinct_k without enough samples to mean anything is not read either.
    assert run_measures({"div_distinct_k": 1.0, "samples": 1})["distinct_k_ratio"] is None


def test_nothing_measured_is_no_finding() -> None:
    row = {f"div_{k}": NAN for k in ("mean_pairwise_similarity", "distinct_k")}
    row |= {"samples": 3, "div_cross_prompt_similarity": NAN, "div_compression_ratio": NAN}
    assert _names(row) == []
    assert _names({}) == []


def test_a_rule_needs_exactly_one_bound(tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text(
        "rules:\n  - {name: x, measure: compression_ratio, at_least: 1, at_most: 2, means: y}\n"
    )
    with pytest.raises(UsageError, match=r"rules.yaml:rules.0: .*exactly one of at_least"):
        load_rules(bad)


# --------------------------------------------------------------------------- on the page

VARIED = [
    "The lighthouse keeper climbed the stairs at dawn and counted gulls.",
    "Rain fell on the market while traders argued about apples.",
    "A violinist tuned her strings in an empty railway station.",
    "Snow buried the orchard; the farmer dug paths toward the hives.",
    "Two chess players in a ferry cabin ignored the storm outside.",
    "The baker burned every loaf the morning her brother came home.",
    "Astronomers logged a comet whose tail pointed the wrong way.",
    "A child taught the parrot to whistle the national anthem backwards.",
    "Divers mapped a sunken cathedral by the light of their torches.",
]
TASK_OFFSET = {"story": 0, "talk": 3, "page": 6}


def _varied(task: ResolvedTask, sample: int) -> str:
    return VARIED[TASK_OFFSET[task.id] + sample]


def _same(task: ResolvedTask, sample: int) -> str:
    return f"The same answer to {task.id}, every time it is asked."


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not diversity_available():
        pytest.skip("benchmark.analysis.diversity is not installed")
    src = tmp_path_factory.mktemp("src")
    bundle(src, "parrot", samples=3, text=_same)
    bundle(src, "varied", samples=3, text=_varied)
    out = tmp_path_factory.mktemp("board") / "board"
    build_board(src, out, suites=mini_suites(), cache=None)
    return out


def _model_page(board: Path, model: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv(DATA_ENV, str(board))
    frame = pd.read_parquet(board / BOARD_FILE).set_index("model")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.query_params["run"] = frame.loc[model, "run_key"]
    at = at.switch_page("views/model.py").run()
    assert not at.exception, at.exception
    return at


def test_identical_samples_are_measured_as_collapsed(board: Path) -> None:
    frame = pd.read_parquet(board / BOARD_FILE).set_index("model")
    parrot, varied = frame.loc["anthropic/parrot"], frame.loc["anthropic/varied"]
    # Three identical samples per task: every pair has cosine 1 and one class per task.
    assert parrot["div_mean_pairwise_similarity"] == pytest.approx(1.0)
    assert parrot["div_distinct_k"] == pytest.approx(1.0)
    assert _names(parrot.to_dict())[:2] == ["samples alike", "few distinct samples"]
    # Nine sentences without a content word in common: cosine 0, every sample its own class.
    assert varied["div_mean_pairwise_similarity"] == pytest.approx(0.0, abs=1e-6)
    assert varied["div_distinct_k"] == pytest.approx(3.0)
    assert _names(varied.to_dict()) == []


def test_model_page_warns_on_collapse_only(board: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _model_page(board, "anthropic/parrot", monkeypatch)
    (warning,) = at.warning
    assert "This run shows signs of mode collapse." in warning.value
    assert "Samples alike:" in warning.value and "warns at ≥ 0.5" in warning.value
    panel = next(df.value for df in at.dataframe if "measure" in df.value.columns)
    assert panel.set_index("mode collapse at")["this run"]["≥ 0.5"] == "1.000"
    assert panel.set_index("measure")["this run"]["texts measured"] == "9"
    assert "slop: weighted stock-phrase hits per 1,000 words" in panel["measure"].tolist()

    at = _model_page(board, "anthropic/varied", monkeypatch)
    assert not at.warning
