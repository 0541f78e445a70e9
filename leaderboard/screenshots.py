"""Screenshots of visual-design answers on the board, made by the board's own build.

A bundle may carry a render folder, but the board never uses it: a submitter could send a
prettier picture than the page renders to. With `--screenshots`, the build renders each accepted
run's pages itself in locked-down headless chromium (benchmark/checks/render/, docs/RENDERING.md) into
DIR/details/<run>/render/<first 16 hex of the HTML's sha256>/{375,768,1280}.png. Without the flag,
or without chromium, none are made and board.json says why; the model page then shows the
sandboxed page and says so."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from benchmark.analysis.html_extract import extract_html
from benchmark.webapp.screenshots import Screenshots, read_screenshots, render_key

from .files import DETAILS_DIR, NOT_ASKED

RENDER_DIR = "render"
PAGE_CATEGORY = "visual_design"


def _pages(details: Path, categories: dict[str, str]) -> list[str]:
    """The HTML of every assistant turn of the run's visual-design answers."""
    table = pq.read_table(details / "responses.parquet", columns=["task_id", "transcript"])
    pages: list[str] = []
    for task_id, transcript in zip(
        table.column("task_id").to_pylist(), table.column("transcript").to_pylist(), strict=True
    ):
        if categories.get(task_id) != PAGE_CATEGORY:
            continue
        for turn in json.loads(transcript):
            html = (
                extract_html(str(turn.get("content", ""))) if turn["role"] == "assistant" else None
            )
            if html is not None:
                pages.append(html)
    return pages


def render_run(details: Path, categories: dict[str, str]) -> str | None:
    """Render one run's pages into details/render/; why none could be (None: done)."""
    from benchmark.checks.render import store

    out = details / RENDER_DIR
    for html in _pages(details, categories):
        facts = store.facts_for(html, out)
        if isinstance(facts, str):  # no chromium: nothing is made, the board says so
            return facts
    return None


def render_board(board: Path, runs: dict[str, dict[str, str]]) -> dict[str, Any]:
    """Render the pages of every run (run key -> task categories); board.json's entry."""
    for key, categories in runs.items():
        reason = render_run(board / DETAILS_DIR / key, categories)
        if reason is not None:
            for k in runs:
                shutil.rmtree(board / DETAILS_DIR / k / RENDER_DIR, ignore_errors=True)
            return {"made": False, "note": reason}
    return {"made": True, "note": "rendered by the board's build in headless chromium"}


def page_screenshots(board: Path, run_key: str, html: str) -> Screenshots:
    """The build's screenshots of `html` in a run (empty when there are none). The folder is
    named by the HTML's hash, computed here: nothing from the bundle names a path."""
    return read_screenshots(board / DETAILS_DIR / run_key / RENDER_DIR / render_key(html))


def missing_note(meta: dict[str, Any]) -> str:
    """One line for a page without screenshots on this board."""
    shots = meta.get("screenshots")
    if isinstance(shots, dict) and shots.get("made"):
        return "No screenshots of this page were made by the build: showing the sandboxed page."
    reason = shots.get("note") if isinstance(shots, dict) else NOT_ASKED
    return f"Screenshots were not made ({reason}): showing the sandboxed page."
