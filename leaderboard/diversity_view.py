"""Diversity and slop of one run on the model page, beside the board's median, with a visible
warning when the run crosses a mode-collapse rule (benchmark/measure/collapse.py)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from benchmark.measure.collapse import collapse_findings, load_packaged_rules, run_measures

DIVERSITY_TITLES = {
    "distinct_2": "distinct-2 (higher: more varied)",
    "compression_ratio": "compression ratio (higher: more repetitive)",
    "mean_pairwise_similarity": "mean pairwise similarity within a prompt",
    "cross_prompt_similarity": "similarity across prompts (mode collapse)",
    "vendi": "Vendi score (effective number of distinct texts)",
    "distinct_k": "distinct texts at the similarity threshold",
    "slop_per_1k": "slop phrases per 1k words",
    "n_texts": "texts measured",
}
# The model page's rows: board columns, then the ratio the collapse rules read.
PANEL = (
    ("distinct_2", "distinct-2: share of distinct word pairs (higher: more varied)"),
    ("compression_ratio", "compression ratio, all texts (higher: more repetitive)"),
    ("mean_pairwise_similarity", "similarity of a task's samples (mean cosine)"),
    ("distinct_k", "distinct samples per task (of the samples per task)"),
    ("distinct_k_ratio", "distinct samples per task ÷ samples per task"),
    ("vendi", "Vendi score of a task's samples (effective number of distinct ones)"),
    ("cross_prompt_similarity", "similarity of answers to different tasks (mean cosine)"),
    ("slop_per_1k", "slop: weighted stock-phrase hits per 1,000 words"),
    ("n_texts", "texts measured"),
)
SLOP_NOTE = (
    "Slop for reference (docs/DIVERSITY.md, HANNA stories): human writers 0.9 per 1,000 words, "
    "six open models 6.6–11.8."
)


def _value(row: pd.Series, measure: str) -> Any:
    if measure == "distinct_k_ratio":
        return run_measures(row)["distinct_k_ratio"]
    value = row.get(f"div_{measure}")
    return None if value is None or pd.isna(value) else float(value)


def _board_median(frame: pd.DataFrame, measure: str) -> Any:
    if measure == "distinct_k_ratio":
        values = pd.Series([run_measures(r)["distinct_k_ratio"] for _, r in frame.iterrows()])
    else:
        values = frame.get(f"div_{measure}", pd.Series(dtype=float))
    values = pd.to_numeric(values, errors="coerce").dropna()
    return float(values.median()) if len(values) else None


def _fmt(measure: str, value: Any) -> str:
    if value is None:
        return "— (not measured)"
    return f"{value:.0f}" if measure == "n_texts" else f"{value:.3f}"


def collapse_summary(row: pd.Series) -> str:
    """The board's one-cell summary for a run: the rules it crosses, or —."""
    return ", ".join(f.rule.name for f in collapse_findings(row)) or "—"


def show_diversity(row: pd.Series, frame: pd.DataFrame, note: str | None) -> None:
    st.subheader("Diversity and slop")
    if note:
        st.caption(f"Not measured on this board: {note}.")
        return
    findings = collapse_findings(row)
    if findings:
        st.warning(
            "**This run shows signs of mode collapse.** "
            + " ".join(
                f"{f.rule.name.capitalize()}: {f.rule.means} "
                f"({f.rule.measure} = {f.value:.3g}, warns at {f.rule.bound})."
                for f in findings
            )
            + " Read its samples below before trusting its scores on creative tasks."
        )
    bounds: dict[str, str] = {r.measure: r.bound for r in load_packaged_rules().rules}
    table = pd.DataFrame(
        [
            {
                "measure": title,
                "this run": _fmt(key, _value(row, key)),
                "board median": _fmt(key, _board_median(frame, key)),
                "mode collapse at": bounds.get(key, ""),
            }
            for key, title in PANEL
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch")
    if _value(row, "mean_pairwise_similarity") is None:
        st.caption(
            "Measures within a task need at least two samples per task; this run has "
            f"{int(row['samples'])}."
        )
    st.caption(
        SLOP_NOTE + " All measures are lexical (TF-IDF over words, gzip): web pages share their "
        "markup's vocabulary, so visual-design answers measure more alike than prose."
    )
