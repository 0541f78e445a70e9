"""Screenshots on the leaderboard's model page: made by the board's own build (never taken from
a bundle), shown with a 375 / 768 / 1280 / sandboxed switch, and a page without them says so in
one line. The build's renderer is replaced here by one writing known PNGs (the real chromium
build is tests/browser/test_screenshots_browser.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from streamlit.runtime.memory_media_file_storage import _calculate_file_id
from streamlit.testing.v1 import AppTest

from benchmark.analysis.html_extract import extract_html
from benchmark.checks.render import store as render_store
from benchmark.records.schemas import ResolvedTask
from benchmark.webapp.screenshots import WIDTHS, render_key
from leaderboard.boarddata import DATA_ENV
from leaderboard.build import build_board
from leaderboard.files import DETAILS_DIR, META_FILE
from leaderboard.screenshots import NOT_ASKED
from tests.leaderboard_helpers import bundle, mini_suites
from tests.screenshot_support import COLOURS, png

APP = str(Path(__file__).resolve().parents[2] / "leaderboard" / "app.py")
PAGE = "<!DOCTYPE html><html><body><h1>Join</h1><form><input><button>Go</button></form>"
PRETTIER = (250, 200, 10)  # the submitter's own picture: never on the board


def _text(task: ResolvedTask, sample: int) -> str:
    return PAGE if task.id == "page" else f"Synthetic answer to {task.id}."


def _source(tmp_path: Path) -> Path:
    """One bundle whose page comes with a render folder of its own (a prettier picture)."""
    src = tmp_path / "src"
    b = bundle(src, "shots", text=_text)
    own = b / "render" / render_key(PAGE)
    own.mkdir(parents=True)
    for w in WIDTHS:
        (own / f"{w}.png").write_bytes(png(w, 60, PRETTIER))
    return src


def _fake_renderer(
    monkeypatch: pytest.MonkeyPatch, write: Callable[[Path], None] | None = None
) -> list[str]:
    """The build's renderer replaced: writes COLOURS PNGs (or `write`s), records the HTML."""
    seen: list[str] = []

    def facts_for(html: str, root: Path | None = None) -> Any:
        assert root is not None
        seen.append(html)
        out = render_store.render_dir(root, html)
        out.mkdir(parents=True, exist_ok=True)
        if write is not None:
            write(out)
        else:
            for w in WIDTHS:
                (out / f"{w}.png").write_bytes(png(w, 60, COLOURS[w]))
        return object()

    monkeypatch.setattr(render_store, "facts_for", facts_for)
    return seen


def _model_page(board: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv(DATA_ENV, str(board))
    at = AppTest.from_file(APP, default_timeout=60).run()
    at = at.switch_page("views/model.py").run()
    at.selectbox(key="sample_task").set_value("page").run()
    assert not at.exception, at.exception
    return at


def _shown(at: AppTest) -> tuple[str, str] | None:
    images = at.get("image")
    if not images:
        return None
    (image,) = images
    (img,) = image.proto.imgs
    return img.caption, img.url.rsplit("/", 1)[1].removesuffix(".png")


def test_build_renders_the_pages_and_the_model_page_switches_widths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _fake_renderer(monkeypatch)
    board = tmp_path / "board"
    build_board(_source(tmp_path), board, suites=mini_suites(), min_samples=1, screenshots=True)
    assert seen == [extract_html(PAGE)]  # the page task's answer only
    meta = json.loads((board / META_FILE).read_text())
    assert meta["screenshots"]["made"] is True
    at = _model_page(board, monkeypatch)
    assert at.radio[0].options == ["375 px", "768 px", "1280 px", "Sandboxed page"]
    for width in (1280, 375, 768):
        at.radio[0].set_value(width).run()
        assert not at.exception
        # The build's own picture, not the bundle's prettier one.
        expected = _calculate_file_id(png(width, 60, COLOURS[width]), "image/png")
        assert _shown(at) == (f"Rendered at {width} px wide (full page)", expected)
        assert not at.get("bidi_component")
    at.radio[0].set_value("Sandboxed page").run()
    assert _shown(at) is None
    (frame,) = at.get("bidi_component")
    assert frame.proto.component_name == "musebench.page_frame"


def test_a_bundles_own_screenshots_are_never_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    board = tmp_path / "board"
    build_board(_source(tmp_path), board, suites=mini_suites(), min_samples=1)
    assert not list((board / DETAILS_DIR).rglob("*.png"))
    assert json.loads((board / META_FILE).read_text())["screenshots"] == {
        "made": False,
        "note": NOT_ASKED,
    }
    at = _model_page(board, monkeypatch)
    assert _shown(at) is None and not at.radio
    assert f"Screenshots were not made ({NOT_ASKED}): showing the sandboxed page." in [
        c.value for c in at.caption
    ]
    assert len(at.get("bidi_component")) == 1


def test_without_chromium_the_board_says_screenshots_were_not_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reason = "visual checks not run: chromium not found at /nowhere (install ...)"
    monkeypatch.setattr(render_store, "facts_for", lambda html, root=None: reason)
    board = tmp_path / "board"
    result = build_board(
        _source(tmp_path), board, suites=mini_suites(), min_samples=1, screenshots=True
    )
    assert f"screenshots not made: {reason}" in result.notes
    at = _model_page(board, monkeypatch)
    assert f"Screenshots were not made ({reason}): showing the sandboxed page." in [
        c.value for c in at.caption
    ]
    assert _shown(at) is None and len(at.get("bidi_component")) == 1


def test_a_corrupt_or_missing_width_shows_a_one_line_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def write(out: Path) -> None:
        (out / "375.png").write_bytes(png(375, 60)[:-20])  # truncated
        (out / "1280.png").write_bytes(b"GIF89a not what it says")

    _fake_renderer(monkeypatch, write)
    board = tmp_path / "board"
    build_board(_source(tmp_path), board, suites=mini_suites(), min_samples=1, screenshots=True)
    at = _model_page(board, monkeypatch)
    notices = {
        1280: ("warning", "The screenshot at 1280 px cannot be shown: not a valid PNG."),
        375: ("warning", "The screenshot at 375 px cannot be shown: not a valid PNG."),
        768: ("info", "No screenshot at 768 px for this page."),
    }
    for width, (kind, text) in notices.items():
        at.radio[0].set_value(width).run()
        assert not at.exception
        assert [n.value for n in getattr(at, kind)] == [text]
        assert _shown(at) is None
