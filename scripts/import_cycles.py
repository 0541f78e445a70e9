"""Import cycles among the project's own modules, found from the source, not by importing it.

    python scripts/import_cycles.py [PACKAGE_DIR ...]     # default: benchmark annotation_app leaderboard

Every `import` / `from ... import` naming one of the packages counts: at module level, under
`if TYPE_CHECKING:` and inside functions alike, so that a cycle cannot hide behind either.
Importing `a.b.c` also runs `a/__init__` and `a/b/__init__` (unless the importer is inside
them already). Prints each cycle (a strongly connected group of modules) and exits 1 if there
is any, else prints "no import cycles" and exits 0."""

from __future__ import annotations

import ast
import sys
from collections.abc import Container, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT = ("benchmark", "annotation_app", "leaderboard")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _targets(node: ast.AST, name: str, is_pkg: bool, modules: Container[str]) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            base = name.split(".")
            base = base[: len(base) - node.level + (1 if is_pkg else 0)]
            prefix = ".".join(base)
            mod = f"{prefix}.{node.module}" if node.module else prefix
        else:
            mod = node.module or ""
        for alias in node.names:
            # `from pkg import sub` imports the submodule `pkg.sub` when there is one, else a
            # name defined in `pkg` itself.
            sub = f"{mod}.{alias.name}"
            yield sub if sub in modules else mod


def graph(roots: list[str]) -> dict[str, set[str]]:
    files = [p for r in roots for p in (REPO / r).rglob("*.py") if "_suite" not in p.parts]
    modules = {module_name(p): p for p in files}
    edges: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        is_pkg = path.name == "__init__.py"
        own = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 2)}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for target in _targets(node, name, is_pkg, modules):
                parts = target.split(".")
                for i in range(1, len(parts) + 1):
                    dep = ".".join(parts[:i])
                    if dep in modules and dep != name and (dep == target or dep not in own):
                        edges[name].add(dep)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def main(argv: list[str]) -> int:
    edges = graph(argv or list(DEFAULT))
    found = cycles(edges)
    for group in found:
        print("cycle: " + " <-> ".join(group))
    if not found:
        print(f"no import cycles among {len(edges)} modules")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
