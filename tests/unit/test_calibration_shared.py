"""Calibration on HANNA's real judge-vs-human data (skips without ../shared/data)."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from benchmark.measure._hanna import hanna_human_ratings, hanna_judge_ratings
from benchmark.measure.calibration import calibrate
from benchmark.measure.ratings import validate_ratings

# System-level Kendall / Spearman of BLEU vs the human mean over the 10 generating systems,
# published in HANNA's rankings tables (first_commit_bf4a171/rankings/Relevance.csv and
# Coherence.csv, columns <criterion>_system_kendall / _system_spearman).
PUBLISHED_BLEU_SYSTEM = {
    "Relevance": (0.5555555555555555, 0.7212121212121211),
    "Coherence": (0.3333333333333333, 0.5757575757575757),
}


def test_system_ranking_reproduces_published_metric_correlations(shared_data: Path) -> None:
    table = pd.read_csv(shared_data / "hanna" / "hanna_metric_scores_llm.csv")
    humans = hanna_human_ratings(shared_data / "hanna")
    humans = humans.loc[humans["system"] != "Human"]  # the rankings cover generated stories
    rows = []
    for system, cell in zip(table["Model"], table["BLEU Ξ§"], strict=True):
        if system == "Human":
            continue
        for i, v in enumerate(ast.literal_eval(cell)):
            for criterion in PUBLISHED_BLEU_SYSTEM:
                rows.append(
                    {
                        "unit_id": f"{system}/{i}",
                        "criterion": criterion,
                        "rater_id": "BLEU",
                        "value": v,
                    }
                )
    bleu = validate_ratings(pd.DataFrame(rows), "BLEU")
    humans = humans.loc[humans["criterion"].isin(list(PUBLISHED_BLEU_SYSTEM))]
    doc = calibrate(humans, bleu, "interval", n_boot=200)
    for criterion, (kendall, spearman) in PUBLISHED_BLEU_SYSTEM.items():
        s = doc["judges"]["BLEU"]["systems"][criterion]
        assert s["n_systems"] == 10
        assert s["kendall"] == pytest.approx(kendall, abs=1e-6)
        assert s["spearman"] == pytest.approx(spearman, abs=1e-6)
        assert s["ci_low"] <= s["spearman"] <= s["ci_high"]


def test_chatgpt_vs_humans_on_hanna(shared_data: Path) -> None:
    humans = hanna_human_ratings(shared_data / "hanna")
    judges = hanna_judge_ratings(shared_data / "hanna", judges=("ChatGPT",))
    keep = ["Relevance", "Coherence"]
    doc = calibrate(
        humans.loc[humans["criterion"].isin(keep)],
        judges.loc[judges["criterion"].isin(keep)],
        "ordinal",
        epsilon=0.1,
        n_boot=100,
    )
    e = doc["judges"]["ChatGPT"]["criteria"]["Relevance"]
    assert e["n_units"] == 1056 and e["judge_samples"] == 4.0
    assert round(e["human_alpha"], 4) == 0.1651  # derived_hanna_irr.json, ordinal
    # independent recomputation of the rank correlation from the wide CSV
    table = pd.read_csv(shared_data / "hanna" / "hanna_metric_scores_llm.csv")

    def flat(col: str) -> np.ndarray:
        return np.concatenate([np.array(ast.literal_eval(c), float) for c in table[col]])

    # rounded: means of thirds summed in different orders differ in the last bit, which would
    # split ties (0.3732 unrounded vs 0.3741 with ties kept)
    judge = np.mean([flat(f"ChatGPT RE {k}") for k in (1, 2, 3, 4)], axis=0).round(9)
    human = np.mean([flat(f"Human {k} RE") for k in (1, 2, 3)], axis=0).round(9)
    assert e["spearman"] == pytest.approx(stats.spearmanr(judge, human).statistic, abs=1e-6)
    assert e["mae"] == pytest.approx(np.abs(judge - human).mean(), abs=1e-6)
    assert e["alt_test"]["per_human"]["human1"]["n_units"] == 1056
    assert e["calibration"]["ece_after"] < e["calibration"]["ece_before"]
