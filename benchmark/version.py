"""The musebench version, in a module of its own so that any module can read it without
importing the package's curated API (benchmark/__init__).

It is the installed distribution's version (pyproject.toml's, as pip recorded it). Only when
musebench is not installed at all (code imported from a source checkout) is it read from that
checkout's pyproject.toml, and failing that it is "0+unknown", never a stale number."""

from __future__ import annotations

import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

DISTRIBUTION = "musebench"
UNKNOWN = "0+unknown"
SOURCE_PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def _source_version(pyproject: Path) -> str:
    try:
        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
    except (OSError, tomllib.TOMLDecodeError):
        return UNKNOWN
    return str(project.get("version", UNKNOWN))


def _version() -> str:
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return _source_version(SOURCE_PYPROJECT)


__version__ = _version()
