"""docs/ENGINE.md's "Defects closed" table names, for each defect, the test that fails if it
comes back: every test it names exists (with its parameter case, when one is named)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REF = re.compile(r"`(?:(test_\w+\.py))?(?:::|…)(test_\w+)?(?:\[([^\]]+)\])?`")


def _section() -> str:
    text = (ROOT / "docs" / "ENGINE.md").read_text(encoding="utf-8")
    start = text.index("## Defects closed")
    return text[start : text.index("\n## ", start + 1)]


def _tests(path: Path) -> dict[str, str]:
    """Test function name -> its source (parameter ids included)."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    return {
        n.name: source
        for n in ast.walk(tree)
        if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")
    }


def _find(file: str) -> Path:
    """The test file of that name, in whichever folder of tests/ holds it (names are unique)."""
    found = sorted((ROOT / "tests").rglob(file))
    assert len(found) == 1, f"{file}: {len(found)} files of that name under tests/"
    return found[0]


def test_every_row_names_an_existing_test() -> None:
    rows = [r for r in _section().splitlines() if r.startswith("| ") and "---" not in r][1:]
    assert len(rows) >= 20
    file = name = ""  # `…[case]` and `::name` continue the test (and file) named before
    for row in rows:
        cell = row.rstrip(" |").rsplit(" | ", 1)[1]
        refs = REF.findall(cell)
        assert refs, f"no test named in: {row[:80]}"
        for f, n, param in refs:
            file, name = f or file, n or name
            tests = _tests(_find(file))
            assert name in tests, f"{file}::{name} does not exist"
            if param:
                assert all(part in tests[name] for part in param.split()), (file, name, param)
