"""Shared Streamlit helpers for the app's pages: the cached board, display names, highlighting."""

from __future__ import annotations

import html
import os
from collections import Counter
from typing import Any

import pandas as pd
import streamlit as st

from benchmark.errors import UsageError

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
        st.error(f"Could not load the board from {source}: {err}")
        return None


def label_warning(frame: pd.DataFrame) -> None:
    labels = sorted({lbl for lbl in frame["label"] if lbl})
    if labels:
        st.warning(
            "Rows marked " + ", ".join(f"**{lbl}**" for lbl in labels) + " are not results of "
            "any real model: they come from musebench's bundled illustrative or synthetic data."
        )


def highlight(text: str, quotes: list[tuple[str, str, bool]]) -> str:
    """HTML of `text` with each (quote, title, met) evidence marked; the text is escaped first,
    so a response's own markup is shown, never rendered."""
    out = html.escape(text)
    for quote, title, met in sorted(quotes, key=lambda q: -len(q[0])):
        q = html.escape(quote)
        if not q or q not in out:
            continue
        colour = "#c8f7c5" if met else "#ffd6d6"
        out = out.replace(
            q, f'<mark style="background:{colour}" title="{html.escape(title)}">{q}</mark>', 1
        )
    return f'<div style="white-space: pre-wrap; font-family: serif; line-height: 1.5">{out}</div>'


def verdict_symbol(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "— (no verdict)"
    return "met" if bool(value) else "not met"
