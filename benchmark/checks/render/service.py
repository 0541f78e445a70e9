"""Rendering awaited from the event loop: the runner's pipeline and the multimodal judge ask for
a page's render here, and it happens in a small pool of threads of its own (one per tab of the
shared renderer), so generation and judge calls keep moving while chromium works (~1-2 s per
artefact). A page asked for twice at once (the check step and the screenshot judge of one
response, two samples with the same HTML) is rendered once: the second caller awaits the
first's result. Renders land in the store (store.py) by content hash, so the synchronous
checks that follow, and a resumed run, find them there."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .records import RenderFacts
from .store import POOL_PAGES, current_root, facts_for, render_dir

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
# In flight, by render directory: asyncio futures of the loop that asked (removed when done).
_flight: dict[Path, asyncio.Future[RenderFacts | str]] = {}


def _pool() -> ThreadPoolExecutor:
    """A pool of its own: waiting for a tab must never hold the loop's default executor, which
    the HTTP clients use to resolve host names."""
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(POOL_PAGES, thread_name_prefix="musebench-render")
        return _executor


async def render(html: str, root: Path | None = None) -> RenderFacts | str:
    """`store.facts_for(html, root)` off the event loop: the facts, or why there are none."""
    root = root or current_root()
    out = render_dir(root, html)
    running = _flight.get(out)
    if running is not None and running.get_loop() is asyncio.get_running_loop():
        return await asyncio.shield(running)
    loop = asyncio.get_running_loop()
    future = loop.run_in_executor(_pool(), facts_for, html, root)
    _flight[out] = future
    future.add_done_callback(lambda done: _landed(out, done))
    # Shielded: a caller cancelled (Ctrl-C) leaves the render to finish for the others.
    return await asyncio.shield(future)


def _landed(out: Path, done: asyncio.Future[RenderFacts | str]) -> None:
    if _flight.get(out) is done:
        del _flight[out]
