"""The complexity gate (scripts/check_complexity.py): `radon cc -n D` over the product packages.
Skipped where radon is not installed; CI installs it with the dev dependencies."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]

pytest.importorskip("radon")


def _load_gate() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "check_complexity", REPO / "scripts" / "check_complexity.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_complexity"] = module
    spec.loader.exec_module(module)
    return module


gate = _load_gate()


def test_no_block_in_the_packages_is_graded_worse_than_c() -> None:
    found = gate.offenders(list(gate.PACKAGES))
    assert found == []


# 21 decision points: complexity 22, grade D (radon: D is 21-30).
_BRANCHY = (
    "def branchy(x: int) -> int:\n"
    + "".join(f"    if x == {i}:\n        return {i}\n" for i in range(21))
    + "    return -1\n"
)


def test_the_gate_reports_a_grade_d_function_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text(_BRANCHY)
    assert gate.offenders(["pkg"], cwd=tmp_path) == ["pkg/mod.py:1 branchy - D (22)"]
    (tmp_path / "pkg" / "ok.py").write_text("def fine() -> int:\n    return 1\n")
    assert gate.main([str(tmp_path / "pkg" / "ok.py")]) == 0
    assert capsys.readouterr().out == ""
    assert gate.main([str(tmp_path / "pkg")]) == 1
    assert capsys.readouterr().out.strip().endswith("branchy - D (22)")
