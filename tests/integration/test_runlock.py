"""One writer per run directory. Two real `musebench run` processes on one `--out` against a
loopback fake Anthropic server: the second is refused (exit 2, the holder's pid named) without
sending a request, and the first completes with no line written or call paid twice. A holder
killed with `kill -9` leaves its lock file behind; the next run takes it over."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmark.engine.runlock import LOCK, RunLock, RunLocked
from benchmark.errors import RunDirError
from benchmark.records.rundir import RunDir
from tests.cli_runs import Gate, fake_anthropic_env, gated_server, mini_run_args
from tests.fakes import FakeAnthropic
from tests.fakes.anthropic_fake import api_key_of

REPO = Path(__file__).resolve().parents[2]
# 6 samples x (1 + 3 + 1 model turns + 3 judge calls)
UNIQUE_CALLS = 6 * 8


@pytest.fixture
def gated() -> Iterator[tuple[FakeAnthropic, Gate]]:
    with gated_server(free=6) as served:
        yield served


def _cmd(out: Path) -> list[str]:
    return [sys.executable, "-m", "benchmark", *mini_run_args(out)]


def _wait_for(condition: Any, proc: subprocess.Popen[Any], what: str) -> None:
    deadline = time.monotonic() + 120
    while not condition():
        assert proc.poll() is None, f"exited before {what}: {proc.communicate()}"
        assert time.monotonic() < deadline, f"never {what}"
        time.sleep(0.02)


def _sent_with(server: FakeAnthropic, key: str) -> int:
    return sum(1 for r in server.requests if api_key_of(r.headers) == key)


def _assert_complete_without_duplicates(out: Path) -> None:
    run = RunDir(out)
    keys = Counter((r.task_id, r.sample) for r in run.responses())
    assert len(keys) == 18 and max(keys.values()) == 1
    jkeys = Counter((j.task_id, j.sample, j.item_id) for j in run.judgments())
    assert len(jkeys) == 6 * 9 and max(jkeys.values()) == 1
    assert run.read_manifest().status == "complete"
    assert not (out / LOCK).exists()  # released at the end


@pytest.mark.slow
def test_a_second_run_on_the_same_out_is_refused(
    gated: tuple[FakeAnthropic, Gate], tmp_path: Path
) -> None:
    server, gate = gated
    out = tmp_path / "run"
    first = subprocess.Popen(
        _cmd(out),
        cwd=REPO,
        env=fake_anthropic_env(server, "sk-first"),
        text=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(gate.held.is_set, first, "reached the gate")
        second = subprocess.run(
            _cmd(out),
            cwd=REPO,
            env=fake_anthropic_env(server, "sk-second"),
            capture_output=True,
            text=True,
            timeout=60,  # without the lock it would wait at the gate
        )
        assert second.returncode == 2, second.stderr
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1, lines
        assert f"in use by another musebench process (pid {first.pid})" in lines[0]
        assert _sent_with(server, "sk-second") == 0
    finally:
        gate.open()
        _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert _sent_with(server, "sk-first") == UNIQUE_CALLS  # no call paid twice
    _assert_complete_without_duplicates(out)


@pytest.mark.slow
def test_a_lock_left_by_kill_minus_nine_is_taken_over(
    gated: tuple[FakeAnthropic, Gate], tmp_path: Path
) -> None:
    server, gate = gated
    out = tmp_path / "run"
    killed = subprocess.Popen(
        _cmd(out),
        cwd=REPO,
        env=fake_anthropic_env(server, "sk-test"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_for(gate.held.is_set, killed, "reached the gate")
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()
    # The dead holder's lock file is still there, naming it.
    assert (out / LOCK).read_text().split()[0] == str(killed.pid)
    gate.open()
    done = subprocess.run(
        _cmd(out),
        cwd=REPO,
        env=fake_anthropic_env(server, "sk-test"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    _assert_complete_without_duplicates(out)


HOLD = """
import sys
from benchmark.engine.runlock import RunLock
lock = RunLock(sys.argv[1])
lock.acquire()
print("locked", flush=True)
sys.stdin.read()
"""


def test_a_live_holder_is_named_and_a_dead_ones_lock_is_free(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(
            RunLocked, match=rf"in use by another musebench process \(pid {holder.pid}\)"
        ):
            RunLock(tmp_path).acquire()
    finally:
        holder.communicate("")  # its stdin closes: it exits without releasing
    with RunLock(tmp_path) as lock:  # the dead holder's lock is free
        assert lock.held
        assert (tmp_path / LOCK).read_text().split()[0] == str(os.getpid())
    assert not (tmp_path / LOCK).exists()


def test_a_stale_lock_file_with_a_dead_pid_is_taken_over(tmp_path: Path) -> None:
    (tmp_path / LOCK).write_text("999999999 elsewhere\n")
    with RunLock(tmp_path):
        assert (tmp_path / LOCK).read_text().split()[0] == str(os.getpid())


def test_lock_nests_within_one_holder(tmp_path: Path) -> None:
    lock = RunLock(tmp_path)
    with lock:
        with lock:
            assert lock.held
        assert lock.held and (tmp_path / LOCK).exists()
        with pytest.raises(RunLocked):
            RunLock(tmp_path).acquire()  # another holder, even in this process
    assert not lock.held


def test_lock_under_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(RunDirError, match="cannot create the run directory"):
        RunLock(tmp_path / "file" / "run").acquire()
