"""Screenshots of a visual-design response at 375, 768 and 1280 px (the renderer's PNGs,
docs/RENDERING.md), shown in both apps from bytes the server holds (st.image of bytes read from
the app's own store or board), never from a URL or path a run or bundle names. A switch picks
the width; the sandboxed live page (page_frame.py) stays one choice of it. A picture that is
missing or not a valid PNG gives a one-line notice."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Mapping
from pathlib import Path

import streamlit as st
from PIL import Image

from .page_frame import show_page

WIDTHS = (375, 768, 1280)
DEFAULT_WIDTH = 1280
SANDBOXED = "Sandboxed page"
MAX_PNG_BYTES = 16 * 2**20  # a 1280 x 16,000 px full-page screenshot is well below this
# A render folder is named by the first 16 hex digits of the HTML's sha256 (render/store.py):
# any other name (`..`, `/etc`, `a/b`) is refused before it is joined to a path.
RENDER_DIR_NAME = re.compile(r"[0-9a-f]{16}")

Screenshots = dict[int, bytes]  # width -> PNG bytes


def render_key(html: str) -> str:
    """The render folder name of `html` (render.store.render_dir)."""
    return hashlib.sha256(html.encode("utf-8")).hexdigest()[:16]


def is_render_dir_name(name: object) -> bool:
    return isinstance(name, str) and RENDER_DIR_NAME.fullmatch(name) is not None


def png_files(folder: Path) -> dict[int, Path]:
    """The screenshots present in a render folder: regular files (no symlink) within the size
    limit, by width. A missing folder has none."""
    if folder.is_symlink() or not folder.is_dir():
        return {}
    found: dict[int, Path] = {}
    for width in WIDTHS:
        path = folder / f"{width}.png"
        if path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_PNG_BYTES:
            found[width] = path
    return found


def read_screenshots(folder: Path) -> Screenshots:
    return {width: path.read_bytes() for width, path in png_files(folder).items()}


def png_problem(data: bytes) -> str | None:
    """Why `data` is not a PNG to show (None when it is): checked before any is shown."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format != "PNG":
                return f"not a PNG ({img.format or 'unknown format'})"
            img.verify()  # chunk checksums: a truncated or altered file fails here
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return "not a valid PNG"
    return None


def _label(choice: int | str) -> str:
    return f"{choice} px" if isinstance(choice, int) else choice


def show_screenshot(shots: Mapping[int, bytes], width: int) -> None:
    data = shots.get(width)
    if data is None:
        st.info(f"No screenshot at {width} px for this page.")
        return
    problem = png_problem(data)
    if problem is not None:
        st.warning(f"The screenshot at {width} px cannot be shown: {problem}.")
        return
    # Never upscaled: a 375 px page is shown at 375 px, a wider one fits the column.
    st.image(
        data,
        caption=f"Rendered at {width} px wide (full page)",
        width="content",
        output_format="PNG",  # never re-encoded as JPEG: colours stay exact
    )


def show_rendered(page: str, shots: Mapping[int, bytes] | None, *, key: str, missing: str) -> None:
    """A visual-design page: its screenshots with a width switch (the sandboxed live page is
    the switch's last choice), or, without screenshots, `missing` (one line) and the page."""
    if not shots:
        st.caption(missing)
        show_page(page, key=f"{key}_frame")
        return
    choices: list[int | str] = [*WIDTHS, SANDBOXED]
    choice = st.radio(
        "Show",
        choices,
        index=choices.index(DEFAULT_WIDTH),
        format_func=_label,
        horizontal=True,
        key=f"{key}_width",
        label_visibility="collapsed",
    )
    if isinstance(choice, int):
        show_screenshot(shots, choice)
    else:
        show_page(page, key=f"{key}_frame")
