"""Debian's headless chromium, started locked down and driven over a DevTools pipe.

Network lockdown, in layers (tests/browser/render/test_render_lockdown.py proves none lets a request out):
1. every request of a page is paused by the DevTools `Fetch` domain and failed, except the one
   document request the renderer answers itself with the artefact (benchmark/checks/render/page.py);
2. that document carries a Content-Security-Policy allowing only inline scripts and styles and
   data: images and fonts (WebSockets, frames, workers, forms are refused by the page itself);
3. browser-wide, all traffic goes to a proxy on a loopback port this process holds bound but
   never listens on (loopback included: `<-loopback>`), and host names never resolve, so
   anything outside a paused page (a popup, a prefetch) is refused too.

Fonts: chromium runs with FONTCONFIG_FILE pointing at benchmark/checks/render/fonts.conf, so DejaVu
(Debian's fonts-dejavu-core) is the only font, on every machine."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import socket
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

from ...errors import MusebenchError
from .cdp import CdpConnection

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
INSTALL_HINT = (
    "install Debian's chromium and fonts-dejavu-core: apt-get install chromium fonts-dejavu-core"
)
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


class ChromiumNotFound(MusebenchError):
    """No chromium binary (or no DejaVu fonts) on this machine: visual checks cannot run."""


def find_chromium() -> Path:
    """The chromium binary ($MUSEBENCH_CHROMIUM, else Debian's), or ChromiumNotFound."""
    env = os.environ.get("MUSEBENCH_CHROMIUM")
    for cand in [env] if env else CANDIDATES:
        if cand and Path(cand).is_file() and os.access(cand, os.X_OK):
            if not (FONT_DIR / "DejaVuSans.ttf").is_file():
                raise ChromiumNotFound(f"fonts not found: {FONT_DIR} ({INSTALL_HINT})")
            return Path(cand)
    where = env or ", ".join(CANDIDATES)
    raise ChromiumNotFound(f"chromium not found at {where} ({INSTALL_HINT})")


def _flags(dead_port: int, profile: Path) -> list[str]:
    return [
        "--headless",
        "--remote-debugging-pipe",
        f"--user-data-dir={profile}",
        "--no-sandbox",  # root in CI and containers; the page is further confined below
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        "--disable-quic",
        "--mute-audio",
        "--hide-scrollbars",  # scrollbars would take width from the layout at some widths only
        "--font-render-hinting=none",
        "--force-color-profile=srgb",
        "--disable-lcd-text",
        f"--proxy-server=http://127.0.0.1:{dead_port}",
        "--proxy-bypass-list=<-loopback>",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
        "--disable-features=DnsOverHttps,Translate,MediaRouter,OptimizationHints",
        "about:blank",
    ]


class Browser:
    """One chromium process; `conn` speaks DevTools to it. Close it (or use `with`)."""

    def __init__(self, binary: Path | None = None):
        binary = binary or find_chromium()
        # Bound, never listening: connections to it are refused, and no one else can take it.
        self._dead = socket.socket()
        self._dead.bind(("127.0.0.1", 0))
        self._profile = Path(tempfile.mkdtemp(prefix="musebench-render-"))
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        # The child's ends above fd 9, so the shell's "3<&N 4>&M" cannot clobber one with the other.
        to_browser_r, from_browser_w = (_above_9(fd) for fd in (to_browser_r, from_browser_w))
        env = dict(os.environ)
        env["FONTCONFIG_FILE"] = str(resources.files(__package__) / "fonts.conf")
        # chromium reads DevTools commands from fd 3 and writes replies to fd 4: bash (dash
        # refuses fds above 9)
        # moves the pipe ends there and becomes chromium (exec).
        script = f'exec "$0" "$@" 3<&{to_browser_r} 4>&{from_browser_w}'
        self.proc = subprocess.Popen(
            [
                "/bin/bash",
                "-c",
                script,
                str(binary),
                *_flags(self._dead.getsockname()[1], self._profile),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            pass_fds=(to_browser_r, from_browser_w),
            start_new_session=True,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.conn = CdpConnection(to_browser_w, from_browser_r)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def close(self) -> None:
        with contextlib.suppress(MusebenchError):
            self.conn.call("Browser.close", timeout=5)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.conn.close()
        self._dead.close()
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _above_9(fd: int) -> int:
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high
