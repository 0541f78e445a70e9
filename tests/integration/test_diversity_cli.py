"""`musebench diversity INPUT`: readers, --json contract, and one-line errors for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from benchmark.analysis.diversity import DiversityInputError, load_records
from benchmark.cli import main

TEXTS = [
    "The lighthouse keeper counted ships until the fog swallowed the bay.",
    "A baker in Lyon burned every loaf on the morning her sister returned.",
    "Snow fell upward in the village, and the children stopped asking why.",
    "Grandmother kept bees behind the chapel and sold honey to sailors.",
]


def write_run_dir(root: Path) -> Path:
    run = root / "run"
    run.mkdir()
    lines = []
    for i, text in enumerate(TEXTS):
        for sample in (1, 0):  # written out of order on purpose
            lines.append(
                {
                    "task_id": f"task_{i}",
                    "sample": sample,
                    "model": "openai/m1",
                    "transcript": [{"role": "assistant", "content": text}],
                    "text": f"{text} Sample {sample}.",
                    "usage": {"output_tokens": 20},
                    "error": None,
                }
            )
    lines.append(
        {
            "task_id": "task_0",
            "sample": 2,
            "model": "openai/m1",
            "transcript": [],
            "text": None,
            "usage": None,
            "error": "rate limited",
        }
    )
    (run / "responses.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    (run / "manifest.json").write_text("{}")
    return run


def test_run_dir_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = write_run_dir(tmp_path)
    assert main(["diversity", str(run), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["skipped_errors"] == 1 and doc["n_records"] == 8
    r = doc["models"]["openai/m1"]
    assert r["n_prompts"] == 4 and r["within_prompt"]["n_prompts"] == 4
    assert r["self_bleu"] is not None and r["vendi"] is not None
    assert any("skipped 1 row" in n for n in doc["notes"])


def test_records_follow_sample_order(tmp_path: Path) -> None:
    loaded = load_records(write_run_dir(tmp_path))
    assert [t for p, _, t in loaded.records if p == "task_0"] == [
        f"{TEXTS[0]} Sample 0.",
        f"{TEXTS[0]} Sample 1.",
    ]


def test_json_stdout_is_one_document_via_the_module(tmp_path: Path, repo_root: Path) -> None:
    run = write_run_dir(tmp_path)
    out = subprocess.run(
        [sys.executable, "-m", "benchmark", "diversity", str(run / "responses.jsonl"), "--json"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)["models"]["openai/m1"]["n_texts"] == 8


def test_csv_and_parquet_inputs_agree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    df = pd.DataFrame({"prompt_id": [1, 2, 3, 4], "model": ["a", "a", "b", "b"], "text": TEXTS})
    df.to_csv(tmp_path / "t.csv", index=False)
    df.to_parquet(tmp_path / "t.parquet")
    docs = []
    for name in ("t.csv", "t.parquet"):
        assert main(["diversity", str(tmp_path / name), "--json"]) == 0
        docs.append(json.loads(capsys.readouterr().out)["models"])
    assert docs[0] == docs[1]
    assert set(docs[0]) == {"a", "b"}


def test_column_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pd.DataFrame({"Prompt": ["x", "y"], "Model": ["m", "m"], "Story": TEXTS[:2]}).to_csv(
        tmp_path / "h.csv", index=False
    )
    args = ["diversity", str(tmp_path / "h.csv"), "--json"]
    cols = ["--prompt-column", "Prompt", "--model-column", "Model", "--text-column", "Story"]
    assert main(args + cols) == 0
    assert json.loads(capsys.readouterr().out)["models"]["m"]["n_texts"] == 2


def test_human_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diversity", str(write_run_dir(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "distinct-2" in out and "openai/m1" in out and "skipped 1 row" in out


def bad(tmp_path: Path, name: str, content: str | bytes | pd.DataFrame) -> Path:
    path = tmp_path / name
    if isinstance(content, pd.DataFrame):
        content.to_parquet(path)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


CASES = [
    ("empty.csv", "", "no rows"),
    ("header.csv", "prompt_id,model,text\n", "no rows"),
    ("empty.jsonl", "\n", "no rows"),
    (
        "cols.csv",
        "prompt,model,story\n1,m,hi\n",
        "missing column 'prompt_id' (found: prompt, model, story)",
    ),
    (
        "numtext.csv",
        "prompt_id,model,text\n1,m,5\n2,m,6\n",
        "column 'text', row 1: expected text, got int",
    ),
    (
        "gap.csv",
        "prompt_id,model,text\n1,m,hello\n2,,there\n",
        "column 'model', row 2: missing value",
    ),
    (
        "mixed.jsonl",
        '{"prompt_id": 1, "model": "m", "text": "a"}\n{"prompt_id": "p2", "model": "m", "text": "b"}\n',
        "column 'prompt_id' mixes value types (int at line 1, str at line 2)",
    ),
    (
        "float.jsonl",
        '{"prompt_id": 1.5, "model": "m", "text": "a"}\n',
        "column 'prompt_id', line 1: expected a string or an integer, got float",
    ),
    (
        "broken.jsonl",
        '{"prompt_id": 1, "model": "m", "text": "a"}\n{"prompt_id": 2,\n',
        "line 2: not valid JSON",
    ),
    (
        "inttext.parquet",
        pd.DataFrame({"prompt_id": ["a", "b"], "model": ["m", "m"], "text": [7, 3]}),
        "column 'text', row 1: expected text, got int",
    ),
    (
        "mixedtext.jsonl",
        '{"prompt_id": "a", "model": "m", "text": "x"}\n{"prompt_id": "b", "model": "m", "text": 3}\n',
        "column 'text', line 2: expected text, got int",
    ),
    ("notes.txt", "hello", "unsupported input"),
    ("garbage.parquet", b"not parquet at all", "cannot read as parquet"),
    (
        "allerr.jsonl",
        '{"task_id": "t", "model": "m", "text": null, "error": "boom"}\n',
        "all 1 rows have an error",
    ),
]


@pytest.mark.parametrize(("name", "content", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: str | bytes | pd.DataFrame,
    message: str,
) -> None:
    path = bad(tmp_path, name, content)
    assert main(["diversity", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err.strip()
    assert err.startswith("musebench: error: ") and "\n" not in err
    assert str(path) in err and message in err


def test_missing_path_and_dir_without_responses(tmp_path: Path) -> None:
    with pytest.raises(DiversityInputError, match="no such file or directory"):
        load_records(tmp_path / "nope.csv")
    with pytest.raises(DiversityInputError, match="not a run directory"):
        load_records(tmp_path)


def test_bad_flags_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = write_run_dir(tmp_path)
    assert main(["diversity", str(run), "--embeddings", "bert"]) == 2
    assert "--embeddings: unknown backend 'bert'" in capsys.readouterr().err
    assert main(["diversity", str(run), "--slop-list", str(tmp_path / "none.yaml")]) == 2
    assert "none.yaml: cannot read the slop list" in capsys.readouterr().err


def test_cli_default_cap_matches_the_library() -> None:
    from benchmark.analysis.diversity import report
    from benchmark.cli import diversity as cli_diversity

    assert cli_diversity.CROSS_PROMPT_CAP == report.CROSS_PROMPT_CAP
