"""One SDK client per running event loop, closed when that loop shuts down.

An async SDK client pools connections bound to the loop that opened them; reusing it under a
second `asyncio.run` fails with "Event loop is closed". Providers are built once and may be
used by several loops (CLI stages, notebooks, tests), so each loop gets its own client.

Closing: a client left to the garbage collector schedules its own `aclose` on whatever loop
is running then, which fails noisily for sockets of a loop already closed. So each client is
tied to a small async generator whose `finally` closes it: `asyncio.run` finalises every open
async generator of its loop (`loop.shutdown_asyncgens`) before closing the loop."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Callable
from typing import Generic, Protocol, TypeVar


class _Closable(Protocol):
    async def close(self) -> None: ...


C = TypeVar("C", bound=_Closable)


async def _close_at_shutdown(client: _Closable) -> AsyncIterator[None]:
    try:
        yield
    finally:
        await client.close()


class LoopClients(Generic[C]):
    def __init__(self, factory: Callable[[], C]):
        self._factory = factory
        # The generator and the task starting it are kept here: the loop itself holds async
        # generators and tasks only weakly.
        self._clients: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, tuple[C, AsyncIterator[None], asyncio.Future[None]]
        ] = weakref.WeakKeyDictionary()

    def get(self) -> C:
        """The client for the running loop (created on first use). Outside a loop, a fresh one."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return self._factory()
        entry = self._clients.get(loop)
        if entry is None:
            client = self._factory()
            closer = _close_at_shutdown(client)
            # Start it (so its `finally` runs on shutdown); the loop registers it on first use.
            started = asyncio.ensure_future(closer.__anext__())
            entry = self._clients[loop] = (client, closer, started)
        return entry[0]
