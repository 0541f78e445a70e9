"""Ctrl-C always stops a run: a real `musebench run` subprocess sent SIGINT mid-run exits at
once with one line (exit 130) while its calls are still in flight; what it wrote stays and the
same command resumes without paying again for a stored call. A KeyboardInterrupt that Python
loses in a weakref callback (the "Exception ignored ... KeyboardInterrupt" once seen, after
which the run went on) stops the run too (tests/interrupt_driver.py). A SIGTERM stops it the same
way, then ends the process by SIGTERM as before. Each stop leaves the manifest `stopped`."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmark.cli import INTERRUPTED
from benchmark.engine.runlock import LOCK
from benchmark.records.rundir import RunDir
from tests.cli_runs import Gate, fake_anthropic_env, gated_server, mini_run_args
from tests.fakes import FakeAnthropic

REPO = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).parents[1] / "interrupt_driver.py"
UNIQUE_CALLS = 6 * 8  # 6 samples x (1 + 3 + 1 model turns + 3 judge calls)


def _start(args: list[str], server: FakeAnthropic) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=REPO,
        env=fake_anthropic_env(server),
        text=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        # As in a terminal: a test runner may have set SIGINT to be ignored, which children
        # would inherit.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _lines(path: Path) -> int:
    return path.read_text().count("\n") if path.exists() else 0


def _cached(out: Path) -> int:
    with sqlite3.connect(out / "cache.sqlite") as db:
        return int(db.execute("SELECT COUNT(*) FROM completions").fetchone()[0])


def _assert_complete(out: Path) -> None:
    run = RunDir(out)
    keys = Counter((r.task_id, r.sample) for r in run.responses())
    assert len(keys) == 18 and max(keys.values()) == 1
    jkeys = Counter((j.task_id, j.sample, j.item_id) for j in run.judgments())
    assert len(jkeys) == 6 * 9 and max(jkeys.values()) == 1
    assert run.read_manifest().status == "complete"


def _assert_stopped(out: Path) -> None:
    """Not `running` (no process is), with the counts of what the run dir holds; not scored."""
    run = RunDir(out)
    manifest = run.read_manifest()
    assert manifest.status == "stopped"
    assert manifest.counts.responses_done == len(run.responses()) < 18
    assert manifest.counts.responses_expected == 18
    assert not run.scores_path.exists()


def _resume(out: Path, server: FakeAnthropic) -> None:
    done = _start(["-m", "benchmark", *mini_run_args(out)], server)
    _, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    _assert_complete(out)


@pytest.fixture
def gated() -> Iterator[tuple[FakeAnthropic, Gate]]:
    with gated_server(free=12) as served:
        yield served


def _started(out: Path, server: FakeAnthropic, gate: Gate) -> subprocess.Popen[str]:
    """A run under way, with its next calls held at the gate."""
    proc = _start(["-m", "benchmark", *mini_run_args(out)], server)
    deadline = time.monotonic() + 120
    while not (gate.held.is_set() and _lines(out / "responses.jsonl") >= 2):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the run made no progress"
        time.sleep(0.02)
    return proc


@pytest.mark.slow
def test_sigint_mid_run_stops_at_once_and_the_run_resumes(
    gated: tuple[FakeAnthropic, Gate], tmp_path: Path
) -> None:
    server, gate = gated
    out = tmp_path / "run"
    proc = _started(out, server, gate)
    written = {p: (out / p).read_bytes() for p in ("responses.jsonl", "judgments.jsonl")}

    # Its next calls are held at the gate: only Ctrl-C can end the run now.
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.strip().splitlines() == [INTERRUPTED]
    for name, data in written.items():
        assert (out / name).read_bytes().startswith(data)  # nothing written is lost
    assert not (out / LOCK).exists()
    _assert_stopped(out)
    cached, sent = _cached(out), len(server.requests)

    gate.open()
    _resume(out, server)
    assert len(server.requests) - sent == UNIQUE_CALLS - cached  # no stored call paid again


@pytest.mark.slow
def test_sigterm_mid_run_records_the_stop_and_still_dies_of_sigterm(
    gated: tuple[FakeAnthropic, Gate], tmp_path: Path
) -> None:
    server, gate = gated
    out = tmp_path / "run"
    proc = _started(out, server, gate)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGTERM, err  # as before: killed by the signal, silently
    assert err == ""
    _assert_stopped(out)
    gate.open()
    _resume(out, server)


def _run_with_a_lost_interrupt(when: str, out: Path, server: FakeAnthropic) -> str:
    proc = _start([str(DRIVER), when, *mini_run_args(out)], server)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    return err


@pytest.mark.slow
def test_an_interrupt_lost_before_the_run_starts_stops_it(tmp_path: Path) -> None:
    out = tmp_path / "run"
    with FakeAnthropic() as server:
        err = _run_with_a_lost_interrupt("startup", out, server)
        assert err.strip().splitlines() == [INTERRUPTED]  # no "Exception ignored" either
        assert server.requests == []  # nothing paid after Ctrl-C
        _resume(out, server)


@pytest.mark.slow
def test_an_interrupt_lost_inside_the_event_loop_stops_it(tmp_path: Path) -> None:
    out = tmp_path / "run"
    with FakeAnthropic() as server:
        err = _run_with_a_lost_interrupt("loop", out, server)
        assert err.strip().splitlines() == [INTERRUPTED]
        _assert_stopped(out)
        assert len(server.requests) < UNIQUE_CALLS
        cached, sent = _cached(out), len(server.requests)
        _resume(out, server)
        assert len(server.requests) - sent == UNIQUE_CALLS - cached


def test_handle_interrupts_restores_what_it_found(tmp_path: Path) -> None:
    from benchmark.engine import interrupts

    hook: Any = sys.unraisablehook
    handler = signal.getsignal(signal.SIGINT)
    term = signal.getsignal(signal.SIGTERM)
    with interrupts.handle_interrupts():
        assert not interrupts.requested() and not interrupts.terminated()
    assert sys.unraisablehook is hook
    assert signal.getsignal(signal.SIGINT) is handler
    assert signal.getsignal(signal.SIGTERM) == term
