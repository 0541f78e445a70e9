"""HANNA validation: docs/DIVERSITY.md's tables must be what the code computes on the real data
(Chhun et al., TACL 2024, hanna_llm_stories.csv in ../shared/data; texts never copied here)."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from benchmark.analysis.diversity import DEFAULT_THRESHOLD, diversity_report
from benchmark.cli import main


def load_script(repo_root: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "hanna_diversity", repo_root / "scripts" / "hanna_diversity.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def doc_block(repo_root: Path, name: str) -> str:
    doc = (repo_root / "docs" / "DIVERSITY.md").read_text(encoding="utf-8")
    m = re.search(rf"<!-- {name}:start -->\n(.*?)\n<!-- {name}:end -->", doc, re.S)
    assert m, f"docs/DIVERSITY.md has no {name} block"
    return m.group(1)


_CACHE: dict[Path, dict[str, Any]] = {}


@pytest.fixture
def hanna(shared_data: Path, repo_root: Path) -> dict[str, Any]:
    """The report on HANNA, computed once per test session (shared_data is function-scoped)."""
    csv = shared_data / "hanna" / "hanna_llm_stories.csv"
    if csv not in _CACHE:
        script = load_script(repo_root)
        records = script.hanna_records(csv)
        _CACHE[csv] = {
            "script": script,
            "csv": csv,
            "records": records,
            "report": diversity_report(records),
        }
    return _CACHE[csv]


def test_doc_tables_match_the_code(hanna: dict[str, Any], repo_root: Path) -> None:
    script = hanna["script"]
    assert script.markdown_table(hanna["report"]) == doc_block(repo_root, "hanna-table")
    assert script.length_controlled(hanna["records"]) == doc_block(repo_root, "hanna-length")


def test_hanna_figures(hanna: dict[str, Any]) -> None:
    r = hanna["report"]
    assert len(hanna["records"]) == 672 and len(r) == 7
    human, llama7 = r["Human"], r["Llama-7b"]
    assert human["n_texts"] == 96 and human["vendi"] is None  # one story per prompt
    assert human["distinct_2"] == pytest.approx(0.648, abs=5e-4)
    assert llama7["opening_recurrence"] == pytest.approx(62 / 96)
    assert r["LlamaInstruct-30b"]["slop_per_1k"] == pytest.approx(11.782, abs=5e-4)
    assert all(m["cross_prompt"]["distinct_k"] == 96 for m in r.values())
    # the humans lead on pooled distinct-2 and cross-prompt similarity
    assert max(r, key=lambda k: r[k]["distinct_2"]) == "Human"
    assert min(r, key=lambda k: r[k]["cross_prompt_similarity"]) == "Human"


def test_threshold_sits_between_independent_stories_and_retellings(hanna: dict[str, Any]) -> None:
    cal = hanna["script"].calibration(hanna["records"])
    assert cal["same_prompt_pairs"] == 2016
    assert cal["same_prompt_max"] == pytest.approx(0.471, abs=5e-4)
    assert cal["own_first_half_min"] == pytest.approx(0.598, abs=5e-4)
    assert cal["same_prompt_max"] < DEFAULT_THRESHOLD["tfidf"] < cal["own_first_half_min"]


def test_cli_on_the_raw_csv_gives_the_same_numbers_per_model(
    hanna: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """Each model is measured on its own texts: leaving the human stories out changes nothing."""
    args = ["diversity", str(hanna["csv"]), "--json", "--prompt-column", "Prompt"]
    args += ["--model-column", "Model", "--text-column", "Story"]
    assert main(args) == 0
    models = json.loads(capsys.readouterr().out)["models"]
    assert set(models) == set(hanna["report"]) - {"Human"}
    # prompt ids differ (prompt text vs number) but no metric depends on the id itself
    for name, got in models.items():
        want = hanna["report"][name]
        assert got["distinct_2"] == want["distinct_2"]
        assert got["cross_prompt"] == want["cross_prompt"]
        assert got["slop_per_1k"] == want["slop_per_1k"]
