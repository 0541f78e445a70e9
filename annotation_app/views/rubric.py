"""The rubric panel of the Rate page (static/rubric_panel.js) and what its updates do to the
store. The panel sits in a fragment: a verdict or a comment reruns only the fragment, whose work
is one write (`assignments.sync`); submit, skip and flag rerun the whole page for the next
response."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

import streamlit as st

from benchmark.errors import MusebenchError
from benchmark.webapp.component import component

from .. import assignments as q
from ..assignments import AssignmentView, ItemView
from ..errors import AssignmentLost
from . import common

RESULTS = "rubric_results"  # {assignment id: {"saved_rev": int, "error": str}}
MOUNTED = "rubric_data"  # {assignment id: the data the panel was mounted with}
APP_RERUN = "rubric_app_rerun"
FLASH = "flash"
SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _key(aid: int) -> str:
    return f"rubric_{aid}"


def flash(kind: str, message: str) -> None:
    st.session_state[FLASH] = (kind, message)


def _payload(aid: int, name: str) -> dict[str, Any] | None:
    """The panel's latest `name` update for this assignment, if well formed."""
    state = st.session_state.get(_key(aid)) or {}
    value = state.get(name) if hasattr(state, "get") else None
    if not isinstance(value, dict) or value.get("aid") != aid:
        return None
    if not isinstance(value.get("draft"), dict) or not isinstance(value.get("rev"), int):
        return None
    return value


def _seconds(payload: dict[str, Any]) -> float | None:
    value = payload.get("active_seconds")
    return float(value) if isinstance(value, int | float) and value >= 0 else None


def _result(aid: int, *, saved_rev: int | None = None, error: str = "") -> None:
    results: dict[int, dict[str, Any]] = st.session_state.setdefault(RESULTS, {})
    entry = results.setdefault(aid, {"saved_rev": 0, "error": ""})
    if saved_rev is not None:
        entry["saved_rev"] = max(entry["saved_rev"], saved_rev)
    entry["error"] = error


def _lost(err: AssignmentLost) -> None:
    flash("error", str(err))
    st.session_state[APP_RERUN] = True


def _on_sync(aid: int, uid: int) -> None:
    payload = _payload(aid, "sync")
    if payload is None:
        return
    try:
        q.sync(common.store(), aid, uid, payload["draft"], active_seconds=_seconds(payload))
    except AssignmentLost as err:
        _lost(err)
    except MusebenchError as err:
        _result(aid, error=str(err))
    else:
        _result(aid, saved_rev=payload["rev"])


def _on_action(aid: int, uid: int) -> None:
    payload = _payload(aid, "action")
    if payload is None:
        return
    store, kind, seconds = common.store(), payload.get("kind"), _seconds(payload)
    try:
        if kind == "submit":
            result = q.submit(store, aid, uid, payload["draft"], active_seconds=seconds)
            if result.fast:
                flash(
                    "warning",
                    f"Submitted after {result.active_seconds:.0f} s of active time, faster than "
                    f"the {result.min_seconds:.0f} s these items usually need. Please read the "
                    "whole response before deciding.",
                )
            else:
                flash("success", f"Saved ({result.n_items} verdicts). Here is the next response.")
        elif kind == "skip":
            q.sync(store, aid, uid, payload["draft"], active_seconds=seconds)
            q.skip(store, aid, uid, active_seconds=seconds)
            flash("info", "Skipped; it goes to someone else.")
        elif kind == "flag":
            q.sync(store, aid, uid, payload["draft"], active_seconds=seconds)
            q.flag(store, aid, uid, str(payload.get("reason", ""))[:500], active_seconds=seconds)
            flash("info", "Flagged for the admins; it goes to someone else.")
        else:
            _result(aid, error=f"unknown action {kind!r}")
            return
    except AssignmentLost as err:
        _lost(err)
    except MusebenchError as err:
        _result(aid, error=str(err))
    else:
        st.session_state[APP_RERUN] = True


def guidance(it: ItemView) -> str:
    """An item's guidance as annotators see it. Check items double as hidden gold: sentences
    saying a program checks them are dropped."""
    if not it.programmatic:
        return it.guidance
    kept = [x for x in SENTENCE.split(it.guidance) if "programmatic" not in x.lower()]
    return " ".join(kept).strip()


def _data(view: AssignmentView, idle_limit: float) -> dict[str, Any]:
    return {
        "aid": view.assignment_id,
        "items": [
            {
                "id": it.item_id,
                "text": it.text,
                "guidance": guidance(it),
                "example_met": it.example_met,
                "example_not_met": it.example_not_met,
                "negative": it.negative,
            }
            for it in view.items
        ],
        "draft": view.draft,
        "active_seconds": view.active_seconds,
        "idle_limit_seconds": idle_limit,
    }


def mount(view: AssignmentView, uid: int) -> None:
    """Show the panel for `view` (called by the full page run)."""
    mounted: dict[int, dict[str, Any]] = st.session_state.setdefault(MOUNTED, {})
    mounted.clear()  # one response at a time: only the current one's data is kept
    mounted[view.assignment_id] = _data(view, common.store().settings.idle_limit_seconds)
    _panel(view.assignment_id, uid)


@st.fragment
def _panel(aid: int, uid: int) -> None:
    if st.session_state.pop(APP_RERUN, False):
        st.rerun(scope="app")
    user = common.current_user()
    data = st.session_state.get(MOUNTED, {}).get(aid)
    if user is None or user.id != uid or data is None:
        st.rerun(scope="app")  # logged out, or another response took its place
    result = st.session_state.get(RESULTS, {}).get(aid, {})
    component("musebench.rubric_panel", "annotation_app", "rubric_panel")(
        key=_key(aid),
        data={**data, "saved_rev": result.get("saved_rev", 0), "error": result.get("error", "")},
        on_sync_change=partial(_on_sync, aid, uid),
        on_action_change=partial(_on_action, aid, uid),
    )
