"""The leaderboard's app and build workers never import a provider SDK: `anthropic` and
`openai` take about 2 s to import, which the app's first render and every build worker's
start-up would pay for nothing (they read bundles; they never call a model)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SDKS = ("anthropic", "openai")


def _imported(modules: str) -> set[str]:
    code = f"import sys; import {modules}; print(' '.join(m for m in {SDKS!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    return set(out.stdout.split())


@pytest.mark.parametrize(
    "modules",
    [
        "leaderboard.boarddata, leaderboard.ui, leaderboard.charts",  # the app's first render
        "leaderboard.build, leaderboard.verify, leaderboard.rederive",  # a build worker
        "benchmark.engine.providers, benchmark.engine.judging",
    ],
)
def test_reading_and_verifying_import_no_provider_sdk(modules: str) -> None:
    assert _imported(modules) == set()


def test_the_sdk_providers_still_load_on_first_use() -> None:
    # The check above can fail: naming a provider class imports its SDK.
    assert _imported("benchmark.engine.providers as p; p.AnthropicProvider, p.OpenAIProvider") == {
        "anthropic",
        "openai",
    }
