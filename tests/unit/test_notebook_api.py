"""`benchmark.run` and `benchmark.arun` from inside a running event loop, as a notebook cell
runs them (README "Python API"), on the in-process mock provider."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

import benchmark
from benchmark.errors import UsageError
from benchmark.records.schemas import Scores

MINI = Path(__file__).parents[1] / "data" / "mini_suite"
OPTIONS: dict[str, object] = {"suite_dir": MINI, "samples": 2, "progress": False}


def test_arun_runs_inside_a_running_loop(tmp_path: Path) -> None:
    out = tmp_path / "run"

    async def cell() -> Scores:
        asyncio.get_running_loop()  # a loop is running, as in Jupyter
        return await benchmark.arun("mock/q0.7", judge="mock/q0.7", out=out, **OPTIONS)

    scores = asyncio.run(cell())
    on_disk = json.loads((out / "scores.json").read_text())
    assert scores.overall.score == on_disk["overall"]["score"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["counts"]["responses_done"] == 2 * len(benchmark.load_suite(MINI).tasks)
    # The typed records of what arun wrote.
    loaded = benchmark.load_run(out)
    assert len(loaded.responses) == manifest["counts"]["responses_done"]


def test_arun_gives_what_run_gives(tmp_path: Path) -> None:
    """Same arguments, same numbers: the mock answers are a hash of the request."""
    sync = benchmark.run("mock/q0.7", judge="mock/q0.7", out=tmp_path / "a", **OPTIONS)
    in_loop = asyncio.run(
        benchmark.arun("mock/q0.7", judge="mock/q0.7", out=tmp_path / "b", **OPTIONS)
    )
    assert in_loop.model_dump() == sync.model_dump()


def test_run_in_a_running_loop_names_arun_and_creates_nothing(tmp_path: Path) -> None:
    out = tmp_path / "run"

    async def cell() -> None:
        benchmark.run("mock/q0.7", judge="mock/q0.7", out=out, **OPTIONS)

    with pytest.raises(UsageError) as err:
        asyncio.run(cell())
    message = str(err.value)
    assert "\n" not in message
    assert "await benchmark.arun(...)" in message and "running event loop" in message
    assert not out.exists()


def test_arun_is_exported() -> None:
    assert "arun" in benchmark.__all__ and asyncio.iscoroutinefunction(benchmark.arun)
