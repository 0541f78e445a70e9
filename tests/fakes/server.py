"""A real HTTP server on 127.0.0.1 (ephemeral port) in a background thread, shared by the fake
Anthropic and OpenAI APIs: request recording, fault injection, fixed latency, token counting.

ThreadingHTTPServer answers each connection on its own thread, so 64+ concurrent requests
(e.g. the runner's performance benchmark with `latency=1.0`) are served in parallel."""

from __future__ import annotations

import json
import socket
import threading
import urllib.parse
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .faults import Fault
from .responders import Responder, default_responder


def count_tokens(text: str) -> int:
    """Deterministic stand-in for a tokenizer: about 4 characters per token."""
    return max(1, len(text) // 4) if text else 0


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: Any  # parsed JSON, or None
    status: int = 0  # what the fake answered (0 while in flight, -1 dropped)
    query: dict[str, str] = field(default_factory=dict)  # the last value of each parameter


@dataclass
class Reply:
    status: int
    body: Any = None  # JSON-serialisable, or bytes sent verbatim
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # listen backlog: 64+ clients connect at once


class FakeServer:
    """Subclasses answer requests in `route(request, fault) -> Reply`."""

    def __init__(self, responder: Responder | None = None, *, latency: float = 0.0):
        self.responder: Responder = responder or default_responder
        self.latency = latency
        self.requests: list[Recorded] = []
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> FakeServer:
        self._stopping.clear()
        self._httpd = _Server(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.02},  # how long `stop` waits for the loop to notice
            name=type(self).__name__,
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping on latency / slow faults
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """Scheme, host and port, no path: http://127.0.0.1:PORT"""
        return f"http://127.0.0.1:{self.port}"

    # ------------------------------------------------------------------ faults and records
    def inject(self, *faults: Fault) -> None:
        """Queue faults; each is used by the next request it matches, in order."""
        with self._lock:
            self._faults.extend(faults)

    @property
    def pending_faults(self) -> int:
        with self._lock:
            return len(self._faults)

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(path):
                    self._faults.remove(fault)
                    return fault
        return None

    def requests_to(self, path: str, method: str | None = None) -> list[Recorded]:
        """Recorded requests whose path starts with `path` (optionally of one method)."""
        with self._lock:
            return [
                r
                for r in self.requests
                if r.path.startswith(path) and (method is None or r.method == method)
            ]

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._faults.clear()

    # ------------------------------------------------------------------ hooks
    def route(self, request: Recorded, fault: Fault | None) -> Reply:
        raise NotImplementedError

    def error_reply(self, status: int, message: str, fault: Fault | None = None) -> Reply:
        raise NotImplementedError

    # ------------------------------------------------------------------ HTTP plumbing
    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        path, _, query = handler.path.partition("?")
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        record = Recorded(
            method=method,
            path=path,
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=body,
            query=dict(urllib.parse.parse_qsl(query)),
        )
        with self._lock:
            self.requests.append(record)
        fault = self._take_fault(path)
        self._sleep(self.latency)
        if fault is not None and fault.kind == "drop":
            record.status = -1
            handler.close_connection = True
            return
        if fault is not None and fault.kind == "slow":
            self._sleep(fault.delay)
        if fault is not None and fault.kind == "status":
            reply = self.error_reply(fault.status, f"injected fault: HTTP {fault.status}", fault)
        elif raw and body is None:
            reply = self.error_reply(400, "request body is not JSON")
        else:
            try:
                reply = self.route(record, fault)
            except Exception as exc:  # a broken responder must show up in the test, not hang
                reply = self.error_reply(500, f"fake server error: {type(exc).__name__}: {exc}")
            if fault is not None and fault.kind == "late":
                self._sleep(fault.delay)
        record.status = reply.status
        self._send(handler, reply)

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        payload = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
        try:
            handler.send_response(reply.status)
            handler.send_header("Content-Type", reply.content_type)
            handler.send_header("Content-Length", str(len(payload)))
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout); nothing to answer

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the SDKs' connection pools expect
            timeout = 120  # idle keep-alive connections end eventually

            def setup(self) -> None:
                super().setup()
                # Headers and body go out in separate writes: without TCP_NODELAY the client's
                # delayed ACK adds ~40 ms to every keep-alive response.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self) -> None:
                fake._handle(self, "POST")

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

        return Handler


def headers_for_retry(fault: Fault | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if fault is not None and fault.retry_after is not None:
        headers["retry-after"] = fault.retry_after
    if fault is not None and fault.retry_after_ms is not None:
        headers["retry-after-ms"] = fault.retry_after_ms
    return headers
