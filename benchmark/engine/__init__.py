"""Engine layer: running a benchmark. The runner and its configuration, generation, paid calls
(retries, cache, budget, batches, progress), the run-dir lock, Ctrl-C handling, preflight and
cost estimates, task selection, providers, judging, pairwise comparison, the suite audit, the
offline demo and the file-format schemas. It may import every layer below it.

Private: `_batch_judging`, `_batch_log`, `_budget`, `_progress` (used by the runner only)."""

from __future__ import annotations

from .._lazy import submodule_loader

__all__ = [
    "audit",
    "cache",
    "calls",
    "demo",
    "formats",
    "generation",
    "interrupts",
    "judging",
    "pairwise",
    "preflight",
    "providers",
    "retry",
    "run_estimate",
    "runconfig",
    "runlock",
    "runner",
    "task_select",
]

__getattr__ = submodule_loader(__name__, __all__)
