"""The `mock_calls` fixture: the calls the in-process `mock/...` provider received.

It points MUSEBENCH_MOCK_LOG at a file in the test's tmp_path, so every call of every
MockProvider (also those the CLI builds, and those of child processes given the environment)
is one line there; call the fixture's value to read them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmark.engine.providers.mock_provider import LOG_ENV


class MockCalls:
    def __init__(self, path: Path):
        self.path = path

    def __call__(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Every call so far, in order; only model or judge calls when `kind` says so."""
        if not self.path.exists():
            return []
        lines = [json.loads(x) for x in self.path.read_text(encoding="utf-8").splitlines()]
        return [x for x in lines if kind is None or x["kind"] == kind]


@pytest.fixture
def mock_calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MockCalls:
    path = tmp_path / "mock_calls.jsonl"
    monkeypatch.setenv(LOG_ENV, str(path))
    return MockCalls(path)
