"""Shared fixtures. Real data in ../shared/data is used where present; tests that need it skip
with a clear reason in a user's fresh clone where it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

# Loopback fake Anthropic / OpenAI servers: the `fake_anthropic` and `fake_openai` fixtures;
# the calls of the in-process mock provider: the `mock_calls` fixture.
pytest_plugins = ["tests.fakes.fixtures", "tests.mock_calls"]

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO / ".." / "shared" / "data").resolve()


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA} (only present in the team's checkout)")
    return SHARED_DATA


@pytest.fixture
def repo_root() -> Path:
    return REPO


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every browser test is slow (a Streamlit server and a headless chromium per module)."""
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.slow)
