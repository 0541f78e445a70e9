"""musebench: rubric-based evaluation of creative writing and emotional intelligence.

The curated API for notebooks:

    import benchmark as mb
    suite = mb.load_suite()                                   # the shipped task suite
    scores = mb.run("anthropic/claude-haiku-4-5", judge="anthropic/claude-sonnet-4-5",
                    out="runs/haiku", tasks="emotional_intelligence/*", samples=3)
    scores = await mb.arun(...)                               # the same, in a running loop
    scores = mb.score("runs/haiku")                           # recompute from judgments.jsonl
    run = mb.open_run("runs/haiku"); run.responses(); run.judgments()
    run = mb.load_run("runs/haiku")                           # typed records, all read at once
    ds = mb.load_run("runs/haiku", dataset="judgments")       # a datasets.Dataset, fixed features

Run directories load with `datasets.load_dataset("json", data_files=...)` too."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import MusebenchError, ProviderError, RunDirError, SuiteError, UsageError
from .version import __version__

if TYPE_CHECKING:
    from .records.loaded_run import LoadedRun, load_run
    from .records.rundir import RunDir
    from .records.schemas import Scores
    from .suite import Suite, load_suite

# Loaded on first use: `import benchmark` stays light, so the CLI can take over Ctrl-C before
# its heavy imports run (benchmark.engine.interrupts explains why that matters).
_LAZY = {
    "LoadedRun": "records.loaded_run",
    "load_run": "records.loaded_run",
    "RunDir": "records.rundir",
    "Scores": "records.schemas",
    "Suite": "suite",
    "load_suite": "suite",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def run(model: str, *, judge: str | None, out: str | Path, **options: Any) -> Scores:
    """Generate, check, judge and score (resumable). `options` are `runner.RunConfig` fields:
    samples, tasks, concurrency, base_url, judge_samples, judge_mode, batch, suite_dir, ...
    Inside a running event loop (Jupyter, an async program) use `await arun(...)` instead."""
    _refuse_in_running_loop()  # before the run directory is created
    from .engine.runner import RunConfig, Runner  # imported on use: the SDKs load only when needed

    return Runner(RunConfig(model=model, judge=judge, **options), out).execute()


async def arun(model: str, *, judge: str | None, out: str | Path, **options: Any) -> Scores:
    """`run` as a coroutine, for code already inside an event loop: `await mb.arun(...)` in a
    notebook cell. Same arguments, same run directory, same scores."""
    from .engine.runner import RunConfig, Runner

    return await Runner(RunConfig(model=model, judge=judge, **options), out).aexecute()


def _refuse_in_running_loop() -> None:
    """`run` cannot start an event loop inside a running one. Running it on a second thread
    instead would hide a trap: an interrupt (Ctrl-C, a notebook's stop button) reaches only the
    main thread, so paid calls would go on after it. Say what to call instead."""
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise UsageError(
        "benchmark.run() called inside a running event loop (Jupyter, asyncio): "
        "use `await benchmark.arun(...)` with the same arguments"
    )


def score(run_dir: str | Path, *, suite_dir: str | Path | None = None) -> Scores:
    """Recompute scores.json of a run from its raw judgments (the manifest is left as it is)."""
    from .engine.runlock import RunLock
    from .measure.run_scores import compute_scores  # imported on use, as above
    from .records.rundir import RunDir
    from .suite import load_suite

    run_ = RunDir(run_dir)
    run_.require()
    with RunLock(run_.path):  # scores.json is written by one process at a time
        scores = compute_scores(run_, load_suite(suite_dir))
        run_.write_scores(scores)
    return scores


def open_run(run_dir: str | Path) -> RunDir:
    """An existing run directory (manifest, responses, judgments, scores)."""
    from .records.rundir import RunDir

    run_dir_ = RunDir(run_dir)
    run_dir_.require()
    return run_dir_


__all__ = [
    "LoadedRun",
    "MusebenchError",
    "ProviderError",
    "RunDir",
    "RunDirError",
    "Scores",
    "Suite",
    "SuiteError",
    "UsageError",
    "__version__",
    "arun",
    "load_run",
    "load_suite",
    "open_run",
    "run",
    "score",
]
