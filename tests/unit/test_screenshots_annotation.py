"""Screenshots in the annotation app: the importer copies a run's render folder into the store
(so the pictures outlive the run dir and a restart), the Rate page shows them with a width switch
whose last choice is the sandboxed page, and hostile or broken render folders give a one-line
notice or a refused import, never a traceback."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from streamlit.runtime.memory_media_file_storage import _calculate_file_id
from streamlit.testing.v1 import AppTest

from annotation_app import auth, sessions
from annotation_app.importer import import_run
from annotation_app.settings import ENV_DB
from annotation_app.store import Unit, UnitScreenshot
from annotation_app.store import _served as open_served
from annotation_app.views import common
from annotation_app.views.rate import NO_SCREENSHOTS
from benchmark.errors import RunDirError
from tests.annotation_support import cheap_token_hashing as cheap_token_hashing
from tests.annotation_support import db_url, make_run, new_store
from tests.screenshot_support import COLOURS, PAGE, png, write_render

pytestmark = pytest.mark.usefixtures("cheap_token_hashing")

APP = Path(__file__).resolve().parents[2] / "annotation_app" / "app.py"
TASK = "vd_alert_banners"


def _run(tmp_path: Path, **render: Any) -> Path:
    run = make_run(tmp_path / "run", task_ids=[TASK], samples=1, text=lambda t, s: PAGE)
    write_render(run, TASK, 0, PAGE, **render)
    return run


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """open(run) imports the run into a fresh store and returns the Rate page as an annotator."""
    store = new_store(tmp_path)
    monkeypatch.setenv(ENV_DB, db_url(tmp_path / "annotations.sqlite"))
    open_served.cache_clear()
    cookie: dict[str, str | None] = {"value": None}
    monkeypatch.setattr(common, "session_cookie", lambda: cookie["value"])

    def open_rate(run: Path, *, after_import: Any = None) -> AppTest:
        import_run(store, run, overlap=1)
        if after_import is not None:
            after_import()
        auth.add_user(store, "alice", "annotator")
        (alice,) = auth.list_users(store)
        cookie["value"] = sessions.create(store, alice.id)
        at = AppTest.from_file(str(APP), default_timeout=30).run()
        assert not at.exception, at.exception
        return at

    yield open_rate
    open_served.cache_clear()
    store.dispose()


def _shown(at: AppTest) -> tuple[str, str] | None:
    """(caption, served file id) of the one screenshot on the page, or None."""
    images = at.get("image")
    if not images:
        return None
    (image,) = images
    (img,) = image.proto.imgs
    return img.caption, img.url.rsplit("/", 1)[1].removesuffix(".png")


def _frames(at: AppTest) -> int:
    return sum("page_frame" in str(el.proto) for el in at.get("bidi_component"))


def test_import_copies_screenshots_and_the_switch_shows_each_width(
    tmp_path: Path, app: Any
) -> None:
    run = _run(tmp_path)
    # The run's render folder is removed after import: the store holds the pictures.
    at = app(run, after_import=lambda: shutil.rmtree(run / "render"))
    switch = at.radio[0]
    assert switch.options == ["375 px", "768 px", "1280 px", "Sandboxed page"]
    assert switch.value == 1280
    for width in (1280, 375, 768):
        at.radio[0].set_value(width).run()
        assert not at.exception
        # The served file is exactly the renderer's PNG of that width (no re-encoding).
        expected = _calculate_file_id(png(width, 60, COLOURS[width]), "image/png")
        assert _shown(at) == (f"Rendered at {width} px wide (full page)", expected)
        assert _frames(at) == 0
    at.radio[0].set_value("Sandboxed page").run()
    assert _shown(at) is None and _frames(at) == 1


def test_import_counts_and_stores_three_pngs_per_page(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    report = import_run(store, _run(tmp_path), overlap=1)
    assert report.screenshots == 3 and "3 screenshots" in report.summary()
    with store.read() as s:
        rows = s.execute(select(UnitScreenshot.width, UnitScreenshot.png)).all()
    assert sorted((w, data) for w, data in rows) == [
        (w, png(w, 60, COLOURS[w])) for w in (375, 768, 1280)
    ]
    store.dispose()


def test_a_corrupt_png_shows_a_one_line_notice(tmp_path: Path, app: Any) -> None:
    good = png(1280, 60)
    corrupt = good[:40] + b"\x00" * 8 + good[48:]  # a damaged chunk: its checksum fails
    at = app(_run(tmp_path, pngs={375: b"not a png at all", 1280: corrupt}))
    assert [w.value for w in at.warning] == [
        "The screenshot at 1280 px cannot be shown: not a valid PNG."
    ]
    at.radio[0].set_value(375).run()
    assert not at.exception
    assert [w.value for w in at.warning] == [
        "The screenshot at 375 px cannot be shown: not a valid PNG."
    ]
    at.radio[0].set_value(768).run()
    assert [i.value for i in at.info] == ["No screenshot at 768 px for this page."]
    assert _shown(at) is None


def test_a_missing_render_folder_shows_the_sandboxed_page_with_a_notice(
    tmp_path: Path, app: Any
) -> None:
    at = app(_run(tmp_path, make_folder=False))
    assert not at.radio and _shown(at) is None
    assert [c.value for c in at.caption if c.value == NO_SCREENSHOTS] == [NO_SCREENSHOTS]
    assert _frames(at) == 1


@pytest.mark.parametrize("name", ["../../../etc", "/etc/passwd", "0123456789abcdef/..", ".."])
def test_a_path_in_the_index_is_refused_before_anything_is_written(
    tmp_path: Path, name: str
) -> None:
    store = new_store(tmp_path)
    with pytest.raises(RunDirError, match=r"index.jsonl: line 1: dir .* refused"):
        import_run(store, _run(tmp_path, listed_dir=name), overlap=1)
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(Unit)) == 0
    store.dispose()


def test_an_index_naming_another_pages_folder_is_refused(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    with pytest.raises(RunDirError, match="not the render of that response's HTML"):
        import_run(store, _run(tmp_path, listed_dir="0123456789abcdef"), overlap=1)
    store.dispose()
