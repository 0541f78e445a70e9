"""The layer boundaries of docs/ENGINE.md, read from the source (an AST walk, nothing imported):

- a benchmark layer imports only the layers below it (LAYERS, bottom first);
- a private module (`_name`) is imported only from inside the package that holds it;
- annotation_app/ and leaderboard/ import only public names (no `_name` anywhere in the path or
  among the imported names);
- benchmark/ never imports annotation_app or leaderboard (the apps register their commands
  through entry points instead);
- each layer's __init__ declares its public API in __all__.

Tests and scripts may import private modules; they are not walked."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
APPS = ("annotation_app", "leaderboard")

# Bottom first: a layer may import the ones before it. "root" is benchmark's own modules
# (errors, version, datafile, _lazy); `webapp` (inert HTML for the Streamlit apps) stands
# alone; the CLI is on top. benchmark/__init__ (the curated API) may use any layer.
LAYERS = ["root", "webapp", "analysis", "records", "checks", "suite", "measure", "engine", "cli"]


def layer_of(module: str) -> str | None:
    """The layer of a benchmark module, None for the package's own __init__."""
    parts = module.split(".")
    if parts[0] != "benchmark":
        return parts[0]
    if len(parts) == 1:
        return None
    if parts[1] == "__main__":
        return "cli"
    return parts[1] if parts[1] in LAYERS else "root"


def module_name(path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    is_pkg = parts[-1] == "__init__"
    if is_pkg:
        parts.pop()
    return ".".join(parts), is_pkg


def imports(path: Path) -> Iterator[tuple[str, list[str], int]]:
    """(imported module, names taken from it, line) for every import in the file."""
    name, is_pkg = module_name(path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_pkg else 0)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            yield mod, [a.name for a in node.names], node.lineno


def sources() -> list[Path]:
    roots = ["benchmark", *APPS]
    return sorted(
        p
        for r in roots
        for p in (REPO / r).rglob("*.py")
        if "_suite" not in p.relative_to(REPO).parts
    )


def private_owner(dotted: str) -> str | None:
    """The package holding the first private part of `dotted` (None when all of it is public)."""
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:i])
    return None


def violations() -> list[str]:
    found: list[str] = []
    for path in sources():
        importer, _ = module_name(path)
        rel = path.relative_to(REPO)
        for mod, names, line in imports(path):
            where = f"{rel}:{line}: {mod}"
            found += _check(importer, mod, names, where)
    return found


def _check(importer: str, mod: str, names: list[str], where: str) -> list[str]:
    top = importer.split(".")[0]
    target_top = mod.split(".")[0]
    if target_top not in ("benchmark", *APPS):
        return []
    if top == "benchmark" and target_top in APPS:
        return [f"{where}: benchmark imports an app"]
    out: list[str] = []
    for dotted in [mod, *(f"{mod}.{n}" for n in names if n != "*")]:
        owner = private_owner(dotted)
        if owner is None or owner.split(".")[0] != "benchmark":
            continue
        if owner == mod and mod.count("."):
            # A private name of a module (not a private module): private to its layer.
            owner = ".".join(mod.split(".")[:2])
        if top in APPS:
            out.append(f"{where}: an app imports the private {dotted}")
        elif not (importer == owner or importer.startswith(owner + ".")):
            out.append(f"{where}: {dotted} is private to {owner}")
    if top == "benchmark" and target_top == "benchmark":
        mine, theirs = layer_of(importer), layer_of(mod)
        if mine and theirs and mine != theirs and LAYERS.index(theirs) > LAYERS.index(mine):
            out.append(f"{where}: layer {mine} imports layer {theirs}, which is above it")
    return out


def test_the_layer_boundaries_hold() -> None:
    assert violations() == []


@pytest.mark.parametrize("layer", [*LAYERS[1:-1]])
def test_each_layer_declares_its_public_api(layer: str) -> None:
    init = REPO / "benchmark" / layer / "__init__.py"
    tree = ast.parse(init.read_text(encoding="utf-8"))
    declared = [
        node
        for node in tree.body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
    ]
    assert declared, f"{init} has no __all__"
    names = ast.literal_eval(declared[0].value)
    assert names and all(not n.startswith("_") for n in names)


@pytest.mark.parametrize(
    ("importer", "mod", "names", "complaint"),
    [
        ("benchmark.engine.runner", "leaderboard.ui", [], "benchmark imports an app"),
        ("benchmark.cli.run", "annotation_app", ["cli"], "benchmark imports an app"),
        ("leaderboard.build", "benchmark.engine._budget", [], "an app imports the private"),
        ("leaderboard.build", "benchmark.checks", ["_checks_text"], "an app imports the private"),
        ("annotation_app.x", "benchmark.engine.runner", ["_helper"], "an app imports the private"),
        ("benchmark.engine.runner", "benchmark.checks._check_base", [], "is private to"),
        ("benchmark.engine.runner", "benchmark.measure.agreement", ["_num"], "is private to"),
        ("benchmark.measure.report", "benchmark.engine.runner", [], "which is above it"),
        ("benchmark.records.rundir", "benchmark.checks", ["run_check"], "which is above it"),
    ],
)
def test_a_crossing_is_caught(importer: str, mod: str, names: list[str], complaint: str) -> None:
    # The rule can fail: each of these would be reported.
    (problem,) = _check(importer, mod, names, "here")
    assert complaint in problem


@pytest.mark.parametrize(
    ("importer", "mod", "names"),
    [
        ("benchmark.engine.runner", "benchmark.engine._budget", []),
        ("benchmark.checks", "benchmark.checks", ["_checks_text"]),
        ("benchmark.engine.runner", "benchmark.measure.run_scores", []),
        ("leaderboard.build", "benchmark.engine.runner", ["Runner"]),
        ("benchmark.analysis.contrast", "benchmark.analysis._css", []),
        ("benchmark.measure.calibration", "benchmark.measure.agreement", ["_num"]),
    ],
)
def test_what_the_layers_allow_passes(importer: str, mod: str, names: list[str]) -> None:
    assert _check(importer, mod, names, "here") == []
