"""No import cycles among the project's modules (issue 12: a cycle hidden behind TYPE_CHECKING
or a function-level import counts). The finder itself is checked on a made-up package."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "import_cycles.py"


def _finder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("import_cycles", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["import_cycles"] = module
    spec.loader.exec_module(module)
    return module


def test_the_packages_have_no_import_cycle() -> None:
    finder = _finder()
    assert finder.cycles(finder.graph(list(finder.DEFAULT))) == []


def test_a_cycle_behind_a_function_level_import_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    finder = _finder()
    pkg = tmp_path / "cyc"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .b import g\n\ndef f():\n    return g()\n")
    (pkg / "b.py").write_text("def g():\n    from .a import f  # hidden\n    return f\n")
    monkeypatch.setattr(finder, "REPO", tmp_path)
    found = finder.cycles(finder.graph(["cyc"]))
    assert [sorted(c) for c in found] == [["cyc.a", "cyc.b"]]
