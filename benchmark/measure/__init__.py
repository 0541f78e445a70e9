"""Measure layer: what the numbers are. Scoring and a run's scores, agreement, calibration,
prediction-powered inference, ratings, paired comparison of runs, the run report and its
tables, prices and cost, and the mode-collapse rules. It imports the suite, records and analysis
layers, never the engine.

Private: `_hanna` (the HANNA human ratings reader, used by scripts/hanna_report.py)."""

from __future__ import annotations

from .._lazy import submodule_loader

__all__ = [
    "agreement",
    "calibration",
    "collapse",
    "compare",
    "cost",
    "ppi",
    "ratings",
    "report",
    "run_scores",
    "scoring",
    "tables",
]

__getattr__ = submodule_loader(__name__, __all__)
