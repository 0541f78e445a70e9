"""A run's page (`model?run=RUN_KEY`): headline numbers, radar of dimension scores, per-task
scores, diversity and slop with a mode-collapse warning (leaderboard/diversity_view.py), and
the sample viewer (leaderboard/sample_view.py). An unknown run key says so."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from leaderboard.board_rows import BoardRow
from leaderboard.boarddata import fmt_ci
from leaderboard.charts import radar_chart, task_chart
from leaderboard.diversity_view import show_diversity
from leaderboard.sample_view import show_samples
from leaderboard.screenshots import missing_note, page_screenshots
from leaderboard.ui import caption, current_board, details, heading, label_warning, notice

data = current_board()
if data is None:
    st.stop()
frame = data.frame
if frame.empty:
    st.info("No run passed verification yet.")
    st.stop()

keys = frame["run_key"].tolist()
names = dict(zip(frame["run_key"], frame["display"], strict=True))
wanted = st.query_params.get("run")
unknown = wanted is not None and wanted not in keys
if unknown:
    notice(
        f"This board has no run “{wanted}”: the link may come from another build, or the run "
        "was left out (see About & rejected). Choose a run below.",
        "error",
    )
key = st.selectbox(
    "Run",
    keys,
    index=None if unknown else keys.index(wanted) if wanted in keys else 0,
    format_func=names.__getitem__,
    placeholder="Choose a run",
    key="model_run",
)
if key is None:
    st.stop()
st.query_params["run"] = key
row = frame.loc[frame["run_key"] == key].iloc[0]
entry = BoardRow.read(row.to_dict(), data.categories, data.dimensions)

heading(entry.model)
label_warning(frame.loc[frame["run_key"] == key])
# Two rows of three: at six to a row the interval ("100.0 – 100.0") was cut to "100.0…".
top, bottom = st.columns(3), st.columns(3)
if entry.ranked and entry.rank is not None:
    top[0].metric("rank", int(entry.rank), help="1 + number of runs significantly better")
else:
    top[0].metric("rank", "unranked", help="not comparable with the ranked board: see below")
top[1].metric("overall", fmt_ci(entry.overall.score, None, None))
top[2].metric(
    "95% CI",
    f"{entry.overall.ci_low:.1f} – {entry.overall.ci_high:.1f}"
    if entry.overall.ci_low is not None and entry.overall.ci_high is not None
    else "—",
    help="of the overall score: bootstrap over tasks",
)
bottom[0].metric("coverage", f"{100 * entry.coverage:.1f}%")
bottom[1].metric("cost", "—" if entry.cost_usd is None else f"${entry.cost_usd:.2f}")
bottom[2].metric("tasks", f"{entry.n_tasks} / {entry.suite_tasks}")
if not entry.ranked:
    notice(f"Unranked, shown apart from the ranked board: {entry.unranked_reason}.", "warning")
caption(
    "rank score "
    f"{fmt_ci(entry.rank_score.score, entry.rank_score.ci_low, entry.rank_score.ci_high)} (95% CI): "
    "the overall score with every missing verdict counted against the run; "
    + ("ranks are decided on it" if entry.ranked else "ranked runs are ordered by it")
)
caption(
    f"judge {entry.judge} · suite {entry.suite_version} ({entry.suite_hash}) · "
    f"{entry.samples} sample(s) per task · run {entry.run_id} · provider {entry.provider}, "
    f"{entry.weights} weights"
)
rejudged = entry.rejudge.get("rejudge")
if isinstance(rejudged, str) and rejudged:
    caption(rejudged)  # spot re-judging (leaderboard/rejudge.py), when the build did it

# ------------------------------------------------------------------ radar and categories
left, right = st.columns([3, 2])
dim_scores = {d: float(i.score) for d, i in entry.dimensions.items() if i.score is not None}
with left:
    st.subheader("Dimensions")
    if len(dim_scores) >= 3:
        st.altair_chart(radar_chart(dim_scores))
    else:
        st.caption("A radar needs at least three scored dimensions.")
    missing = [d for d in data.dimensions if d not in dim_scores]
    if missing:
        caption("Not scored in this run: " + ", ".join(missing))
with right:
    st.subheader("Scores")
    scope_rows = [
        {
            "scope": f"category: {c}",
            "score [95% CI]": fmt_ci(i.score, i.ci_low, i.ci_high),
            "judge": "",  # calibration and PPI are per dimension: no bare None cells
            "PPI": "",
        }
        for c, i in entry.categories.items()
    ] + [
        {
            "scope": f"dimension: {d}",
            "score [95% CI]": fmt_ci(i.score, i.ci_low, i.ci_high),
            "judge": entry.calibration[d].status,
            "PPI": fmt_ci(entry.ppi[d].score, entry.ppi[d].ci_low, entry.ppi[d].ci_high),
        }
        for d, i in entry.dimensions.items()
    ]
    st.dataframe(pd.DataFrame(scope_rows), hide_index=True, width="stretch")

show_diversity(row, frame, data.meta.get("diversity_note"))

# ------------------------------------------------------------------ per task
st.subheader("Per-task scores")
tasks = data.tasks.loc[data.tasks["run_key"] == key]
st.altair_chart(task_chart(tasks), width="stretch")

# ------------------------------------------------------------------ sample viewer
st.subheader("Samples")
responses, judgments = details(data, key)
board_root, run = data.root, str(key)
show_samples(
    key,
    tasks,
    responses,
    judgments,
    (lambda html: page_screenshots(board_root, run, html), missing_note(data.meta)),
)
