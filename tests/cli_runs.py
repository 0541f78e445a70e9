"""The `musebench run` that the kill -9, run-lock and interrupt tests start as a subprocess: the
mini suite, 6 samples, 4 calls at a time, model and judge on one fake Anthropic server (which
can hold the run mid-way: `gated_server`)."""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.fakes import FakeAnthropic, default_responder

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "tests" / "data" / "mini_suite"


def mini_run_args(out: Path) -> list[str]:
    """The arguments after `musebench` (or `python -m benchmark`)."""
    return [
        "run",
        "--model",
        "anthropic/m",
        "--judge",
        "anthropic/j",
        "--out",
        str(out),
        "--suite",
        str(MINI),
        "--samples",
        "6",
        "--concurrency",
        "4",
        "--no-progress",
    ]


def fake_anthropic_env(server: FakeAnthropic, key: str = "sk-test") -> dict[str, str]:
    """This environment, pointed at `server`, with this checkout importable."""
    return {
        **os.environ,
        "ANTHROPIC_BASE_URL": server.url,
        "ANTHROPIC_API_KEY": key,
        "PYTHONPATH": str(REPO),
    }


class Gate:
    """A responder that answers the first `free` requests and holds every later one until
    `open()`: the run is then mid-run for as long as the test needs."""

    def __init__(self, free: int):
        self.free = free
        self.opened = threading.Event()
        self.held = threading.Event()  # set once a request is waiting at the gate
        self._count = itertools.count()

    def __call__(self, body: dict[str, Any]) -> Any:
        if next(self._count) >= self.free:
            self.held.set()
            self.opened.wait(120)
        return default_responder(body)

    def open(self) -> None:
        self.opened.set()


@contextmanager
def gated_server(free: int) -> Iterator[tuple[FakeAnthropic, Gate]]:
    """A fake Anthropic server behind a Gate of `free` requests; opened on the way out, so no
    held request outlives the test."""
    gate = Gate(free)
    with FakeAnthropic(gate) as server:
        try:
            yield server, gate
        finally:
            gate.open()
