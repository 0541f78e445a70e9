"""`musebench agreement` and `musebench calibrate` on the command line: output contract and
one-line errors with exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchmark.cli import main
from benchmark.measure.ratings import write_ratings


def _ratings(tmp_path: Path, name: str = "r.csv") -> Path:
    rng = np.random.default_rng(0)
    truth = rng.integers(1, 6, 40)
    rows = [
        {
            "unit_id": f"u{u}",
            "criterion": crit,
            "rater_id": f"h{r}",
            "value": float(np.clip(truth[u] + rng.integers(-1, 2), 1, 5)),
        }
        for crit in ("warmth", "clarity")
        for u in range(40)
        for r in range(3)
    ]
    return write_ratings(pd.DataFrame(rows), tmp_path / name)


def test_agreement_json_is_one_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _ratings(tmp_path)
    assert main(["agreement", str(path), "--level", "ordinal", "--json", "--n-boot", "200"]) == 0
    out = capsys.readouterr().out
    doc = json.loads(out)  # exactly one document, nothing else on stdout
    assert doc["level"] == "ordinal"
    e = doc["criteria"]["warmth"]
    assert {"alpha", "ci_low", "ci_high", "n_units", "n_raters", "note"} <= set(e)
    assert e["n_units"] == 40 and e["n_raters"] == 3
    assert e["ci_low"] <= e["alpha"] <= e["ci_high"]
    assert doc["pooled"]["n_units"] == 80


def test_agreement_text_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["agreement", str(_ratings(tmp_path)), "--n-boot", "50"]) == 0
    out = capsys.readouterr().out
    assert "warmth" in out and "pooled" in out and "consensus" in out


@pytest.mark.parametrize(
    "content,needle",
    [
        ("", "empty file"),
        ("unit_id,criterion,rater,value\nu,c,a,1\n", "missing column 'rater_id'"),
        ("unit_id,criterion,rater_id,value\nu,c,a,1\nu,c,b,warm\n", "column 'value'"),
    ],
)
def test_agreement_bad_files_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, needle: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    assert main(["agreement", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    line = captured.err.strip()
    assert line.startswith("musebench: error: ") and "\n" not in line
    assert str(path) in line and needle in line


def test_agreement_unknown_level_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["agreement", str(_ratings(tmp_path)), "--level", "likert"]) == 2
    assert "--level" in capsys.readouterr().err


@pytest.mark.slow
def test_agreement_as_a_subprocess(tmp_path: Path, repo_root: Path) -> None:
    path = _ratings(tmp_path, "r.jsonl")
    proc = subprocess.run(
        [sys.executable, "-m", "benchmark", "agreement", str(path), "--json", "--n-boot", "100"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["criteria"]["clarity"]["alpha"] is not None
