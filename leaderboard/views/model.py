"""A run's page: headline numbers, radar of dimension scores, per-task scores, and a sample
viewer showing each response with the judge's verdicts and evidence highlighted."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from benchmark.webapp.inert import markdown_html, text_html
from leaderboard.boarddata import fmt_ci
from leaderboard.charts import radar_chart, task_chart
from leaderboard.ui import (
    caption,
    current_board,
    details,
    heading,
    highlight,
    label_warning,
    notice,
    verdict_symbol,
)

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
key = st.selectbox(
    "Run",
    keys,
    index=keys.index(wanted) if wanted in keys else 0,
    format_func=names.__getitem__,
    key="model_run",
)
st.query_params["run"] = key
row = frame.loc[frame["run_key"] == key].iloc[0]

heading(row["model"])
label_warning(frame.loc[frame["run_key"] == key])
cols = st.columns(6)
cols[0].metric("rank", int(row["rank"]), help="1 + number of runs significantly better")
cols[1].metric("overall", fmt_ci(row["overall"], None, None))
cols[2].metric(
    "95% CI",
    f"{row['overall_ci_low']:.1f} – {row['overall_ci_high']:.1f}"
    if pd.notna(row["overall_ci_low"]) and pd.notna(row["overall_ci_high"])
    else "—",
    help="bootstrap over tasks",
)
cols[3].metric("coverage", f"{100 * row['coverage']:.1f}%")
cols[4].metric("cost", "—" if pd.isna(row["cost_usd"]) else f"${row['cost_usd']:.2f}")
cols[5].metric("tasks", f"{row['n_tasks']} / {row['suite_tasks']}")
caption(
    f"judge {row['judge']} · suite {row['suite_version']} ({row['suite_hash']}) · "
    f"{row['samples']} sample(s) per task · run {row['run_id']} · provider {row['provider']}, "
    f"{row['weights']} weights"
)

# ------------------------------------------------------------------ radar and categories
left, right = st.columns([3, 2])
dim_scores = {d: float(row[f"dim_{d}"]) for d in data.dimensions if pd.notna(row.get(f"dim_{d}"))}
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
            "score [95% CI]": fmt_ci(
                row[f"cat_{c}"], row[f"cat_{c}_ci_low"], row[f"cat_{c}_ci_high"]
            ),
        }
        for c in data.categories
    ] + [
        {
            "scope": f"dimension: {d}",
            "score [95% CI]": fmt_ci(
                row[f"dim_{d}"], row[f"dim_{d}_ci_low"], row[f"dim_{d}_ci_high"]
            ),
            "judge": row[f"cal_{d}"],
            "PPI": fmt_ci(row[f"ppi_{d}"], row[f"ppi_{d}_ci_low"], row[f"ppi_{d}_ci_high"]),
        }
        for d in data.dimensions
    ]
    st.dataframe(pd.DataFrame(scope_rows), hide_index=True, width="stretch")

# ------------------------------------------------------------------ per task
st.subheader("Per-task scores")
tasks = data.tasks.loc[data.tasks["run_key"] == key]
st.altair_chart(task_chart(tasks), width="stretch")

# ------------------------------------------------------------------ sample viewer
st.subheader("Samples")
responses, judgments = details(data, key)
answered = set(responses["task_id"])
task_ids = [t for t in tasks["task_id"] if t in answered] or sorted(answered)
titles = dict(zip(tasks["task_id"], tasks["title"], strict=True))
c1, c2 = st.columns([3, 1])
task_id = c1.selectbox(
    "Task", task_ids, format_func=lambda t: f"{t} — {titles.get(t, '')}", key="sample_task"
)
samples = sorted(responses.loc[responses["task_id"] == task_id, "sample"].tolist())
sample = c2.selectbox("Sample", samples, key="sample_n")
resp = responses.loc[(responses["task_id"] == task_id) & (responses["sample"] == sample)].iloc[0]
verdicts = judgments.loc[(judgments["task_id"] == task_id) & (judgments["sample"] == sample)]

quotes = [
    (str(ev), f"{item}: {verdict_symbol(v)}", bool(v))
    for ev, item, v, grounded in zip(
        verdicts["evidence"],
        verdicts["item_id"],
        verdicts["verdict"],
        verdicts["grounded"],
        strict=True,
    )
    if isinstance(ev, str) and ev and grounded is not False and pd.notna(v)
]
if isinstance(resp["error"], str) and resp["error"]:
    notice(f"This response failed: {resp['error']}", "error")
transcript = json.loads(resp["transcript"])
with st.container(border=True):
    if any(m["role"] == "user" for m in transcript[1:]):
        for m in transcript:
            if m["role"] == "assistant":
                st.html(highlight(m["content"], quotes))
            else:
                st.html(text_html(f"{m['role']}:", tag="strong") + markdown_html(m["content"]))
    else:
        st.html(highlight(str(resp["text"]), quotes))
st.caption("Highlights: evidence the judge quoted — green for an item met, red for not met.")
table = pd.DataFrame(
    {
        "item": verdicts["item_id"],
        "dimension": verdicts["dimension"],
        "points": verdicts["points"],
        "verdict": [verdict_symbol(v) for v in verdicts["verdict"]],
        "evidence": verdicts["evidence"],
        "grounded": verdicts["grounded"],
        "rationale": verdicts["rationale"],
        "judge": verdicts["judge"],
        "item text": verdicts["item_text"],
    }
)
st.dataframe(table, hide_index=True, width="stretch")
