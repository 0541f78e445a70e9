"""Where rendered artefacts live, and the one renderer a process shares.

A store is a directory of content-addressed renders: STORE/<first 16 hex of the HTML's sha256>/
holds 375.png, 768.png, 1280.png and facts.json, so the same HTML is rendered once per store and a
resumed run reuses what is there. A run keeps its store in RUN/render/ (`musebench render`
also writes RUN/render/index.jsonl mapping each task and sample to its directory). Checks use the
store bound with `using()`, else a temporary one removed at exit.

The renderer (one chromium, a pool of tabs) starts on first use and stops at exit. Without
chromium every lookup answers why ("visual checks not run: chromium not found ..."), once
looked up, never a made-up verdict."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ...errors import MusebenchError
from .browser import ChromiumNotFound
from .records import FACTS_VERSION, RenderFacts
from .renderer import Renderer, html_sha256, load_facts

NOT_RUN = "visual checks not run"
POOL_PAGES = 2

_lock = threading.RLock()
_renderer: Renderer | None = None
_unavailable: str | None = None
_bound: Path | None = None
_temp: Path | None = None


def render_dir(root: Path, html: str) -> Path:
    return root / html_sha256(html)[:16]


def shared_renderer() -> Renderer:
    """The process's renderer (started now if needed); ChromiumNotFound when it cannot be."""
    global _renderer, _unavailable
    with _lock:
        if _unavailable is not None:
            raise ChromiumNotFound(_unavailable)
        if _renderer is None:
            try:
                _renderer = Renderer(pages=POOL_PAGES)
            except ChromiumNotFound as err:
                _unavailable = str(err)
                raise
            atexit.register(_shutdown)
        return _renderer


def _shutdown() -> None:
    global _renderer
    with _lock:
        if _renderer is not None:
            _renderer.close()
            _renderer = None
        if _temp is not None:
            shutil.rmtree(_temp, ignore_errors=True)


def current_root() -> Path:
    global _temp
    with _lock:
        if _bound is not None:
            return _bound
        if _temp is None:
            _temp = Path(tempfile.mkdtemp(prefix="musebench-renders-"))
            atexit.register(_shutdown)
        return _temp


@contextmanager
def using(root: Path) -> Iterator[Path]:
    """Keep renders in `root` (a run's RUN/render) for the duration of the block."""
    global _bound
    with _lock:
        previous, _bound = _bound, root
    try:
        yield root
    finally:
        with _lock:
            _bound = previous


def _stored(html: str, out: Path) -> RenderFacts | None:
    cached = out / "facts.json"
    if not cached.is_file():
        return None
    try:
        facts = load_facts(cached)
    except MusebenchError:
        return None  # unreadable (a crash mid-write): render again
    if (
        facts.facts_version == FACTS_VERSION
        and facts.html_sha256 == html_sha256(html)
        and not _browser_fault(facts)
    ):
        return facts
    return None


def is_stored(html: str, root: Path) -> bool:
    """Whether `root` already holds a reusable render of `html`."""
    return _stored(html, render_dir(root, html)) is not None


def facts_for(html: str, root: Path | None = None) -> RenderFacts | str:
    """The facts of `html` (rendered now unless the store has them), or why there are none."""
    out = render_dir(root or current_root(), html)
    if (facts := _stored(html, out)) is not None:
        return facts
    try:
        renderer = shared_renderer()
    except ChromiumNotFound as err:
        return f"{NOT_RUN}: {err}"
    return renderer.render(html, out)


def _browser_fault(facts: RenderFacts) -> bool:
    """A width that failed for the browser's sake (a crash), not the page's (it did not finish
    in time): such a render is not reused, so the next lookup tries again."""
    return any(
        w.error and "did not finish" not in w.error and "not tried" not in w.error
        for w in facts.widths
    )
