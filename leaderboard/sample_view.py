"""The model page's sample viewer: one response with its prompt (every turn of a conversation),
the judge's quoted evidence highlighted, a visual-design answer's page rendered in the sandboxed
page frame beside its source, and the verdict table. Everything shown comes from the bundle and
is rendered inert (leaderboard/ui.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from benchmark.analysis.html_extract import extract_html
from benchmark.webapp.inert import markdown_html, text_html
from benchmark.webapp.page_frame import html_artefact
from benchmark.webapp.screenshots import Screenshots, show_rendered

from .ui import highlight, notice, verdict_symbol

Quote = tuple[str, str, bool]  # (evidence, mark title, good for the response)
ROLE_TITLES = {"system": "System prompt", "user": "Prompt", "assistant": "Response"}
TURN_TITLES = {"system": "System prompt", "user": "User", "assistant": "Assistant"}
PAGE_CATEGORY = "visual_design"  # tasks whose answer is a web page
# The build's screenshots of a page's HTML (leaderboard/screenshots.py), and the line shown when
# a page has none.
ShotsOf = Callable[[str], Screenshots]
NoShots = tuple[ShotsOf, str]
NO_SHOTS: NoShots = (lambda _html: {}, "Screenshots were not made: showing the sandboxed page.")


def evidence_quotes(verdicts: pd.DataFrame) -> list[Quote]:
    """The grounded evidence of the verdicts given, to highlight in the response, marked good
    when the verdict earned points: a negative item (a failure) met costs points, so its
    evidence is marked as a fault, never in the colour of a met positive item. A quote that is
    the evidence of several verdicts is one mark naming them all, good only if every one is, so
    a fault is never hidden under an earned item's mark."""
    marks: dict[str, tuple[list[str], bool]] = {}
    for ev, item, v, pts, grounded in zip(
        verdicts["evidence"],
        verdicts["item_id"],
        verdicts["verdict"],
        verdicts["points"],
        verdicts["grounded"],
        strict=True,
    ):
        if not (isinstance(ev, str) and ev and grounded is not False and pd.notna(v)):
            continue
        titles, good = marks.get(ev, ([], True))
        titles.append(f"{item}: {verdict_symbol(v)} ({int(pts):+d})")
        marks[ev] = (titles, good and bool(v) == (pts > 0))
    return [(ev, "; ".join(titles), good) for ev, (titles, good) in marks.items()]


def _title(text: str) -> None:
    st.html(text_html(text, tag="p", style="font-weight: 600; margin: 0.4rem 0 0.1rem"))


def _answer(
    content: str, quotes: list[Quote], *, page_key: str | None, shots: NoShots = NO_SHOTS
) -> None:
    """An assistant turn: highlighted text, or for a web page its screenshots (width switch,
    the sandboxed page its last choice) and its source."""
    page = html_artefact(content) if page_key is not None else None
    if page is None or page_key is None:
        st.html(highlight(content, quotes))
        return
    shots_of, missing = shots
    html = extract_html(content)
    rendered, source = st.tabs(["Rendered page", "Source, with evidence"])
    with rendered:
        show_rendered(page, shots_of(html) if html else None, key=page_key, missing=missing)
    with source:
        st.html(highlight(content, quotes))


def show_transcript(
    transcript: list[dict[str, Any]],
    quotes: list[Quote],
    *,
    page_key: str | None,
    shots: NoShots = NO_SHOTS,
) -> None:
    """Every turn in order: the prompt (and system prompt) of a single-turn sample too; a
    fixed-history task's given turns labelled as given (the model did not write them)."""
    conversation = sum(m["role"] == "user" for m in transcript) > 1
    titles = TURN_TITLES if conversation else ROLE_TITLES
    for i, m in enumerate(transcript):
        if m.get("given"):
            _title(f"{TURN_TITLES.get(m['role'], m['role'])} (given, not the model's)")
            st.html(markdown_html(str(m["content"])))
            continue
        _title(titles.get(m["role"], m["role"]))
        if m["role"] == "assistant":
            # One frame per turn: a bundle may hold several assistant turns even for a page task.
            turn_key = f"{page_key}-{i}" if page_key is not None else None
            _answer(str(m["content"]), quotes, page_key=turn_key, shots=shots)
        else:
            st.html(markdown_html(str(m["content"])))


def show_samples(
    run_key: str,
    tasks: pd.DataFrame,
    responses: pd.DataFrame,
    judgments: pd.DataFrame,
    shots: NoShots = NO_SHOTS,
) -> None:
    """Task and sample pickers, then the chosen sample and its verdicts."""
    answered = set(responses["task_id"])
    task_ids = [t for t in tasks["task_id"] if t in answered] or sorted(answered)
    titles = dict(zip(tasks["task_id"], tasks["title"], strict=True))
    categories = dict(zip(tasks["task_id"], tasks["category"], strict=True))
    c1, c2 = st.columns([3, 1])
    task_id = c1.selectbox(
        "Task", task_ids, format_func=lambda t: f"{t} — {titles.get(t, '')}", key="sample_task"
    )
    chosen = responses.loc[responses["task_id"] == task_id]
    sample = c2.selectbox("Sample", sorted(chosen["sample"].tolist()), key="sample_n")
    resp = chosen.loc[chosen["sample"] == sample].iloc[0]
    verdicts = judgments.loc[(judgments["task_id"] == task_id) & (judgments["sample"] == sample)]

    if isinstance(resp["error"], str) and resp["error"]:
        notice(f"This response failed: {resp['error']}", "error")
    is_page = categories.get(task_id) == PAGE_CATEGORY
    with st.container(border=True):
        show_transcript(
            json.loads(resp["transcript"]),
            evidence_quotes(verdicts),
            page_key=f"page-{run_key}-{task_id}-{sample}" if is_page else None,
            shots=shots,
        )
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
