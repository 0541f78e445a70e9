"""`musebench ... | head -1`: a reader that goes away early ends the command quietly, with no
traceback, whether the output is a table, a long JSON document or a short one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmark.cli import STDOUT_CLOSED

ROOT = Path(__file__).resolve().parents[2]


def _into_closed_pipe(*args: str) -> subprocess.CompletedProcess[str]:
    """The command with its stdout a pipe whose reader has already gone (as `head` is after
    its line): its first write to stdout fails, however short the output."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            [sys.executable, "-m", "benchmark", *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)


@pytest.mark.slow  # CLIs run as subprocesses
@pytest.mark.parametrize(
    "args",
    [
        ("tasks", "--json"),  # 30 kB: fails while printing
        ("schema", "prices"),  # 3 kB: fails in the flush at the end
        ("tasks",),  # a rich table
    ],
)
def test_a_closed_stdout_ends_the_command_quietly(args: tuple[str, ...]) -> None:
    done = _into_closed_pipe(*args)
    assert done.stderr == ""
    assert done.returncode == STDOUT_CLOSED
