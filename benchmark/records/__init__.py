"""Records layer: the typed vocabulary (task and check models, run spec, response, judgment,
manifest and score records, record keys) and the run directory on disk (JSONL files, reading
and loading a run). It imports only the analysis layer (check models validate with it) and the
package root."""

from __future__ import annotations

from .._lazy import submodule_loader

__all__ = [
    "check_models",
    "check_models_rendered",
    "jsonl",
    "keys",
    "loaded_run",
    "rundir",
    "runspec",
    "schemas",
]

__getattr__ = submodule_loader(__name__, __all__)
