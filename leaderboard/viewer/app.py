"""The run viewer page: `musebench view RUN_DIR...` (or `streamlit run leaderboard/viewer/app.py`
with MUSEBENCH_VIEW_RUNS set). One run at a time, chosen among those given: headline scores,
per-task scores, and the leaderboard's sample viewer (transcript, evidence highlighted, verdict
table) narrowed by the filters. Every string from a run dir (model, judge, run id, texts) is
drawn inert: through leaderboard.ui's renderers, or as selectbox, dataframe or chart text."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

# From a source checkout (not pip-installed) the project root must be importable.
if importlib.util.find_spec("benchmark") is None:  # pragma: no cover - depends on install
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import pandas as pd
import streamlit as st

from benchmark.errors import UsageError
from benchmark.suite import Suite
from leaderboard.boarddata import fmt_ci
from leaderboard.charts import task_chart
from leaderboard.sample_view import show_samples
from leaderboard.ui import caption, heading, notice
from leaderboard.viewer.frames import (
    RUNS_ENV,
    SUITES_ENV,
    Filters,
    RunTables,
    apply_filters,
    load_tables,
    suites,
)

Signature = tuple[tuple[str, int, int], ...]
ALL = "(all dimensions)"


def _paths(name: str) -> list[str]:
    return [p for p in os.environ.get(name, "").split(os.pathsep) if p]


def _signature(run_dir: str) -> Signature:
    """The run files' names, sizes and times: a run still being written is read again."""
    found = []
    for name in ("manifest.json", "responses.jsonl", "judgments.jsonl", "scores.json"):
        path = Path(run_dir) / name
        if path.is_file():
            stat = path.stat()
            found.append((name, stat.st_size, stat.st_mtime_ns))
    return tuple(found)


@st.cache_resource(show_spinner="Loading the suites…")
def _suites(extra: tuple[str, ...]) -> list[Suite]:
    return suites(extra)


@st.cache_resource(show_spinner="Reading the run…", max_entries=8)
def _tables(run_dir: str, signature: Signature, extra: tuple[str, ...]) -> RunTables:
    # `signature` is read by the cache key only.
    return load_tables(run_dir, _suites(extra))


def _pick_run(run_dirs: list[str], extra: tuple[str, ...]) -> tuple[int, RunTables] | None:
    loaded: dict[int, RunTables] = {}
    for i, d in enumerate(run_dirs):
        try:
            loaded[i] = _tables(d, _signature(d), extra)
        except (UsageError, OSError) as err:
            notice(f"{d}: {err}", "error")
    if not loaded:
        return None
    names = {
        i: f"{t.run.manifest.model} · {t.run.manifest.run_id} ({Path(run_dirs[i]).name})"
        for i, t in loaded.items()
    }
    chosen = st.selectbox("Run", list(loaded), format_func=names.__getitem__, key="view_run")
    return None if chosen is None else (chosen, loaded[chosen])


def _headline(t: RunTables) -> None:
    m = t.run.manifest
    heading(m.model)
    caption(
        f"run {m.run_id} · judge {m.judge or 'none'} · {m.samples} sample(s) per task · "
        f"{m.judge_samples} judge sample(s) per item · suite {m.suite_version} · "
        f"status {m.status} · {t.run.path}"
    )
    s = t.run.scores
    if s is None:
        notice("Not scored yet: run `musebench score RUN_DIR` to write scores.json.", "warning")
        return
    cols = st.columns(3)
    cols[0].metric("overall [95% CI]", fmt_ci(s.overall.score, s.overall.ci_low, s.overall.ci_high))
    cols[1].metric("judged", f"{s.coverage.judged} / {s.coverage.expected}")
    cols[2].metric("tasks", f"{t.tasks['score'].notna().sum()} / {len(t.tasks)}")
    dims = pd.DataFrame(
        [
            {"dimension": d, "score [95% CI]": fmt_ci(c.score, c.ci_low, c.ci_high), "n": c.n}
            for d, c in sorted(s.dimensions.items())
        ]
    )
    st.dataframe(dims, hide_index=True, width="stretch")


def _per_task(t: RunTables) -> None:
    scored = t.tasks.dropna(subset=["score"])
    if scored.empty:
        st.caption("No task has a score yet.")
        return
    st.altair_chart(task_chart(scored), width="stretch")
    worst_first = scored.sort_values(["score", "task_id"])[
        ["task_id", "title", "category", "score"]
    ]
    st.dataframe(worst_first, hide_index=True, width="stretch")


def _filters(t: RunTables) -> Filters:
    c1, c2, c3 = st.columns(3)
    failed = c1.checkbox(
        "Only items that lost points",
        key="filter_failed",
        help="a positive item not met, or a negative item (a flaw) found",
    )
    dims = sorted(set(t.judgments["dimension"]))
    dim = c2.selectbox("Dimension", [ALL, *dims], key="filter_dimension")
    several = t.run.manifest.judge_samples > 1
    split = c3.checkbox(
        "Only judge-sample disagreements",
        key="filter_disagree",
        disabled=not several,
        help="verdicts whose judge samples did not all agree"
        if several
        else "this run drew one judge sample per item (--judge-samples 1)",
    )
    return Filters(failed_only=failed, dimension=None if dim == ALL else dim,
                   disagreements_only=split and several)  # fmt: skip


def _vote(v: bool | None) -> str:
    return "no verdict" if v is None else "met" if v else "not met"


def _votes(j: pd.DataFrame) -> None:
    """The judge samples of the sample shown, for the verdicts the filters kept."""
    task, sample = st.session_state.get("sample_task"), st.session_state.get("sample_n")
    shown = j.loc[(j["task_id"] == task) & (j["sample"] == sample) & j["votes"].notna()]
    if shown.empty:
        return
    st.caption("Judge samples of these verdicts (majority verdict; agreement with it):")
    st.dataframe(
        pd.DataFrame(
            {
                "item": shown["item_id"],
                "votes": [" · ".join(_vote(v) for v in vs) for vs in shown["votes"]],
                "agreement": shown["vote_agreement"],
            }
        ),
        hide_index=True,
        width="stretch",
    )


def main() -> None:
    st.set_page_config(page_title="musebench run viewer", page_icon="🔎", layout="wide")
    run_dirs = _paths(RUNS_ENV)
    if not run_dirs:
        st.error(f"No run to show: start the viewer with `musebench view RUN_DIR` ({RUNS_ENV}).")
        return
    picked = _pick_run(run_dirs, tuple(_paths(SUITES_ENV)))
    if picked is None:
        return
    index, t = picked
    _headline(t)
    # Samples first: a full suite's task chart is a long page of bars.
    samples, per_task = st.tabs(["Samples", "Per-task scores"])
    with per_task:
        _per_task(t)
    with samples:
        _samples(index, t)


def _samples(index: int, t: RunTables) -> None:
    responses, judgments = apply_filters(t, _filters(t))
    st.caption(f"{len(judgments)} verdict(s) on {len(responses)} response(s) shown.")
    if responses.empty:
        notice("No response has a verdict matching these filters.", "info")
        return
    show_samples(f"run{index}", t.tasks, responses, judgments)
    _votes(judgments)


main()
