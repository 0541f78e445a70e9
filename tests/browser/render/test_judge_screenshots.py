"""Screenshots as judge inputs: tiling, the two APIs' image parts, and a fingerprint for the
cache key that changes with a single pixel."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from PIL import Image

from benchmark.engine.judging import screenshots as s


def write_pngs(d: Path, height: int, colour: tuple[int, int, int] = (200, 10, 10)) -> None:
    for w in s.WIDTHS:
        Image.new("RGB", (w, height), colour).save(d / f"{w}.png")


def test_tall_pages_are_tiled_and_capped(tmp_path: Path) -> None:
    # 2571 px tall: tiles start at 0 and 1568, so two tiles of 1568 and 1003 px per width.
    write_pngs(tmp_path, 2571)
    shots = s.tiles(tmp_path)
    assert [(t.width, t.index, t.count) for t in shots] == [
        (375, 0, 2), (375, 1, 2), (768, 0, 2), (768, 1, 2), (1280, 0, 2), (1280, 1, 2),
    ]  # fmt: skip
    heights = [Image.open(io.BytesIO(t.png)).size for t in shots[:2]]
    assert heights == [(375, 1568), (375, 1003)]
    assert shots[1].label == "Screenshot at 375 px wide, part 2 of 2"
    # 7000 px: five tiles needed, four sent; the last says the page goes on.
    write_pngs(tmp_path, 7000)
    shots = s.tiles(tmp_path, (375,))
    assert len(shots) == 4
    assert shots[-1].label == "Screenshot at 375 px wide, part 4 of 4 (the page goes on; not shown)"


def test_api_parts(tmp_path: Path) -> None:
    write_pngs(tmp_path, 100)
    shots = s.tiles(tmp_path, (375,))
    a = s.anthropic_content("Judge these items.", shots)
    assert a[0] == {"type": "text", "text": "Judge these items."}
    assert a[1] == {"type": "text", "text": "Screenshot at 375 px wide"}
    assert a[2]["type"] == "image" and a[2]["source"]["media_type"] == "image/png"
    assert base64.b64decode(a[2]["source"]["data"]) == shots[0].png
    o = s.openai_content("Judge these items.", shots)
    assert o[2]["type"] == "image_url"
    assert (
        o[2]["image_url"]["url"]
        == "data:image/png;base64," + base64.b64encode(shots[0].png).decode()
    )


def test_fingerprint_changes_with_one_pixel(tmp_path: Path) -> None:
    write_pngs(tmp_path, 100)
    before = s.fingerprint(s.tiles(tmp_path))
    img = Image.open(tmp_path / "768.png").convert("RGB")
    img.putpixel((5, 5), (0, 0, 0))
    img.save(tmp_path / "768.png")
    after = s.fingerprint(s.tiles(tmp_path))
    assert before[0] == after[0] and before[2] == after[2]
    assert before[1][0] == after[1][0] and before[1][1] != after[1][1]


def test_missing_screenshot_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(s.ScreenshotError, match=r"375\.png: no usable screenshot"):
        s.tiles(tmp_path)
