"""Render folders written by hand for the screenshot tests: small PNGs of known size and colour
(made with Pillow, not chromium), an index.jsonl as `musebench render` writes it."""

from __future__ import annotations

import io
import json
from pathlib import Path

from PIL import Image

from benchmark.webapp.screenshots import WIDTHS, render_key

PAGE = (
    "<!doctype html><html><head><title>Test page</title></head>"
    "<body><h1>Test heading</h1><p>Test paragraph.</p></body></html>"
)
# One colour per width, so a test (and a person looking) can tell which picture is shown.
COLOURS = {375: (200, 30, 30), 768: (30, 160, 30), 1280: (30, 30, 200)}


def png(width: int, height: int = 40, colour: tuple[int, int, int] = (0, 0, 0)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def write_render(
    run: Path,
    task_id: str,
    sample: int,
    html: str,
    *,
    pngs: dict[int, bytes] | None = None,
    listed_dir: str | None = None,
    make_folder: bool = True,
) -> Path:
    """RUN/render/<key>/{375,768,1280}.png (coloured by width unless `pngs` says otherwise) and
    an index line for (task_id, sample) naming `listed_dir` (default: the HTML's key)."""
    key = render_key(html)
    folder = run / "render" / key
    if make_folder:
        folder.mkdir(parents=True, exist_ok=True)
        for width, data in (pngs or {w: png(w, 60, COLOURS[w]) for w in WIDTHS}).items():
            (folder / f"{width}.png").write_bytes(data)
    (run / "render").mkdir(parents=True, exist_ok=True)
    line = {
        "task_id": task_id,
        "sample": sample,
        "html_sha256": "0" * 64,
        "dir": listed_dir or key,
        "errors": [],
    }
    with (run / "render" / "index.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps(line) + "\n")
    return folder
