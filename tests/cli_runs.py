"""The `musebench run` that the kill -9, run-lock and interrupt tests start as a subprocess: the
mini suite, 6 samples, 4 calls at a time, model and judge on one fake Anthropic server."""

from __future__ import annotations

import os
from pathlib import Path

from tests.fakes import FakeAnthropic

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "tests" / "data" / "mini_suite"


def mini_run_args(out: Path) -> list[str]:
    """The arguments after `musebench` (or `python -m benchmark`)."""
    return [
        "run",
        "--model",
        "anthropic/m",
        "--judge",
        "anthropic/j",
        "--out",
        str(out),
        "--suite",
        str(MINI),
        "--samples",
        "6",
        "--concurrency",
        "4",
        "--no-progress",
    ]


def fake_anthropic_env(server: FakeAnthropic, key: str = "sk-test") -> dict[str, str]:
    """This environment, pointed at `server`, with this checkout importable."""
    return {
        **os.environ,
        "ANTHROPIC_BASE_URL": server.url,
        "ANTHROPIC_API_KEY": key,
        "PYTHONPATH": str(REPO),
    }
