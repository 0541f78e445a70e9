"""One browser tab that renders artefacts: the artefact is served as the answer to a request
the tab itself makes (the DevTools Fetch domain pauses every request), everything else is
refused, and measurements run in an isolated JavaScript world the page cannot reach."""

from __future__ import annotations

import base64
import contextlib
import json
import time
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from .browser import Browser
from .cdp import CdpError, CdpTimeout

PAGE_URL = "https://artefact.musebench.invalid/"
# Inline scripts and styles run; nothing may be fetched, framed, posted or opened. data: images,
# fonts and media stay (they are part of the artefact and need no network).
CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; media-src data: blob:; connect-src 'none'; "
    "frame-src 'none'; child-src 'none'; worker-src 'none'; object-src 'none'; "
    "form-action 'none'; base-uri 'none'; manifest-src 'none'"
)
SCREENSHOT_MAX_HEIGHT = 16000  # px; a longer page is cut there (its facts still cover it all)
VIEWPORT_HEIGHT = 900
MAX_TAB_STOPS = 40


def _js(name: str) -> str:
    return (resources.files(__package__) / name).read_text(encoding="utf-8")


class PageBroken(CdpTimeout):
    """The tab stopped answering (a script that never yields, a crash): replace the tab."""


@dataclass
class Budget:
    """A per-artefact time limit shared by all the steps at one width."""

    seconds: float
    start: float = field(default_factory=time.monotonic)

    def left(self) -> float:
        left = self.seconds - (time.monotonic() - self.start)
        if left <= 0:
            raise PageBroken(f"the page did not finish rendering within {self.seconds:g} s")
        return left


class Page:
    def __init__(self, browser: Browser):
        self.conn = browser.conn
        # Its own window: a background tab of a shared window draws no frames, and a
        # screenshot of it would wait forever.
        self.target = self.conn.call(
            "Target.createTarget", {"url": "about:blank", "newWindow": True}
        )["targetId"]
        self.session = self.conn.call(
            "Target.attachToTarget", {"targetId": self.target, "flatten": True}
        )["sessionId"]
        self.blocked: list[str] = []
        self._html = b""
        self._serving = False
        self.conn.on(self.session, "Fetch.requestPaused", self._paused)
        for method, params in (
            ("Page.enable", {}),
            ("Fetch.enable", {"patterns": [{"urlPattern": "*", "requestStage": "Request"}]}),
            ("Emulation.setFocusEmulationEnabled", {"enabled": True}),
            ("Emulation.setEmulatedMedia", {"media": "screen", "features": []}),
        ):
            self.call(method, params)

    def call(self, method: str, params: dict[str, Any] | None = None, timeout: float = 10) -> Any:
        return self.conn.call(method, params, self.session, timeout)

    def close(self) -> None:
        self.conn.on(self.session, "Fetch.requestPaused", None)
        with contextlib.suppress(CdpError):
            self.conn.call("Target.closeTarget", {"targetId": self.target}, timeout=5)

    # ------------------------------------------------------------------ the network

    def _paused(self, params: dict[str, Any]) -> None:
        """Answer the artefact's own document request; refuse everything else. Runs on the
        reader thread, so it only posts (never waits for) its answer."""
        rid, url = params["requestId"], params["request"]["url"]
        main_doc = params.get("resourceType") == "Document" and params.get("frameId") == self.target
        if main_doc and url == PAGE_URL and self._serving:
            self._serving = False
            headers = [
                {"name": "Content-Type", "value": "text/html; charset=utf-8"},
                {"name": "Content-Security-Policy", "value": CSP},
                {"name": "Cache-Control", "value": "no-store"},
            ]
            body = base64.b64encode(self._html).decode()
            self.conn.post(
                "Fetch.fulfillRequest",
                {"requestId": rid, "responseCode": 200, "responseHeaders": headers, "body": body},
                self.session,
            )
            return
        self.blocked.append(url[:200])
        if main_doc:  # a navigation away (meta refresh, location=): 204 keeps the page shown
            self.conn.post(
                "Fetch.fulfillRequest",
                {"requestId": rid, "responseCode": 204, "responseHeaders": []},
                self.session,
            )
        else:
            self.conn.post(
                "Fetch.failRequest",
                {"requestId": rid, "errorReason": "BlockedByClient"},
                self.session,
            )

    # ------------------------------------------------------------------ loading

    def load(self, html: bytes, width: int, budget: Budget) -> int:
        """Show `html` at `width` px and let it settle; returns the isolated world's context."""
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": VIEWPORT_HEIGHT, "deviceScaleFactor": 1, "mobile": False},
        )
        self.conn.forget_events(self.session)
        self._html, self._serving = html, True
        try:
            self.call("Page.navigate", {"url": PAGE_URL}, timeout=budget.left())
            # Stopped loading, not the load event: a form submitted while parsing cancels the
            # load event, though the page is complete (and the submission refused).
            self.conn.wait_event(
                self.session,
                "Page.frameStoppedLoading",
                budget.left(),
                lambda params: params.get("frameId") == self.target,
            )
            ctx = self.call(
                "Page.createIsolatedWorld",
                {"frameId": self.target, "worldName": "musebench"},
                timeout=budget.left(),
            )["executionContextId"]
            self.evaluate(ctx, _js("facts.js"), budget)
            self.evaluate(ctx, "window.__musebench.settle()", budget)
        except CdpTimeout:
            raise
        except CdpError as err:
            raise PageBroken(str(err)) from None
        return int(ctx)

    def evaluate(self, ctx: int, expression: str, budget: Budget) -> Any:
        reply = self.call(
            "Runtime.evaluate",
            {
                "expression": expression,
                "contextId": ctx,
                "returnByValue": True,
                "awaitPromise": True,
                "timeout": int(budget.left() * 1000),
            },
            timeout=budget.left() + 1,
        )
        if "exceptionDetails" in reply:
            details = reply["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise CdpError(f"measuring the page failed: {str(text)[:300]}")
        return reply["result"].get("value")

    def screenshot(self, page_height: float, width: int, budget: Budget) -> bytes:
        height = max(1, min(int(page_height), SCREENSHOT_MAX_HEIGHT))
        shot = self.call(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
            },
            timeout=budget.left(),
        )
        return base64.b64decode(shot["data"])

    # ------------------------------------------------------------------ keyboard

    def press_tab(self, budget: Budget) -> None:
        key = {"key": "Tab", "code": "Tab", "windowsVirtualKeyCode": 9, "nativeVirtualKeyCode": 9}
        self.call("Input.dispatchKeyEvent", {"type": "rawKeyDown", **key}, timeout=budget.left())
        self.call("Input.dispatchKeyEvent", {"type": "keyUp", **key}, timeout=budget.left())

    def tab_through(self, ctx: int, budget: Budget) -> list[dict[str, Any]]:
        """Press Tab until focus comes back to the first stop (or MAX_TAB_STOPS); each stop's
        computed style before (no focus anywhere) and after focus."""
        self.evaluate(ctx, "window.__musebench.baseline()", budget)
        stops: list[dict[str, Any]] = []
        seen: set[str] = set()
        misses = 0
        for _ in range(MAX_TAB_STOPS):
            self.press_tab(budget)
            stop = self.evaluate(ctx, "window.__musebench.focused()", budget)
            if stop is None:
                misses += 1
                if stops or misses > 1:  # back in the browser's UI, or nothing focusable
                    break
                continue
            if stop["selector"] in seen:
                break
            seen.add(stop["selector"])
            stops.append(stop)
        return stops


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1)
