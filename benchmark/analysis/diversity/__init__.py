"""Diversity and mode-collapse metrics (`musebench diversity`); definitions in docs/DIVERSITY.md.

from benchmark.analysis.diversity import diversity_report, load_records
report = diversity_report(load_records("runs/my-run").records)
"""

from __future__ import annotations

from .compression import compression_ratio
from .io import Columns, DiversityInputError, LoadedRecords, Record, load_records
from .report import DEFAULT_THRESHOLD, HEADLINE_KEYS, diversity_report
from .similarity import EmbeddingsError
from .slop import SlopListError, load_slop_list
from .vendi import equivalence_classes, vendi_score

__all__ = [
    "DEFAULT_THRESHOLD",
    "HEADLINE_KEYS",
    "Columns",
    "DiversityInputError",
    "EmbeddingsError",
    "LoadedRecords",
    "Record",
    "SlopListError",
    "compression_ratio",
    "diversity_report",
    "equivalence_classes",
    "load_records",
    "load_slop_list",
    "vendi_score",
]
