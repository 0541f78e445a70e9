"""An annotator's own ratings and progress. `?rater=NAME` lets admins look at anyone's;
annotators asking for someone else's are refused."""

from __future__ import annotations

import streamlit as st

from benchmark.webapp.inert import text_html

from .. import assignments as q
from .. import reports
from ..errors import PermissionDenied
from . import common


def render() -> None:
    user = common.require_user()
    store = common.store()
    rater = st.query_params.get("rater", user.name)
    try:
        df = reports.user_ratings(store, user, rater)
    except PermissionDenied as err:
        common.refuse(str(err))
        return
    if rater == user.name:
        st.title("My ratings")
    else:  # the name comes from the address bar: shown as text, never as markdown
        st.html(text_html(f"Ratings of {rater}", tag="h1"))
    if rater == user.name:
        prog = q.progress(store, user.id)
        a, b, c, d = st.columns(4)
        a.metric("Done", prog.done)
        b.metric("To go", prog.remaining)
        c.metric("Skipped", prog.skipped)
        d.metric("Flagged", prog.flagged)
    if df.empty:
        st.info("No ratings submitted yet.")
        return
    st.dataframe(df, hide_index=True, width="stretch")
