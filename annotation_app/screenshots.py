"""A run's screenshots in the annotation store: found at import (RUN/render/, written by
`musebench render`, docs/RENDERING.md), copied into the store (unit_screenshots), and read back
for the Rate and Response pages.

Which folder belongs to a response is decided here, not by the run: the folder is named by the
hash of the response's own HTML, so a picture is attached to the page it is a picture of.
RUN/render/index.jsonl is read for its listing only; a line naming a folder that is not a render
folder name (a path such as `../x`), or another HTML's folder, refuses the import."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from benchmark.analysis.html_extract import extract_html
from benchmark.errors import RunDirError
from benchmark.records.rundir import RunDir
from benchmark.records.schemas import ResponseRecord
from benchmark.webapp.screenshots import Screenshots, is_render_dir_name, png_files, render_key

from .store import Store, UnitScreenshot

RENDER_DIR = "render"
INDEX_FILE = "index.jsonl"
PAGE_CATEGORY = "visual_design"

# unit id -> (html key, width, file) to copy
Planned = dict[str, list[tuple[str, int, Path]]]


def _index_entry(index: Path, n: int, line: str) -> tuple[str, int, str]:
    """(task id, sample, folder name) of one index line, or a RunDirError naming it."""
    where = f"{index}: line {n}"
    try:
        row = json.loads(line)
    except ValueError:
        raise RunDirError(f"{where} is not JSON") from None
    if not isinstance(row, dict):
        raise RunDirError(f"{where} is not a JSON object")
    name, task_id, sample = row.get("dir"), row.get("task_id"), row.get("sample")
    if not is_render_dir_name(name):
        raise RunDirError(
            f"{where}: dir {str(name)[:80]!r} refused (a render folder is named by 16 hex digits)"
        )
    if not isinstance(task_id, str) or not isinstance(sample, int):
        raise RunDirError(f"{where}: task_id must be a string and sample an integer")
    return task_id, sample, str(name)


def read_index(rd: RunDir) -> dict[tuple[str, int], str]:
    """(task id, sample) -> render folder name, from RUN/render/index.jsonl (empty without)."""
    index = rd.path / RENDER_DIR / INDEX_FILE
    if not index.is_file():
        return {}
    try:
        lines = index.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise RunDirError(f"{index}: cannot be read ({err})") from None
    listed: dict[tuple[str, int], str] = {}
    for n, line in enumerate(lines, 1):
        if line.strip():
            task_id, sample, name = _index_entry(index, n, line)
            listed[(task_id, sample)] = name
    return listed


def plan_screenshots(
    rd: RunDir, wanted: dict[str, ResponseRecord], categories: dict[str, str]
) -> Planned:
    """The PNG files to copy for the wanted visual-design responses the index lists. A listed
    folder that is missing or holds no PNG gives none (the pages then say so)."""
    listed = read_index(rd)
    index = rd.path / RENDER_DIR / INDEX_FILE
    planned: Planned = {}
    for uid, r in wanted.items():
        name = listed.get((r.task_id, r.sample))
        if name is None or categories.get(r.task_id) != PAGE_CATEGORY:
            continue
        html = extract_html(r.text)
        if html is None or render_key(html) != name:
            raise RunDirError(
                f"{index}: {r.task_id}/{r.sample} lists folder {name}, which is not the render "
                "of that response's HTML (run `musebench render` again)"
            )
        files = png_files(rd.path / RENDER_DIR / name)
        if files:
            planned[uid] = [(name, width, path) for width, path in files.items()]
    return planned


def add_screenshots(s: Session, unit_pk: int, files: list[tuple[str, int, Path]]) -> int:
    """Copy one unit's PNGs into the store (inside the import's transaction)."""
    for html_key, width, path in files:
        try:
            data = path.read_bytes()
        except OSError as err:
            raise RunDirError(f"{path}: cannot be read ({err.strerror})") from None
        s.add(UnitScreenshot(unit_pk=unit_pk, html_key=html_key, width=width, png=data))
    return len(files)


def screenshots_of(store: Store, unit_pk: int) -> dict[str, Screenshots]:
    """A unit's screenshots: html key -> width -> PNG bytes."""
    found: dict[str, Screenshots] = defaultdict(dict)
    with store.read() as s:
        for html_key, width, png in s.execute(
            select(UnitScreenshot.html_key, UnitScreenshot.width, UnitScreenshot.png).where(
                UnitScreenshot.unit_pk == unit_pk
            )
        ):
            found[html_key][width] = png
    return dict(found)
