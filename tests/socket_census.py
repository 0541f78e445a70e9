"""Which tests touch the network stack: `python -m pytest -p tests.socket_census` (xdist too).

A test counts as "through a socket" when, during its setup, call or teardown, the pytest
process binds or connects an internet (AF_INET / AF_INET6) socket: a loopback fake API server,
an SDK client calling one, a Streamlit server and the browser driver talking to it. Everything
else runs in-process. Caveats: sockets opened only by child processes are not seen (the tests
that start children here also open sockets themselves), and a module-scoped fixture's sockets
are charged to the first test that sets it up. Off unless loaded with `-p`."""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import Generator
from typing import Any

import pytest

_INET = (socket.AF_INET, socket.AF_INET6)
_current: list[str] = []  # the node id of the test running in this process, if any
_touched: set[str] = set()
_reports: dict[str, bool] = {}  # node id -> used a socket (on the controller)


def _spy(name: str) -> None:
    real = getattr(socket.socket, name)

    def wrapper(self: socket.socket, *args: Any, **kwargs: Any) -> Any:
        if _current and self.family in _INET:
            _touched.add(_current[-1])
        return real(self, *args, **kwargs)

    setattr(socket.socket, name, wrapper)


for _name in ("bind", "connect", "connect_ex"):
    _spy(_name)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, None, None]:
    _current.append(item.nodeid)
    try:
        yield
    finally:
        _current.pop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "teardown":  # the last phase: every socket of this test is known
        report.user_properties.append(("socket", item.nodeid in _touched))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for key, value in report.user_properties:
        if key == "socket" and report.when == "teardown":
            _reports[report.nodeid] = bool(value)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _reports:
        return
    with_socket = sorted(n for n, used in _reports.items() if used)
    write = terminalreporter.write_line
    write(
        f"socket census: {len(_reports)} tests, {len(_reports) - len(with_socket)} in-process "
        f"(no inet socket), {len(with_socket)} through a socket"
    )
    for path, n in sorted(Counter(n.split("::")[0] for n in with_socket).items()):
        write(f"  {n:4d}  {path}")
