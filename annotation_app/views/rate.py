"""The Rate page: one response at a time. Left: the transcript in its own scrolling pane (model
output rendered inert; a visual-design page in the sandboxed page frame). Right: the rubric panel
(rubric.py), which stays in view while the transcript scrolls.

Admins take no response from the queue unless they choose to rate on this page."""

from __future__ import annotations

import streamlit as st

from benchmark.analysis.html_extract import extract_html
from benchmark.errors import MusebenchError
from benchmark.webapp.inert import markdown_html, pre_html
from benchmark.webapp.page_frame import html_artefact
from benchmark.webapp.screenshots import Screenshots, render_key, show_rendered

from .. import assignments as q
from ..assignments import AssignmentView
from ..screenshots import screenshots_of
from . import common, rubric

ADMIN_OPTED_IN = "admin_rates"
# The transcript pane's height: with the page header it fills a 1280x800 window; the rubric panel
# beside it needs no scrolling there.
TRANSCRIPT_HEIGHT = 620


NO_SCREENSHOTS = (
    "No screenshots of this page were imported (render the run with `musebench render` before "
    "importing): showing the sandboxed page."
)


def _page(content: str, page: str, shots: dict[str, Screenshots], key: str) -> None:
    """A visual-design answer: its screenshots (width switch) or the sandboxed page, then the
    source. Screenshots are those of this HTML only (matched by its hash)."""
    html = extract_html(content)
    show_rendered(
        page, shots.get(render_key(html)) if html else None, key=key, missing=NO_SCREENSHOTS
    )
    with st.expander("The response as written (source)"):
        st.html(pre_html(content))


def transcript(
    messages: list[dict[str, str]],
    category: str,
    key: str,
    shots: dict[str, Screenshots] | None = None,
) -> None:
    """A conversation from a run, inert: markdown as whitelist HTML, HTML pages as screenshots
    or in the frame. A fixed-history task's given turns come first, marked: the model did not
    write them."""
    given = [m for m in messages if m.get("given")]
    if given:
        with st.expander(f"The conversation so far ({len(given)} given turns, not the model's)"):
            for msg in given:
                with st.chat_message("user" if msg["role"] == "user" else "assistant"):
                    st.html(markdown_html(msg["content"]))
    for i, msg in enumerate(messages):
        role, content = msg["role"], msg["content"]
        if msg.get("given"):
            continue
        if role == "system":
            with st.expander("System prompt"):
                st.html(pre_html(content))
            continue
        with st.chat_message("user" if role == "user" else "assistant"):
            page = html_artefact(content) if role == "assistant" else None
            if page is not None and category == "visual_design":
                _page(content, page, shots or {}, f"{key}_page_{i}")
            else:
                st.html(markdown_html(content))


def _admin_gate(user_id: int) -> bool:
    """True when an admin has chosen to rate (or already holds an open response)."""
    if st.session_state.get(ADMIN_OPTED_IN) or q.current(common.store(), user_id) is not None:
        return True
    st.title("Rate")
    st.info(
        "Admins are not given responses unless they choose to: a response you open takes one of "
        "its annotator slots until you submit, skip or flag it."
    )
    if st.button("Start rating", type="primary"):
        st.session_state[ADMIN_OPTED_IN] = True
        st.rerun()
    return False


def _header(view: AssignmentView, user_id: int) -> None:
    prog = q.progress(common.store(), user_id)
    st.progress(
        prog.done / prog.total if prog.total else 0.0,
        text=f"{prog.done} done · {prog.remaining} to go · response {view.position}: "
        f"{view.task_title} ({view.category.replace('_', ' ')})",
    )


def render() -> None:
    user = common.require_user()
    store = common.store()
    flash = st.session_state.pop(rubric.FLASH, None)
    if flash:
        kind, message = flash
        getattr(st, kind)(message)
    if user.is_admin and not _admin_gate(user.id):
        return
    try:
        view = q.claim_next(store, user.id)
        if view is not None:
            q.touch(store, view.assignment_id, user.id)
    except MusebenchError as err:
        st.error(str(err))
        return
    if view is None:
        prog = q.progress(store, user.id)
        st.success(f"Nothing left for you to rate: {prog.done} done. Thank you!")
        return
    _header(view, user.id)
    left, right = st.columns([5, 4], gap="medium")
    with left, st.container(height=TRANSCRIPT_HEIGHT, border=False, autoscroll=False):
        transcript(
            view.transcript,
            view.category,
            f"t{view.assignment_id}",
            screenshots_of(store, view.unit_pk),
        )
    with right:
        rubric.mount(view, user.id)
