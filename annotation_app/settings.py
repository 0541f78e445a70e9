"""Settings of the annotation app: defaults from settings.yaml, a few overridable by environment
variables that `musebench annotate serve` sets from its flags (the app runs in a subprocess)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from .errors import StoreError

SETTINGS_FILE = Path(__file__).with_name("settings.yaml")

# The environment channel between `annotate serve` and the Streamlit process.
ENV_DB = "MUSEBENCH_ANNOTATION_DB"
ENV_OVERRIDES = {
    "MUSEBENCH_ASSIGNMENT_TIMEOUT_MINUTES": "assignment_timeout_minutes",
    "MUSEBENCH_MIN_SECONDS_PER_RUBRIC_ITEM": "min_seconds_per_rubric_item",
    "MUSEBENCH_IDLE_LIMIT_SECONDS": "idle_limit_seconds",
}


@dataclass(frozen=True)
class Settings:
    overlap: int
    max_overlap: int
    assignment_timeout_minutes: float
    idle_limit_seconds: float
    min_seconds_per_rubric_item: float
    max_units_per_import: int
    max_units_total: int
    max_transcript_chars: int
    bootstrap_resamples: int
    disputed_items_shown: int
    session_hours: float
    login_free_failures: int
    login_backoff_seconds: float
    login_backoff_max_seconds: float
    login_window_minutes: float
    sqlite_busy_timeout_seconds: float

    @property
    def assignment_timeout_seconds(self) -> float:
        return self.assignment_timeout_minutes * 60.0


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    data = yaml.safe_load(SETTINGS_FILE.read_text(encoding="utf-8"))
    kinds = {f.name: f.type for f in fields(Settings)}
    missing = sorted(set(kinds) - set(data))
    if missing:
        raise StoreError(f"{SETTINGS_FILE}: missing settings {', '.join(missing)}")
    values: dict[str, Any] = {k: data[k] for k in kinds}
    env = os.environ if env is None else env
    for var, name in ENV_OVERRIDES.items():
        if var in env:
            try:
                value = float(env[var])
            except ValueError:
                raise StoreError(f"{var}: expected a number, not {env[var]!r}") from None
            if value < 0:
                raise StoreError(f"{var}: must not be negative, not {value}")
            values[name] = value
    return Settings(**values)
