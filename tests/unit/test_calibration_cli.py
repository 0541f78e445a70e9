"""`musebench calibrate` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchmark.cli import main
from benchmark.measure.ratings import write_ratings


def _files(tmp_path: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(0)
    truth = rng.integers(1, 6, 60)
    human = [
        {
            "unit_id": f"u{u}",
            "criterion": "warmth",
            "rater_id": f"h{r}",
            "value": float(np.clip(truth[u] + rng.integers(-1, 2), 1, 5)),
            "system": f"m{u % 4}",
        }
        for u in range(60)
        for r in range(3)
    ]
    judge = [
        {
            "unit_id": f"u{u}",
            "criterion": "warmth",
            "rater_id": name,
            "value": float(np.clip(truth[u] + shift + rng.normal(0, 0.7), 1, 5)),
        }
        for name, shift in (("judge-a", 0.0), ("judge-b", -1.0))
        for u in range(60)
        for _ in range(2)  # K = 2 samples per unit
    ]
    return (
        write_ratings(pd.DataFrame(human), tmp_path / "human.csv"),
        write_ratings(pd.DataFrame(judge), tmp_path / "judge.jsonl"),
    )


def test_calibrate_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    human, judge = _files(tmp_path)
    plots = tmp_path / "plots"
    argv = ["calibrate", "--human", str(human), "--judge", str(judge), "--json"]
    assert main([*argv, "--n-boot", "100", "--plots", str(plots)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc["judges"]) == {"judge-a", "judge-b"}
    e = doc["judges"]["judge-b"]["criteria"]["warmth"]
    assert e["n_units"] == 60 and e["judge_samples"] == 2.0
    assert e["mae"] > doc["judges"]["judge-a"]["criteria"]["warmth"]["mae"]  # the shifted judge
    assert doc["judges"]["judge-a"]["systems"]["warmth"]["n_systems"] == 4
    assert sorted(p.name for p in plots.iterdir()) == [
        "reliability_judge-a_warmth.png",
        "reliability_judge-b_warmth.png",
    ]


def test_calibrate_text_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    human, judge = _files(tmp_path)
    assert main(["calibrate", "--human", str(human), "--judge", str(judge), "--n-boot", "20"]) == 0
    out = capsys.readouterr().out
    assert "judge-a" in out and "warmth" in out and "system ranking" in out


def test_calibrate_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    human, _ = _files(tmp_path)
    other = tmp_path / "other.csv"
    other.write_text("unit_id,criterion,rater_id,value\nu1,tone,j,3\n")
    assert main(["calibrate", "--human", str(human), "--judge", str(other)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("musebench: error: ") and "\n" not in err
    assert str(other) in err and "'criterion'" in err
    assert main(["calibrate", "--human", str(human), "--judge", str(other), "--level", "x"]) == 2
    assert "--level" in capsys.readouterr().err
    assert main(["calibrate", "--human", str(tmp_path / "nope.csv"), "--judge", str(other)]) == 2
    assert "nope.csv" in capsys.readouterr().err


def test_calibrate_tables_fit_80_columns_and_cut_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Twelve columns in one table cut every number (`coh… │ 0.7…`): issue 14."""
    human, judge = _files(tmp_path)
    argv = ["calibrate", "--human", str(human), "--judge", str(judge), "--n-boot", "20"]
    assert main([*argv, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert main(argv) == 0  # not a terminal: rich draws at 80 columns
    out = capsys.readouterr().out
    assert "…" not in out
    assert max(len(line) for line in out.splitlines()) <= 80
    e = doc["judges"]["judge-a"]["criteria"]["warmth"]
    alpha = f"{e['human_alpha']:.3f}"
    row = next(line for line in out.splitlines() if line.split()[:2] == ["warmth", alpha])
    assert f"{e['alpha_judge_replaces_human']:.3f}" in row and f"{e['spearman']:.3f}" in row
