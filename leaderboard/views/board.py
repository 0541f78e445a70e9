"""The leaderboard page: filters, sorting, the score table with 95% CIs, the rank score and
tie-aware ranks, diversity, judge calibration and PPI, run provenance, and the charts; then, apart
and never ranked, the runs that do not cover the whole suite (or too few samples)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from leaderboard.boarddata import fmt_ci
from leaderboard.charts import ci_chart, named_runs, quality_diversity_chart
from leaderboard.diversity_view import DIVERSITY_TITLES, collapse_summary
from leaderboard.links import model_page_url
from leaderboard.pairwise_view import pairwise_lines, pairwise_table, rating_cis
from leaderboard.ui import caption, current_board, label_warning, notice

data = current_board()
if data is None:
    st.stop()
meta, frame = data.meta, data.frame

st.title("musebench leaderboard")
versions = ", ".join(sorted(meta.get("suite_versions", {})))
n_ranked = int(frame["ranked"].sum()) if not frame.empty else 0
caption(
    f"Suite {versions} · {len(frame)} runs verified ({n_ranked} ranked, "
    f"{len(frame) - n_ranked} unranked) · {meta.get('n_rejected', 0)} bundles rejected (see "
    f"About & rejected) · built {meta.get('built_at', '?')}. Every score is recomputed from the "
    "submitted judgments; runs of the whole suite are ranked by the rank score (missing verdicts "
    "counted against the run), ranks respect ties (1 + runs significantly better)."
)
for note in meta.get("notes", []):
    notice(note)
if frame.empty:
    st.info("No run passed verification yet.")
    st.stop()
label_warning(frame)

# ------------------------------------------------------------------ filters and sorting
cats, dims = data.categories, data.dimensions
with st.sidebar:
    st.header("Filters")
    weights = sorted(frame["weights"].unique())
    chosen_weights = st.multiselect("Weights", weights, default=weights, key="f_weights")
    providers = sorted(frame["provider"].unique())
    chosen_providers = st.multiselect("Provider", providers, default=providers, key="f_providers")
    judges = sorted(frame["judge"].unique())
    chosen_judges = st.multiselect("Judge", judges, default=judges, key="f_judges")
    sizes = frame["size_b"].dropna()
    size_range = None
    keep_unknown_size = True
    if len(sizes) and sizes.min() < sizes.max():
        size_range = st.slider(
            "Size (billions of parameters)",
            float(sizes.min()),
            float(sizes.max()),
            (float(sizes.min()), float(sizes.max())),
            key="f_size",
        )
        keep_unknown_size = st.checkbox("Include models of unknown size", True, key="f_unknown")
    show_labelled = st.checkbox("Show illustrative / synthetic rows", True, key="f_labelled")

    st.header("Sort")
    sort_options = {"rank": "rank", "rank_score": "rank score", "overall": "overall score"}
    sort_options |= {f"cat_{c}": f"category: {c}" for c in cats}
    sort_options |= {f"dim_{d}": f"dimension: {d}" for d in dims}
    sort_options |= {f"div_{k}": f"diversity: {k}" for k in meta.get("diversity_keys", [])}
    sort_options |= {"cost_usd": "cost (USD)", "coverage": "coverage", "size_b": "size"}
    if "pw_rating" in frame and frame["pw_rating"].notna().any():
        sort_options |= {"pw_rating": "pairwise rating"}
    sort_by = st.selectbox(
        "Sort by", list(sort_options), format_func=sort_options.__getitem__, key="sort_by"
    )
    natural_ascending = sort_by in ("rank", "cost_usd", "size_b")
    reverse = st.checkbox("Reverse order", False, key="sort_reverse")

view = frame[
    frame["weights"].isin(chosen_weights)
    & frame["provider"].isin(chosen_providers)
    & frame["judge"].isin(chosen_judges)
]
if size_range is not None:
    in_range = view["size_b"].between(*size_range)
    view = view[in_range | (view["size_b"].isna() & keep_unknown_size)]
if not show_labelled:
    view = view[view["label"] == ""]
view = view.sort_values(
    [sort_by, "rank"], ascending=[natural_ascending != reverse, True], na_position="last"
)
filtered = view  # the pairwise tab rates unranked runs too
unranked = view[~view["ranked"]]
view = view[view["ranked"]]
st.caption(f"{len(view)} of {n_ranked} ranked runs shown.")

# ------------------------------------------------------------------ tables
num = st.column_config.NumberColumn
RANK_SCORE_HELP = (
    "the overall score with every missing verdict counted against the run (a positive item not "
    "met, a failure item met): what ranks are decided on"
)
pages = pd.Series([model_page_url(k) for k in view["run_key"]], index=view.index, dtype=object)
PAGE_COLUMN = {
    "page": st.column_config.LinkColumn(
        "page", display_text="open ↗", help="the run's page: scores, diversity, samples"
    )
}


def ci_text(prefix: str) -> pd.Series:
    return pd.Series(
        [
            fmt_ci(s, lo, hi)
            for s, lo, hi in zip(
                view[prefix], view[f"{prefix}_ci_low"], view[f"{prefix}_ci_high"], strict=True
            )
        ],
        index=view.index,
    )


tab_scores, tab_div, tab_cal, tab_runs, tab_pairwise = st.tabs(
    [
        "Scores",
        "Diversity & slop",
        "Judge calibration & PPI",
        "Runs: judge, suite, cost",
        "Pairwise ratings",
    ]
)
has_pairwise = "pw_rating" in filtered and filtered["pw_rating"].notna().any()
with tab_scores:
    table = pd.DataFrame(
        {
            "rank": view["rank"],
            "model": view["display"],
            "page": pages,
            "rank score": view["rank_score"],
            "overall": view["overall"],
            "overall 95% CI": ci_text("overall"),
        }
    )
    if has_pairwise:  # beside the rubric score; the details are on the Pairwise tab
        table["pairwise rating"] = rating_cis(view)
        table["length-controlled"] = rating_cis(view, length_controlled=True)
    for c in cats:
        table[c] = view[f"cat_{c}"]
    for d in dims:
        table[d] = view[f"dim_{d}"]
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            **PAGE_COLUMN,
            "rank": num("rank", help="1 + number of runs significantly better (paired bootstrap)"),
            "rank score": num("rank score", format="%.1f", help=RANK_SCORE_HELP),
            "overall": num("overall", format="%.1f"),
            **{c: num(c, format="%.1f", help="category score, 0-100") for c in cats},
            **{d: num(d, format="%.1f", help="dimension score, 0-100") for d in dims},
        },
    )
    st.subheader("Overall score with 95% CI")
    st.altair_chart(ci_chart(view), width="stretch")

with tab_div:
    div_keys = list(meta.get("diversity_keys", []))
    if meta.get("diversity_note"):
        notice(f"Diversity columns are empty: {meta['diversity_note']}.")
    dtable = pd.DataFrame({"rank": view["rank"], "model": view["display"], "page": pages})
    for k in div_keys:
        dtable[k] = view[f"div_{k}"]
    dtable["mode collapse"] = [collapse_summary(r) for _, r in view.iterrows()]
    st.dataframe(
        dtable,
        hide_index=True,
        width="stretch",
        column_config={
            **PAGE_COLUMN,
            **{k: num(k, format="%.3f", help=DIVERSITY_TITLES.get(k)) for k in div_keys},
            "mode collapse": st.column_config.TextColumn(
                help="rules of benchmark/data/mode_collapse.yaml the run crosses"
            ),
        },
    )
    st.subheader("Quality versus diversity")
    measured = [k for k in div_keys if k != "n_texts" and view[f"div_{k}"].notna().any()]
    if measured:
        metric = st.selectbox(
            "Diversity measure",
            measured,
            format_func=lambda k: DIVERSITY_TITLES.get(k, k),
            key="div_metric",
        )
        st.altair_chart(
            quality_diversity_chart(view, f"div_{metric}", DIVERSITY_TITLES.get(metric, metric)),
            width="stretch",
        )
        plotted = int(view[["overall", f"div_{metric}"]].notna().all(axis=1).sum())
        named = len(named_runs(view, f"div_{metric}"))
        if named < plotted:
            st.caption(
                f"Names beside {named} of {plotted} runs (best ranked first; a name that would "
                "overlap another is left out): point at a dot for its run, or filter the board."
            )
    else:
        st.caption("No diversity measure to plot.")

with tab_cal:
    if not meta.get("human_labels"):
        st.info(
            "This board was built without human labels (`musebench leaderboard build ... "
            "--human RATINGS`): no judge calibration and no PPI-corrected scores to show."
        )
    ctable = pd.DataFrame({"model": view["display"], "judge": view["judge"]})
    ctable["PPI overall"] = [
        fmt_ci(s, lo, hi)
        for s, lo, hi in zip(
            view["ppi_overall"],
            view["ppi_overall_ci_low"],
            view["ppi_overall_ci_high"],
            strict=True,
        )
    ]
    for d in dims:
        ctable[f"{d}: judge"] = view[f"cal_{d}"]
        ctable[f"{d}: PPI"] = [
            fmt_ci(s, lo, hi)
            for s, lo, hi in zip(
                view[f"ppi_{d}"], view[f"ppi_{d}_ci_low"], view[f"ppi_{d}_ci_high"], strict=True
            )
        ]
    st.dataframe(ctable, hide_index=True, width="stretch")
    st.caption(
        "judge: *calibrated* when the judge passed the alternative-annotator test against the "
        "human labels for that dimension (*insufficient*: too few humans or units to test). "
        "PPI: prediction-powered estimate of the score humans would give, with its 95% CI."
    )

with tab_runs:
    rtable = pd.DataFrame(
        {
            "model": view["display"],
            "page": pages,
            "provider": view["provider"],
            "weights": view["weights"],
            "size (B)": view["size_b"],
            "judge": view["judge"],
            "judge params": view["judge_params"],
            "suite": view["suite_version"] + " (" + view["suite_hash"] + ")",
            "tasks": view["n_tasks"].astype(str) + " / " + view["suite_tasks"].astype(str),
            "samples": view["samples"],
            "coverage": view["coverage"],
            "status": view["status"],
            "cost (USD)": view["cost_usd"],
            "run": view["run_id"],
            "created": view["created_at"],
        }
    )
    st.dataframe(
        rtable,
        hide_index=True,
        width="stretch",
        column_config={
            **PAGE_COLUMN,
            "coverage": st.column_config.ProgressColumn("coverage", min_value=0, max_value=1),
            "cost (USD)": num("cost (USD)", format="$%.2f", help="list price of recorded tokens"),
        },
    )

with tab_pairwise:
    shown = next((b for b in meta.get("pairwise", {}).get("bundles", []) if b.get("shown")), None)
    if shown is None or not has_pairwise:
        st.info(
            "No pairwise bundle on this board: submit the pairwise.json, comparisons.jsonl and "
            "ratings.json of `musebench pairwise` over accepted runs (docs/LEADERBOARD.md)."
        )
    else:
        for line in pairwise_lines(shown):
            caption(line)
        st.dataframe(
            pairwise_table(filtered),
            hide_index=True,
            width="stretch",
            column_config=PAGE_COLUMN | {"rubric overall": num(format="%.1f")},
        )
        st.caption(
            "Runs shown unranked below (a subset of the suite, or too few samples) are rated "
            "here on the tasks they were compared on."
        )

# ------------------------------------------------------------------ unranked
st.divider()
st.subheader(f"Unranked runs ({len(unranked)}): not comparable with the ranked board")
st.caption(
    "A ranked run answers every task of the suite version it declares, with at least "
    f"{meta.get('min_samples', 3)} samples per task. These runs passed verification but do not: "
    "their scores cover other tasks or fewer samples, so they get no rank and are never ordered "
    "among the runs above."
)
if unranked.empty:
    st.caption("None.")
else:
    st.dataframe(
        pd.DataFrame(
            {
                "model": unranked["display"],
                "page": [model_page_url(k) for k in unranked["run_key"]],
                "why unranked": unranked["unranked_reason"],
                "tasks": unranked["n_tasks"].astype(str)
                + " / "
                + unranked["suite_tasks"].astype(str),
                "samples": unranked["samples"],
                "rank score (its tasks)": unranked["rank_score"],
                "overall (its tasks)": unranked["overall"],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            **PAGE_COLUMN,
            "rank score (its tasks)": num(format="%.1f", help=RANK_SCORE_HELP),
            "overall (its tasks)": num(format="%.1f"),
        },
    )
