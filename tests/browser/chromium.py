"""Debian's headless chromium for the browser tests and benchmark scripts (never a browser
download): the paths, the flags this closed network needs, a free loopback port, and waiting
for a served Streamlit app to be healthy."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
MISSING = "needs Debian's chromium and chromedriver (/usr/bin); .ci/run installs them via apt"

# Without the background-networking flags chromium keeps trying hosts this network refuses.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
)


def available() -> bool:
    return CHROMIUM.exists() and CHROMEDRIVER.exists()


def headless_chrome(user_data_dir: Path | None = None, *, console: bool = False) -> Any:
    """A selenium Chrome driver on Debian's chromium, with a fresh profile directory;
    `console`: keep the page's console messages (CSP refusals among them) for
    `driver.get_log("browser")`."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        opts.add_argument(flag)
    if user_data_dir is not None:
        opts.add_argument(f"--user-data-dir={user_data_dir}")
    if console:
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class NotServing(RuntimeError):
    """A Streamlit server that exited, or did not answer its health check in time."""


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    """Return once the Streamlit app at `url` answers /_stcore/health; raise NotServing when
    its process `proc` exits first or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise NotServing(f"{url}: the server exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise NotServing(f"{url}: not healthy after {timeout:.0f} s")


@contextmanager
def serving(args: list[str], *, log: Path | None = None, cwd: Path | None = None) -> Iterator[str]:
    """`musebench ARGS --port P` (a `serve` command) on a free loopback port until the block
    ends; yields its URL. The server's whole session is stopped, so nothing it started lingers;
    its output goes to `log` (named in the error when it does not come up)."""
    import sys

    port = free_port()
    out = log.open("w") if log else subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmark", *args, "--port", str(port)],
        cwd=cwd or Path(__file__).resolve().parents[2],
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_healthy(url, proc)
        except NotServing as err:
            raise NotServing(f"{err} (see {log})" if log else str(err)) from None
        yield url
    finally:
        stop_session(proc)
        if log:
            out.close()  # type: ignore[union-attr]


def stop_session(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Stop a server started with start_new_session=True and everything it started: SIGTERM to
    its process group, SIGKILL if it has not exited after `timeout` seconds."""
    import os
    import signal

    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
