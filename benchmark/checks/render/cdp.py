"""A minimal Chrome DevTools Protocol client over `--remote-debugging-pipe` (fds 3 and 4,
messages are JSON terminated by NUL), so the renderer needs no websocket library and no
debugging port that another local process could connect to.

One reader thread parses every message: replies wake the caller waiting on their id; events go
to the handlers registered for (session, method) and to an event log that `wait_event` reads."""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Callable
from typing import Any

from ...errors import MusebenchError

Handler = Callable[[dict[str, Any]], None]


class CdpError(MusebenchError):
    """A DevTools command that failed, timed out, or a browser that went away."""


class CdpTimeout(CdpError):
    """No reply (or no awaited event) within the time limit."""


class CdpConnection:
    def __init__(self, write_fd: int, read_fd: int):
        self._out = os.fdopen(write_fd, "wb", buffering=0)
        self._in = os.fdopen(read_fd, "rb", buffering=0)
        self._lock = threading.Lock()
        self._cond = threading.Condition()
        self._next_id = 0
        self._replies: dict[int, dict[str, Any]] = {}
        self._events: list[tuple[str, str, dict[str, Any]]] = []
        self._handlers: dict[tuple[str, str], Handler] = {}
        self.closed = False
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()

    # ------------------------------------------------------------------ reading

    def _read_loop(self) -> None:
        buf = b""
        try:
            while chunk := self._in.read(1 << 16):
                buf += chunk
                *messages, buf = buf.split(b"\0")
                for raw in messages:
                    self._dispatch(json.loads(raw))
        except (OSError, ValueError):
            pass
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def _dispatch(self, msg: dict[str, Any]) -> None:
        if "id" in msg:
            with self._cond:
                self._replies[msg["id"]] = msg
                self._cond.notify_all()
            return
        session, method = msg.get("sessionId", ""), msg.get("method", "")
        handler = self._handlers.get((session, method))
        if handler is not None:
            # The browser going away mid-answer: callers see it on their next call.
            with contextlib.suppress(MusebenchError):
                handler(msg.get("params", {}))
            return
        with self._cond:
            self._events.append((session, method, msg.get("params", {})))
            del self._events[:-200]  # only recent events are ever awaited
            self._cond.notify_all()

    # ------------------------------------------------------------------ writing

    def post(self, method: str, params: dict[str, Any] | None = None, session: str = "") -> int:
        """Send a command without waiting for its reply (event handlers use this)."""
        with self._lock:
            self._next_id += 1
            mid = self._next_id
            msg: dict[str, Any] = {"id": mid, "method": method, "params": params or {}}
            if session:
                msg["sessionId"] = session
            try:
                self._out.write(json.dumps(msg).encode() + b"\0")
            except OSError as err:
                raise CdpError(f"{method}: the browser is gone ({err})") from None
        return mid

    def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session: str = "",
        timeout: float = 10.0,
    ) -> dict[str, Any]:
        """Send a command and return its result; CdpTimeout after `timeout` seconds."""
        mid = self.post(method, params, session)
        with self._cond:
            ok = self._cond.wait_for(lambda: mid in self._replies or self.closed, timeout)
            reply = self._replies.pop(mid, None)
        if reply is None:
            if not ok:
                raise CdpTimeout(f"{method}: no reply within {timeout:g} s")
            raise CdpError(f"{method}: the browser closed the connection")
        if "error" in reply:
            raise CdpError(f"{method}: {reply['error'].get('message', reply['error'])}")
        result: dict[str, Any] = reply.get("result", {})
        return result

    # ------------------------------------------------------------------ events

    def on(self, session: str, method: str, handler: Handler | None) -> None:
        """Handle every `method` event of `session` on the reader thread (None: stop)."""
        if handler is None:
            self._handlers.pop((session, method), None)
        else:
            self._handlers[(session, method)] = handler

    def forget_events(self, session: str) -> None:
        with self._cond:
            self._events = [e for e in self._events if e[0] != session]

    def wait_event(
        self,
        session: str,
        method: str,
        timeout: float,
        match: Callable[[dict[str, Any]], bool] = lambda params: True,
    ) -> dict[str, Any]:
        """Wait for (and consume) the next `method` event of `session` whose params `match`."""

        def find() -> dict[str, Any] | None:
            for i, (s, m, params) in enumerate(self._events):
                if s == session and m == method and match(params):
                    del self._events[i]
                    return params
            return None

        with self._cond:
            found: list[dict[str, Any]] = []

            def ready() -> bool:
                params = find()
                if params is not None:
                    found.append(params)
                return bool(found) or self.closed

            self._cond.wait_for(ready, timeout)
        if not found:
            raise CdpTimeout(f"{method}: not within {timeout:g} s")
        return found[0]

    def close(self) -> None:
        for f in (self._out, self._in):
            with contextlib.suppress(OSError):
                f.close()
