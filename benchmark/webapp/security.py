"""Response headers for the served apps: a Content-Security-Policy that lets the browser fetch
nothing but the app itself, so that even content that slipped past inert rendering could not
load an image, font, stylesheet or frame from elsewhere, submit a form, or navigate an
embedded page away. Added by an ASGI middleware on the `st.App` each app serves from
(annotation_app/asgi.py, leaderboard/asgi.py)."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Awaitable, Callable, MutableMapping
from functools import cache
from pathlib import Path
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


@cache
def _streamlit_inline_script_hashes() -> tuple[str, ...]:
    """CSP hashes of the inline scripts in Streamlit's own index.html (it has one), so that
    script-src needs no 'unsafe-inline'."""
    import streamlit

    index = Path(streamlit.__file__).parent / "static" / "index.html"
    found = _INLINE_SCRIPT.findall(index.read_text("utf-8"))
    return tuple(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in found
    )


def content_security_policy(frame_ancestors: str) -> str:
    """The policy for an app page. blob: scripts are Streamlit's custom components (our own
    code, loaded as blob URLs); inline styles are how Streamlit styles its elements."""
    scripts = " ".join(("'self'", "blob:", *_streamlit_inline_script_hashes()))
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "media-src 'self' data: blob:",
            "connect-src 'self'",
            "frame-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


class SecurityHeaders:
    """ASGI middleware: every HTTP response gets the policy and a no-referrer rule."""

    def __init__(self, app: ASGIApp, frame_ancestors: str = "'none'") -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", content_security_policy(frame_ancestors).encode()),
            (b"referrer-policy", b"no-referrer"),
            (b"x-content-type-options", b"nosniff"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
