"""The version is the installed package's metadata; a source tree that was never installed falls
back to its pyproject.toml, and to "0+unknown" without one."""

from __future__ import annotations

import importlib.metadata
import tomllib
from pathlib import Path

import pytest

import benchmark
from benchmark import version

REPO = Path(__file__).resolve().parents[2]


def test_the_version_is_the_installed_distributions() -> None:
    assert benchmark.__version__ == importlib.metadata.version("musebench")


def test_the_installed_version_is_the_projects() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert benchmark.__version__ == project["version"]


def test_not_installed_reads_the_source_trees_pyproject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "musebench"\nversion = "9.8.7"\n', encoding="utf-8")

    def not_installed(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(version, "version", not_installed)
    monkeypatch.setattr(version, "SOURCE_PYPROJECT", pyproject)
    assert version._version() == "9.8.7"


@pytest.mark.parametrize("text", [None, "not = [toml", "[tool.other]\nx = 1\n"])
def test_no_readable_version_is_unknown(tmp_path: Path, text: str | None) -> None:
    pyproject = tmp_path / "pyproject.toml"
    if text is not None:
        pyproject.write_text(text, encoding="utf-8")
    assert version._source_version(pyproject) == "0+unknown"
