"""The admin pages: agreement (alpha per rubric item and dimension, most disputed items, each
linking to its response), annotators (throughput, gold accuracy, agreement with consensus),
comments and flags, one response with all its ratings, judge vs humans, and the login audit.
Each page refuses anyone who is not an admin before reading anything."""

from __future__ import annotations

from urllib.parse import quote

import pandas as pd
import streamlit as st

from benchmark.errors import MusebenchError
from benchmark.webapp.inert import text_html

from .. import logins, metrics, reports
from ..auth import UserInfo
from ..errors import PermissionDenied
from ..export import human_ratings, judge_ratings, with_dimensions
from ..screenshots import screenshots_of
from ..store import Store
from . import common, tables
from .rate import transcript

RESPONSE_PAGE = "admin_response"


def _guard() -> tuple[UserInfo, Store]:
    user = common.require_user()
    try:
        reports.admin_only(user)
    except PermissionDenied as err:
        common.refuse(str(err))
    return user, common.store()


def response_link(unit_id: str) -> str:
    """A same-origin link to the response page (the unit id, from a run, is only a parameter)."""
    return f"{RESPONSE_PAGE}?unit={quote(unit_id, safe='')}"


# Metrics are recomputed only when the ratings change (the frame is the cache key).
@st.cache_data(show_spinner="computing alpha…", max_entries=8)
def _alpha_items(df: pd.DataFrame, n_boot: int) -> pd.DataFrame:
    return metrics.alpha_per_criterion(df, n_boot=n_boot)


@st.cache_data(show_spinner="computing alpha per dimension…", max_entries=8)
def _alpha_dims(df: pd.DataFrame, n_boot: int) -> pd.DataFrame:
    return metrics.alpha_per_dimension(df, n_boot=n_boot)


@st.cache_data(show_spinner=False, max_entries=8)
def _consensus(df: pd.DataFrame) -> pd.DataFrame:
    return metrics.rater_agreement(df)


@st.cache_data(show_spinner="comparing the judge with the annotators…", max_entries=8)
def _judge(human: pd.DataFrame, judge: pd.DataFrame, n_boot: int) -> pd.DataFrame:
    return metrics.judge_vs_human(human, judge, n_boot=n_boot)


def _with_text(df: pd.DataFrame, store: Store) -> pd.DataFrame:
    """The criterion column shown by its text, the id kept beside it."""
    texts = reports.criterion_texts(store)
    out = df.rename(columns={"criterion": "item id"})
    out.insert(0, "rubric item", [texts.get(c, c) for c in out["item id"]])
    return out


def _overview(store: Store) -> None:
    o = reports.overview(store)
    cols = st.columns(5)
    cols[0].metric("Responses", o.units)
    cols[1].metric("Fully rated", o.units_complete)
    cols[2].metric("Submissions", o.submissions)
    cols[3].metric("In progress", o.open_assignments)
    cols[4].metric("Flagged", o.flagged)


def agreement_page() -> None:
    _, store = _guard()
    st.title("Agreement")
    _overview(store)
    df, unsure = human_ratings(store)
    if df.empty:
        st.info("No ratings yet.")
        return
    n_boot = store.settings.bootstrap_resamples
    st.caption(
        f"Krippendorff's alpha (nominal: met / not met; {unsure} 'unsure' verdicts left out), "
        f"95% bootstrap CI over responses ({n_boot} resamples). Live: recomputed as ratings arrive."
    )
    try:
        items = _alpha_items(df, n_boot)
        dims = _alpha_dims(with_dimensions(store, df), n_boot)
    except MusebenchError as err:
        st.warning(f"Alpha is unavailable: {err}.")
    else:
        st.subheader("Per rubric item")
        tables.show(
            _with_text(items.sort_values("alpha", na_position="last"), store),
            wide=("rubric item", "note"),
        )
        st.subheader("Per dimension")
        tables.show(dims, wide=("note",))
    st.subheader("Most disputed items")
    disputed = reports.disputed(store, store.settings.disputed_items_shown)
    if disputed.empty:
        st.info("No item with split verdicts yet.")
        return
    disputed.insert(0, "response", [response_link(u) for u in disputed["unit_id"]])
    tables.show(
        disputed.rename(columns={"text": "rubric item", "item": "item id", "system": "model"}),
        wide=("rubric item",),
        config={
            "response": st.column_config.LinkColumn(
                "response", display_text="open", help="the response with every rating"
            )
        },
    )


