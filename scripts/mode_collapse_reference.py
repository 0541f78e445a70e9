"""The figures behind the board's mode-collapse thresholds (benchmark/data/mode_collapse.yaml,
docs/LEADERBOARD.md "Mode collapse"): the measures the rules read, on the demo's illustrative
answers (benchmark/data/demo: written by the musebench team, not by any model; the formulaic
ones are templated on purpose), for all of each file's texts and for each category alone, and
which rules each set crosses.

    python scripts/mode_collapse_reference.py
"""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmark.analysis.diversity import diversity_report
from benchmark.measure.collapse import collapse_findings

MODELS = ("careful", "average", "formulaic")
CATEGORIES = {"cw_": "creative writing", "ei_": "emotional intelligence", "vd_": "visual design"}
COLUMNS = ("mean_pairwise_similarity", "distinct_k", "cross_prompt_similarity", "compression_ratio")


def records(model: str) -> list[dict[str, Any]]:
    path = resources.files("benchmark").joinpath(f"data/demo/illustrative-{model}.jsonl")
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]


def measure(model: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    report = diversity_report([(r["task_id"], model, r["text"]) for r in rows], detail=False)
    return report[model]


def fmt(value: Any) -> str:
    return "—" if value is None else f"{value:.3f}"


def main() -> None:
    # Within-task measures come from the tasks with several samples (five tasks, three each).
    print("| answers | texts | " + " | ".join(COLUMNS) + " | rules crossed |")
    print("|" + "---|" * (len(COLUMNS) + 3))
    for model in MODELS:
        rows = records(model)
        multi = {r["task_id"] for r in rows if r["sample"] > 0}
        sets = {"all": rows, "tasks with 3 samples": [r for r in rows if r["task_id"] in multi]}
        sets |= {
            name: [r for r in rows if r["task_id"].startswith(prefix)]
            for prefix, name in CATEGORIES.items()
        }
        for name, subset in sets.items():
            m = measure(model, subset)
            samples = 3 if m["mean_pairwise_similarity"] is not None else 1
            row = {f"div_{k}": m[k] for k in COLUMNS} | {"samples": samples}
            crossed = ", ".join(f.rule.name for f in collapse_findings(row)) or "none"
            cells = " | ".join(fmt(m[k]) for k in COLUMNS)
            print(f"| {model}, {name} | {len(subset)} | {cells} | {crossed} |")


if __name__ == "__main__":
    main()
