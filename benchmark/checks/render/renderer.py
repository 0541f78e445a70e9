"""Render HTML artefacts: a pool of locked-down tabs in one chromium, each artefact shown at
375, 768 and 1280 px; full-page PNG screenshots and the computed facts (records.RenderFacts)
written into one directory per artefact:

    DIR/375.png  DIR/768.png  DIR/1280.png  DIR/facts.json

Tabs are reused across artefacts (a fresh tab costs a renderer process); a tab that hangs or
crashes is closed and replaced, and only that artefact's width records the error."""

from __future__ import annotations

import hashlib
import json
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ...errors import MusebenchError
from . import axe
from .browser import Browser
from .cdp import CdpError, CdpTimeout
from .page import Budget, Page, PageBroken
from .records import AxeResults, FocusStop, RenderFacts, WidthFacts

WIDTHS = (375, 768, 1280)
FOCUS_WIDTH = 1280  # keyboard focus and axe's rules are measured at the desktop width
PAGE_SECONDS = 15.0  # per artefact and width: generous, the machine may be busy


def html_sha256(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


class Renderer:
    """A chromium with `pages` reusable tabs; thread-safe. Close it (or use `with`)."""

    def __init__(self, pages: int = 2, *, page_seconds: float = PAGE_SECONDS, run_axe: bool = True):
        self.browser = Browser()
        self.version = self.browser.conn.call("Browser.getVersion")["product"]
        self.page_seconds = page_seconds
        self.run_axe = run_axe
        self._free: queue.Queue[Page] = queue.Queue()
        self._lock = threading.Lock()
        for _ in range(pages):
            self._free.put(Page(self.browser))

    def close(self) -> None:
        self.browser.close()

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _page(self) -> Iterator[list[Page]]:
        holder = [self._free.get()]
        try:
            yield holder
        finally:
            self._free.put(holder[0])

    def _replace(self, holder: list[Page]) -> None:
        blocked = holder[0].blocked
        holder[0].close()
        with self._lock:
            holder[0] = Page(self.browser)
        holder[0].blocked = blocked  # the same artefact's record goes on

    def render(self, html: str, out_dir: Path) -> RenderFacts:
        """Render `html` at every width into `out_dir` (created) and return its facts."""
        out_dir.mkdir(parents=True, exist_ok=True)
        start = time.monotonic()
        data = html.encode("utf-8")
        widths: list[WidthFacts] = []
        focus: dict[str, Any] = {"focus": None, "focus_error": None, "axe": None, "axe_error": None}
        with self._page() as holder:
            holder[0].blocked = []
            for width in WIDTHS:
                hung = next(
                    (w.error for w in widths if w.error and "did not finish" in w.error), None
                )
                if hung:  # a page that hangs at one width hangs at all: do not wait again
                    widths.append(WidthFacts(width=width, error=f"{width} px: not tried ({hung})"))
                    continue
                widths.append(self._one_width(holder, data, width, out_dir, focus))
            blocked = list(dict.fromkeys(holder[0].blocked))[:50]
        desk = next(w for w in widths if w.width == FOCUS_WIDTH)
        for key in ("focus", "axe"):
            if focus[key] is None and focus[f"{key}_error"] is None:
                focus[f"{key}_error"] = f"not measured: {desk.error or 'not run'}"
        facts = RenderFacts(
            html_sha256=html_sha256(html),
            chromium=self.version,
            widths=widths,
            focus_width=FOCUS_WIDTH,
            blocked_requests=blocked,
            seconds=round(time.monotonic() - start, 3),
            **focus,
        )
        tmp = out_dir / "facts.json.tmp"
        tmp.write_text(facts.model_dump_json(indent=1), encoding="utf-8")
        tmp.replace(out_dir / "facts.json")
        return facts

    def _one_width(
        self, holder: list[Page], data: bytes, width: int, out_dir: Path, extra: dict[str, Any]
    ) -> WidthFacts:
        budget = Budget(self.page_seconds)
        page = holder[0]
        try:
            ctx = page.load(data, width, budget)
            raw = page.evaluate(ctx, "window.__musebench.facts()", budget)
            png = page.screenshot(raw["page_height"], width, budget)
            name = f"{width}.png"
            (out_dir / name).write_bytes(png)
            if width == FOCUS_WIDTH:
                self._keyboard_and_axe(page, ctx, budget, extra)
        except CdpError as err:
            self._replace(holder)
            why = str(err)
            if isinstance(err, CdpTimeout) and not isinstance(err, PageBroken):
                why = f"the page did not finish rendering within {self.page_seconds:g} s ({err})"
            return WidthFacts(width=width, error=f"{width} px: {why}")
        took = round(time.monotonic() - budget.start, 3)
        return WidthFacts(width=width, screenshot=name, seconds=took, **raw)

    def _keyboard_and_axe(
        self, page: Page, ctx: int, budget: Budget, extra: dict[str, Any]
    ) -> None:
        # axe first: tabbing may run the page's focus handlers, which can change the page.
        if self.run_axe:
            try:
                extra["axe"] = AxeResults.model_validate(axe.run(page, ctx, budget, FOCUS_WIDTH))
            except CdpError as err:
                extra["axe_error"] = f"axe-core did not finish: {err}"
                if isinstance(err, PageBroken):
                    raise
        else:
            extra["axe_error"] = "axe-core not run (disabled)"
        try:
            stops = page.tab_through(ctx, budget)
            extra["focus"] = [FocusStop.model_validate(s) for s in stops]
        except CdpError as err:
            extra["focus_error"] = f"tabbing did not finish: {err}"
            if isinstance(err, PageBroken):
                raise


def load_facts(path: Path) -> RenderFacts:
    """Read a facts.json back (MusebenchError naming the file when it is unreadable)."""
    try:
        return RenderFacts.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as err:
        raise MusebenchError(f"{path}: unreadable render facts ({err})") from None
