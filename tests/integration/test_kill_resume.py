"""`kill -9` mid-run, then the same command: no completed call is paid twice, no line is
duplicated, and the run completes. The runner is a real subprocess talking to a loopback fake
Anthropic server through the real SDK."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from benchmark.records.rundir import RunDir
from tests.cli_runs import fake_anthropic_env, mini_run_args
from tests.fakes import FakeAnthropic

REPO = Path(__file__).resolve().parents[2]


def _lines(path: Path) -> int:
    return path.read_text().count("\n") if path.exists() else 0


def _cached(run: Path) -> int:
    db = run / "cache.sqlite"
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM completions").fetchone()[0])


@pytest.mark.slow
def test_kill_minus_nine_then_resume(tmp_path: Path) -> None:
    out = tmp_path / "run"
    with FakeAnthropic(latency=0.15) as server:
        env = fake_anthropic_env(server)
        cmd = [sys.executable, "-m", "benchmark", *mini_run_args(out)]

        def run_until(path_name: str, n: int) -> None:
            proc = subprocess.Popen(
                cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            deadline = time.monotonic() + 60
            while _lines(out / path_name) < n:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline, "run made no progress"
                time.sleep(0.02)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            # Let the server finish recording what the dead client had already sent: under load
            # a request can reach a handler well after the kill, so wait until none has come
            # for a second (a late one would otherwise be counted as the resume's).
            quiet_since, seen = time.monotonic(), len(server.requests)
            while time.monotonic() - quiet_since < 1.0:
                time.sleep(0.05)
                if len(server.requests) != seen:
                    quiet_since, seen = time.monotonic(), len(server.requests)

        paid_before_kill: list[int] = []
        requests_before: list[int] = []
        for path_name, n in (("responses.jsonl", 3), ("judgments.jsonl", 8)):
            run_until(path_name, n)
            paid_before_kill.append(_cached(out))
            requests_before.append(len(server.requests))

        done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        total_unique_calls = _cached(out)
        resumed_calls = len(server.requests) - requests_before[-1]

    # Every call completed (and cached) before the last kill is never asked for again.
    assert resumed_calls == total_unique_calls - paid_before_kill[-1]
    assert paid_before_kill[0] > 0 and paid_before_kill[1] > paid_before_kill[0]
    # 6 samples x (1 + 3 + 1 model turns + 3 judge calls)
    assert total_unique_calls == 6 * 8

    run = RunDir(out)
    keys = Counter((r.task_id, r.sample) for r in run.responses())
    assert len(keys) == 18 and max(keys.values()) == 1
    jkeys = Counter((j.task_id, j.sample, j.item_id) for j in run.judgments())
    assert len(jkeys) == 6 * 9 and max(jkeys.values()) == 1
    assert run.read_manifest().status == "complete"