def annotators_page() -> None:
    _, store = _guard()
    st.title("Annotators")
    table = reports.throughput(store)
    if table.empty:
        st.info("No users yet: add them with `musebench annotate user add NAME --role annotator`.")
        return
    gold = reports.gold_accuracy(store).rename(columns={"accuracy": "gold_accuracy"})
    table = table.merge(
        gold[["annotator", "gold_rated", "gold_accuracy"]], on="annotator", how="left"
    )
    df, _ = human_ratings(store)
    note = None
    if not df.empty:
        try:
            cons = _consensus(df).rename(columns={"rater_id": "annotator"})
            table = table.merge(
                cons[["annotator", "consensus_alpha", "shared_units"]], on="annotator", how="left"
            )
        except MusebenchError as err:
            note = f"Agreement with consensus is unavailable: {err}."
    st.caption(
        "done/skipped/flagged: responses; active time: counted in the browser while the response "
        "is on screen, the tab focused and the annotator not idle; fast: submitted under "
        f"{store.settings.min_seconds_per_rubric_item:g} s of active time per rubric item; gold: "
        "verdicts on items with a known answer (check items, expert answers); consensus alpha: "
        "agreement with the leave-one-out majority of the other annotators."
    )
    tables.show(table)
    if note:
        st.warning(note)
    fast = table[table["fast_submissions"] > 0]
    for row in fast.itertuples():
        st.warning(
            f"{row.annotator}: {row.fast_submissions} submission(s) faster than the minimum time."
        )


def comments_page() -> None:
    _, store = _guard()
    st.title("Comments & flags")
    st.subheader("Flagged responses")
    flagged = reports.flags(store)
    if flagged.empty:
        st.info("Nothing flagged.")
    else:
        flagged.insert(0, "response", [response_link(u) for u in flagged["unit_id"]])
        tables.show(
            flagged,
            wide=("reason",),
            config={"response": st.column_config.LinkColumn("response", display_text="open")},
        )
    st.subheader("Comments")
    notes = reports.comments(store)
    if notes.empty:
        st.info("No comments yet.")
        return
    notes.insert(0, "response", [response_link(u) for u in notes["unit_id"]])
    tables.show(
        notes.rename(columns={"item": "rubric item"}),
        wide=("rubric item", "comment"),
        config={"response": st.column_config.LinkColumn("response", display_text="open")},
    )


def response_page() -> None:
    user, store = _guard()
    unit_id = st.query_params.get("unit", "")
    st.title("Response")
    if not unit_id:
        st.info("Open a response from the Agreement or Comments & flags page.")
        return
    detail = reports.unit_detail(store, user, unit_id)
    if detail is None:
        st.html(text_html(f"No response {unit_id} in this store.", tag="p"))
        return
    st.html(
        text_html(
            f"{detail.unit_id} · {detail.task_title} · model {detail.system}",
            tag="p",
            style="opacity: 0.75",
        )
    )
    if not detail.flags.empty:
        st.warning(f"Flagged {len(detail.flags)} time(s).")
        tables.show(detail.flags, wide=("reason",))
    st.subheader("Ratings")
    tables.show(detail.items, wide=("item",))
    st.subheader("Transcript")
    with st.container(border=True):
        transcript(
            detail.transcript,
            detail.category,
            f"admin_{detail.unit_id}",
            screenshots_of(store, detail.unit_pk),
        )


def judge_page() -> None:
    _, store = _guard()
    st.title("Judge vs humans")
    judge = judge_ratings(store)
    if judge.empty:
        st.info(
            "The imported runs have no LLM judge verdicts (run `musebench judge RUN_DIR` first)."
        )
        return
    human, _ = human_ratings(store)
    if human.empty:
        st.info("No human ratings yet.")
        return
    st.caption(
        "Per judge and rubric item, on responses rated by the judge and at least one annotator: "
        "accuracy, balanced F1 and kappa against the human majority; human alpha, and alpha with "
        "each human replaced by the judge; the alternative-annotator test."
    )
    try:
        table = _judge(human, judge, store.settings.bootstrap_resamples)
    except MusebenchError as err:
        st.warning(f"Judge-vs-human agreement is unavailable: {err}.")
        return
    tables.show(_with_text(table, store), wide=("rubric item", "note"))


def logins_page() -> None:
    user, store = _guard()
    st.title("Logins")
    cfg = store.settings
    st.caption(
        f"Every login attempt, newest first. After {cfg.login_free_failures} failures within "
        f"{cfg.login_window_minutes:g} minutes for one key id or one client, further attempts "
        f"wait {cfg.login_backoff_seconds:g} s, doubling up to {cfg.login_backoff_max_seconds:g} "
        "s; attempts during a wait are refused unchecked (throttled)."
    )
    audit = logins.audit(store, user)
    if audit.empty:
        st.info("No login attempts yet.")
        return
    tables.show(audit)
