"""Ctrl-C always stops a run.

Python's default SIGINT handler raises KeyboardInterrupt in whatever Python code runs at that
instant. When that code is a weakref callback or a `__del__` (every import runs one, as does
collecting an SDK client), the exception cannot propagate: Python prints "Exception ignored in
... KeyboardInterrupt" and carries on, and so did the run, paying for calls after Ctrl-C. Under
`asyncio.run` the first Ctrl-C cancels the main task instead of raising, but a second one raises
and can be lost the same way.

`handle_interrupts()` (the CLI runs every command in it) records every SIGINT and every
KeyboardInterrupt lost like this, and raises a lost one again where it propagates: at once
inside a running event loop (from a loop callback), otherwise when the run's event loop starts
(`run`), at the next `check()` (before scoring) and when the command returns. Outside it (a
notebook calling `benchmark.run`) nothing changes.

SIGTERM, which used to end the process on the spot, is handled as a Ctrl-C too, so a run stops
the same clean way and records that it stopped; the CLI then ends by SIGTERM as before
(`die_if_terminated`), so whoever sent it sees the same exit status."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")


class _State:
    requested = False  # a Ctrl-C arrived while handle_interrupts() was active
    terminated = False  # ... and it was a SIGTERM


_state = _State()


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    _state.requested = True
    raise KeyboardInterrupt


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    _state.terminated = True
    _on_sigint(signum, frame)


def _raise_interrupt() -> None:
    raise KeyboardInterrupt


def _on_unraisable(unraisable: Any, previous: Any) -> None:
    if unraisable.exc_type is not None and issubclass(unraisable.exc_type, KeyboardInterrupt):
        _state.requested = True
        asyncio = sys.modules.get("asyncio")  # not imported: no loop is running
        try:
            loop = asyncio.get_running_loop() if asyncio is not None else None
        except RuntimeError:
            loop = None
        if loop is None:
            return  # the next check() raises it
        # A loop callback that raises stops the loop: asyncio.run then cancels every task.
        loop.call_soon_threadsafe(_raise_interrupt)
        return
    previous(unraisable)


def requested() -> bool:
    """Has Ctrl-C been pressed since handle_interrupts() began?"""
    return _state.requested


def terminated() -> bool:
    """Was it a SIGTERM?"""
    return _state.terminated


def check() -> None:
    """Raise KeyboardInterrupt if a Ctrl-C was pressed, even one Python lost."""
    if _state.requested:
        raise KeyboardInterrupt


@contextmanager
def handle_interrupts() -> Iterator[None]:
    """Record SIGINTs and lost KeyboardInterrupts for the duration (main thread only; a
    SIGINT that is ignored, as in a background job, stays ignored)."""
    _state.requested = _state.terminated = False
    previous_hook = sys.unraisablehook
    sys.unraisablehook = lambda u: _on_unraisable(u, previous_hook)
    main = threading.current_thread() is threading.main_thread()
    ours = main and signal.getsignal(signal.SIGINT) is signal.default_int_handler
    if ours:
        signal.signal(signal.SIGINT, _on_sigint)
    term = main and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    if term:
        signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        if term:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if ours:
            signal.signal(signal.SIGINT, signal.default_int_handler)
        sys.unraisablehook = previous_hook


def die_if_terminated() -> None:
    """End the process by SIGTERM if one stopped the command (after it cleaned up), so the
    exit status is the one a SIGTERM always gave."""
    if _state.terminated:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)


def _check_before(coro: Coroutine[Any, Any, Any]) -> None:
    if _state.requested:
        coro.close()  # never started: closed, so Python does not warn it was never awaited
        raise KeyboardInterrupt


async def _checked(coro: Coroutine[Any, Any, T]) -> T:
    _check_before(coro)  # a Ctrl-C lost while the loop was being set up
    return await coro


def run(coro: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(coro)`, keeping asyncio's own Ctrl-C handling (the first Ctrl-C cancels
    the main task, so every `finally` runs and the run directory is closed cleanly)."""
    import asyncio  # here, not at the top: the CLI imports this module before anything else

    _check_before(coro)
    # asyncio installs its handler only over Python's default one.
    swap = signal.getsignal(signal.SIGINT) is _on_sigint
    if swap:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return asyncio.run(_checked(coro))
    except KeyboardInterrupt:
        _state.requested = True
        raise
    finally:
        if swap:
            signal.signal(signal.SIGINT, _on_sigint)
