"""The renderer's outputs: screenshots at the three widths, facts measured on the laid-out page,
the per-page time limit, fixed fonts, and a clear error without chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmark.checks.render.browser import ChromiumNotFound, find_chromium
from benchmark.checks.render.renderer import WIDTHS, load_facts
from tests.browser.render.support import renderer_fixture


@pytest.fixture(scope="module")
def renderer() -> Iterator[object]:
    yield from renderer_fixture(pages=1, page_seconds=6.0)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


PAGE = """<!doctype html><html lang="en"><head><title>t</title><style>
body { margin: 0; font-family: Georgia; }
.wide { width: 500px; height: 10px; background: #000; }
.tall { height: 2000px; }
</style></head><body><p id="a">Hello</p><div class="wide"></div><div class="tall"></div></body></html>"""


@pytest.mark.browser
def test_screenshots_are_full_page_at_each_width(renderer, tmp_path: Path) -> None:
    facts = renderer.render(PAGE, tmp_path)  # type: ignore[attr-defined]
    for width in WIDTHS:
        w, h = png_size((tmp_path / f"{width}.png").read_bytes())
        # 500 px of .wide overflow the 375 px page (the document grows to 500), but the
        # screenshot is clipped to the viewport width; the height is the whole page:
        # p (18.4 px line + 2 x 16 px margins, collapsing with body's 0) ~ 50 + 10 + 2000.
        assert w == width
        assert h >= 2000 + 10 + 16
    assert load_facts(tmp_path / "facts.json") == facts
    at375, at1280 = facts.at(375), facts.at(1280)
    assert at375 is not None and at1280 is not None
    assert at375.overflow is not None and at375.overflow.scroll_width == 500
    assert [o.selector for o in at375.overflow.offenders] == ["body > div:nth-of-type(1)"]
    assert at1280.overflow is not None and at1280.overflow.offenders == []


@pytest.mark.browser
def test_fonts_are_fixed_to_dejavu(renderer, tmp_path: Path) -> None:
    """Every family falls back to DejaVu Sans (monospace to DejaVu Sans Mono): "Georgia" and
    "Comic Sans MS" measure exactly as sans-serif, monospace differently."""
    spans = "".join(
        f'<p><span id="{i}" style="font-family: {fam}; font-size: 20px">Hamburgefonstiv</span></p>'
        for i, fam in (
            ("g", "Georgia"),
            ("c", "'Comic Sans MS'"),
            ("s", "sans-serif"),
            ("m", "monospace"),
        )
    )
    facts = renderer.render(f"<body>{spans}</body>", tmp_path)  # type: ignore[attr-defined]
    w = facts.at(1280)
    assert w is not None
    widths = {t.selector.split("#")[-1]: t.box.w for t in w.texts}
    assert widths["g"] == widths["c"] == widths["s"]
    # DejaVu Sans Mono: every glyph advances 1233/2048 em = 12.04 px at 20 px, which chromium
    # on Linux (no subpixel positioning) rounds to 12 px: 15 glyphs = 180 px.
    assert widths["m"] == 180


@pytest.mark.browser
def test_a_page_that_never_yields_times_out_and_the_next_one_renders(
    renderer, tmp_path: Path
) -> None:
    facts = renderer.render("<p>x</p><script>for (;;) {}</script>", tmp_path / "hang")  # type: ignore[attr-defined]
    first, *rest = facts.widths
    assert first.error and first.error.startswith(
        "375 px: the page did not finish rendering within 6 s"
    )
    for w in rest:  # not waited for again
        assert w.error and w.error.startswith(f"{w.width} px: not tried (375 px: the page did not")
    assert facts.focus is None and facts.focus_error
    ok = renderer.render("<p>fine</p>", tmp_path / "ok")  # type: ignore[attr-defined]
    assert [w.error for w in ok.widths] == [None, None, None]
    assert ok.at(375) is not None and ok.at(375).texts[0].text == "fine"  # type: ignore[union-attr]


def test_no_chromium_says_so_and_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUSEBENCH_CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(
        ChromiumNotFound, match=r"chromium not found at /nonexistent/chromium \(install"
    ):
        find_chromium()
