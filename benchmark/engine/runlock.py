"""One writer per run directory: an exclusive lock on `RUN_DIR/.lock`.

Two processes appending to one run would duplicate every line and pay for calls twice, so
whatever writes into a run dir (opening it, generating and judging, scoring) holds this lock and
a second process is refused with the holder's pid. The lock is an OS file lock (`flock`), which
the kernel drops when its holder dies, so a lock left by `kill -9`, a crash or a reboot is simply
taken by the next process; the pid in the file is only there to name the holder."""

from __future__ import annotations

import contextlib
import os
import socket
import sys
from pathlib import Path
from types import TracebackType

from ..errors import RunDirError, StorageError

LOCK = ".lock"

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


class RunLocked(RunDirError):
    """Another live process holds the run directory's lock."""


def _holder(path: Path) -> str:
    """ "pid N" (and the host, when it is another machine's) from a lock file, or a vaguer phrase
    when the holder has not written it yet."""
    try:
        pid, _, host = path.read_text(encoding="utf-8").strip().partition(" ")
    except OSError:
        pid, host = "", ""
    if not pid.isdigit():
        return "another process"
    where = f" on {host}" if host and host != socket.gethostname() else ""
    return f"pid {pid}{where}"


class RunLock:
    """`with RunLock(run_dir):` — or `acquire()` / `release()`, nestable within one holder."""

    def __init__(self, run_dir: str | Path):
        self.run_dir = Path(run_dir)
        self.path = self.run_dir / LOCK
        self._fd: int | None = None
        self._depth = 0

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock (creating the run directory if needed), or raise RunLocked naming the
        holder. Never blocks."""
        self._depth += 1
        if self._fd is not None:
            return
        try:
            self._fd = self._take()
        except BaseException:
            self._depth -= 1
            raise

    def _take(self) -> int:
        try:
            self.run_dir.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StorageError(
                f"{self.run_dir}: cannot create the run directory ({err.strerror or err})"
            ) from None
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as err:
                raise StorageError(
                    f"{self.run_dir}: cannot write in the run directory ({err.strerror or err})"
                ) from None
            if not _try_lock(fd):
                os.close(fd)
                raise RunLocked(
                    f"{self.run_dir}: in use by another musebench process ({_holder(self.path)}); "
                    "wait for it to end or stop it, then run the command again"
                )
            # The previous holder may have removed the file between our open and our lock: then
            # we hold a lock on a file nobody else can see, and must take the new one instead.
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {socket.gethostname()}\n".encode())
        return fd

    def release(self) -> None:
        if self._fd is None:
            return
        self._depth -= 1
        if self._depth > 0:
            return
        fd, self._fd = self._fd, None
        # Removed while still held, so a waiting process cannot lock the old file after us.
        with contextlib.suppress(OSError):
            self.path.unlink()
        os.close(fd)

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def __del__(self) -> None:
        # A holder dropped without release (an exception between acquire and release in user
        # code): closing the descriptor gives the lock back.
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
