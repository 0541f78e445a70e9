"""Shared Streamlit helpers for the app's pages: the cached board, display names, board fields
shown inert, highlighting.

Every string read from a board (model and judge names, run ids, labels, notes, texts) comes from
submitted bundles and goes to `st.html` through the inert renderers below, never to st.title,
st.caption, st.markdown, st.info/warning/error, st.metric, tab or radio labels: those render
markdown (a remote image in a model name is fetched by every viewer). Selectbox and multiselect
options, st.dataframe cells and Altair text are drawn as plain text (docs/SECURITY.md).
"""

from __future__ import annotations

import html
import os
from collections import Counter
from typing import Any, Literal

import pandas as pd
import streamlit as st

from benchmark.errors import UsageError
from benchmark.webapp.inert import text_html

from .boarddata import (
    DATA_ENV,
    BoardData,
    Signature,
    board_signature,
    load_board,
    load_details,
    resolve_source,
)

REFRESH_SECONDS = 3600  # a board read from the Hub is fetched again after this long


def _with_display(frame: pd.DataFrame) -> pd.DataFrame:
    """A `display` name per row: the model, the run when a model has several, and its label."""
    frame = frame.copy()
    if frame.empty:  # a board with no accepted run is written without any column
        frame["display"] = pd.Series(dtype="object")
        return frame
    counts = Counter(frame["model"])
    names = []
    for model, run_id, label in zip(frame["model"], frame["run_id"], frame["label"], strict=True):
        name = model if counts[model] == 1 else f"{model} · {run_id}"
        names.append(f"{name} — {label}" if label else name)
    frame["display"] = names
    return frame


@st.cache_resource(show_spinner="Fetching the leaderboard…", ttl=REFRESH_SECONDS)
def _folder(source: str) -> str:
    """The local board folder of `source` (a hf:// source is downloaded or built here)."""
    return str(resolve_source(source))


# Keyed by the board files' signature too: a board rebuilt in place is read again on the next
# rerun, without restarting the server; two entries let sessions finish with the old one.
@st.cache_resource(show_spinner="Loading the leaderboard…", max_entries=2)
def _load(root: str, signature: Signature) -> BoardData:
    data = load_board(root)
    return BoardData(data.root, _with_display(data.frame), data.meta, data.rejected, data.tasks)


@st.cache_data(show_spinner=False, max_entries=32)
def _details(root: str, run_key: str, signature: Signature) -> tuple[pd.DataFrame, pd.DataFrame]:
    # `signature` is read by the cache key only: a run's details are read again per build.
    return load_details(root, run_key)


def details(data: BoardData, run_key: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(responses, judgments) of one run of the board `data`, cached per build."""
    root = str(data.root)
    return _details(root, run_key, board_signature(root))


def current_board() -> BoardData | None:
    """The board named by MUSEBENCH_BOARD_DATA, or None after showing why there is none."""
    source = os.environ.get(DATA_ENV)
    if not source:
        st.error(
            "No board to show: start the app with `musebench leaderboard serve --data DIR` "
            f"(or set {DATA_ENV} to a board folder or hf://datasets/ORG/NAME)."
        )
        return None
    try:
        root = _folder(source)
        return _load(root, board_signature(root))
    except (UsageError, OSError, ValueError) as err:
        notice(f"Could not load the board from {source}: {err}", "error")
        return None


# The look of st.title, st.caption and st.info / st.warning / st.error, for board fields.
HEADING_STYLE = (
    "font-size: 2.25rem; font-weight: 700; line-height: 1.2; margin: 0.75rem 0 0.25rem; "
    "overflow-wrap: anywhere"
)
CAPTION_STYLE = "font-size: 0.875rem; opacity: 0.7; margin: 0; overflow-wrap: anywhere"
NOTICE_BACKGROUND = {
    "info": "rgba(28, 131, 225, 0.1)",
    "warning": "rgba(255, 189, 69, 0.2)",
    "error": "rgba(255, 43, 43, 0.09)",
}
Kind = Literal["info", "warning", "error"]


def heading(text: str) -> None:
    """A page heading that shows `text` exactly as written."""
    st.html(text_html(text, tag="h1", style=HEADING_STYLE))


def caption(text: str) -> None:
    """A small grey line that shows `text` exactly as written."""
    st.html(text_html(text, tag="p", style=CAPTION_STYLE))


def notice(text: str, kind: Kind = "info") -> None:
    """An alert box that shows `text` exactly as written."""
    style = (
        f"background: {NOTICE_BACKGROUND[kind]}; border-radius: 0.5rem; padding: 0.9rem 1rem; "
        "overflow-wrap: anywhere"
    )
    st.html(text_html(text, tag="div", style=style))


def label_warning(frame: pd.DataFrame) -> None:
    labels = sorted({lbl for lbl in frame["label"] if lbl})
    if labels:
        notice(
            "Rows marked " + ", ".join(f"“{lbl}”" for lbl in labels) + " are not results of "
            "any real model: they come from musebench's bundled illustrative or synthetic data.",
            "warning",
        )


def _spans(text: str, quotes: list[tuple[str, str, bool]]) -> list[tuple[int, int, str, bool]]:
    """Where each quote first occurs in `text` without overlapping a longer one."""
    taken: list[tuple[int, int, str, bool]] = []
    for quote, title, met in sorted(quotes, key=lambda q: -len(q[0])):
        start = text.find(quote) if quote else -1
        while start >= 0 and any(start < e and start + len(quote) > s for s, e, _, _ in taken):
            start = text.find(quote, start + 1)
        if start >= 0:
            taken.append((start, start + len(quote), title, met))
    return sorted(taken)


def highlight(text: str, quotes: list[tuple[str, str, bool]]) -> str:
    """HTML of `text` with each (quote, title, good) evidence marked, green where the verdict
    earned points and red where it cost or missed them. Marks are placed on the raw
    text and every piece is escaped, so a response's own markup is shown, never rendered, and a
    quote can never match inside a mark the function wrote."""
    out, pos = [], 0
    for start, end, title, good in _spans(text, quotes):
        colour = "#c8f7c5" if good else "#ffd6d6"
        out.append(html.escape(text[pos:start]))
        out.append(
            f'<mark style="background:{colour}" title="{html.escape(title)}">'
            f"{html.escape(text[start:end])}</mark>"
        )
        pos = end
    out.append(html.escape(text[pos:]))
    return (
        '<div style="white-space: pre-wrap; overflow-wrap: anywhere; font-family: serif; '
        f'line-height: 1.5">{"".join(out)}</div>'
    )


def verdict_symbol(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "— (no verdict)"
    return "met" if bool(value) else "not met"
