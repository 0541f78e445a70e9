"""Loading and validating the task suite: `rubrics/*.yaml` (dimensions and shared items),
`tasks/**/*.yaml` (one task per file) and `tasks/suite.yaml` (name, version, canary).

Every problem is collected as `file:field: message` so that `musebench validate` can report
them all at once."""

from __future__ import annotations

import fnmatch
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import SuiteError, UsageError
from .schemas import CATEGORIES, Dimension, ResolvedTask, RubricItem, SharedItemRef, Task
from .suite_rules import (
    duplicate_keys,
    legacy_findings,
    pair_problems,
    suite_major,
    task_problems,
    unchecked_relied_on,
)
from .version import __version__

SUITE_FILE = "suite.yaml"
# libyaml's loader when PyYAML was built with it: the suite loads several times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SuiteInfo(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1)
    version: str = Field(min_length=1)
    canary: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Suite:
    root: Path
    info: SuiteInfo
    dimensions: dict[str, Dimension]
    tasks: list[ResolvedTask]
    suite_hash: str
    rubric_hashes: dict[str, str]
    task_hashes: dict[str, str] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return self.info.version

    @property
    def rubric_versions(self) -> dict[str, str]:
        return {k: d.version for k, d in sorted(self.dimensions.items())}

    def manifest_fields(self, tasks: list[ResolvedTask]) -> dict[str, Any]:
        """The manifest fields saying which suite and tasks a run answered: what the runner
        writes and leaderboard verification checks against the suite it holds."""
        return {
            "musebench_version": __version__,
            "suite_version": self.version,
            "suite_hash": self.suite_hash,
            "rubric_versions": self.rubric_versions,
            "rubric_hashes": dict(sorted(self.rubric_hashes.items())),
            "task_ids": [t.id for t in tasks],
        }

    def task(self, task_id: str) -> ResolvedTask:
        for t in self.tasks:
            if t.id == task_id:
                return t
        raise KeyError(task_id)

    def select(self, pattern: str | None) -> list[ResolvedTask]:
        """Tasks matching any comma-separated pattern: a glob on the id or `category/id`, or
        `tag:NAME` for the tasks carrying a tag (`tag:hard` is the hard subset). An empty match
        is a usage error."""
        if not pattern:
            return list(self.tasks)
        pats = [p.strip() for p in pattern.split(",") if p.strip()]

        def matches(t: ResolvedTask, p: str) -> bool:
            if p.startswith("tag:"):
                return any(fnmatch.fnmatchcase(tag, p[4:]) for tag in t.tags)
            return fnmatch.fnmatchcase(t.id, p) or fnmatch.fnmatchcase(f"{t.category}/{t.id}", p)

        chosen = [t for t in self.tasks if any(matches(t, p) for p in pats)]
        if not chosen:
            raise UsageError(f"--tasks: pattern {pattern!r} matches no task in {self.root}")
        return chosen


# Earlier suite versions, frozen when a new one replaces tasks/ and rubrics/, so that their runs
# still verify and score: benchmark/data/suites/<version>/{tasks,rubrics}.
ARCHIVE_DIR = Path(__file__).resolve().parent / "data" / "suites"


def archived_suite_dirs(archive: Path = ARCHIVE_DIR) -> list[Path]:
    """The archived versions' directories, oldest name first (empty when there are none)."""
    if not archive.is_dir():
        return []
    return sorted(d for d in archive.iterdir() if (d / "tasks").is_dir())


def shipped_suites(archive: Path = ARCHIVE_DIR) -> list[Suite]:
    """The current suite and every archived version: what a fresh install can verify."""
    return [load_suite(), *(load_suite(d) for d in archived_suite_dirs(archive))]


def default_suite_dir() -> Path:
    """The shipped suite: inside the wheel (`benchmark/_suite`) or the source checkout root."""
    pkg = Path(__file__).resolve().parent
    installed = pkg / "_suite"
    if (installed / "tasks").is_dir():
        return installed
    return pkg.parent


def _fmt_loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(root)"


def _problems_from(err: ValidationError, rel: str, prefix: str = "") -> list[str]:
    problems = []
    for e in err.errors():
        # Drop pydantic's union-member tags (e.g. "RubricItem", "word_count") from the path.
        loc = tuple(
            p
            for p in e["loc"]
            if not (isinstance(p, str) and (p[:1].isupper() or p.endswith("Check")))
        )
        where = _fmt_loc(loc)
        if prefix:
            where = prefix + (
                "" if where == "(root)" else ("" if where.startswith("[") else ".") + where
            )
        msg = e["msg"].removeprefix("Value error, ")
        problems.append(f"{rel}:{where}: {msg}")
    return problems


def _read_yaml(path: Path, rel: str, problems: list[str]) -> Any:
    """The file's data; a key given twice in one mapping is a problem (YAML keeps the last)."""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=_LOADER)
        if node is None:
            return None
        problems.extend(duplicate_keys(node, rel))
        return _LOADER("").construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (line {mark.line + 1})" if mark is not None else ""
        problems.append(f"{rel}:(root): not valid YAML{line}: {getattr(exc, 'problem', exc)}")
    except UnicodeDecodeError:
        problems.append(f"{rel}:(root): not UTF-8 text")
    return None


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _tree_hash(files: list[tuple[str, bytes]]) -> str:
    h = hashlib.sha256()
    for rel, data in sorted(files):
        h.update(rel.encode() + b"\0" + _sha(data).encode() + b"\n")
    return h.hexdigest()


def load_suite(root: str | Path | None = None) -> Suite:
    """Load and validate a suite directory holding `rubrics/` and `tasks/`.

    Raises SuiteError listing every problem found."""
    root = Path(root) if root is not None else default_suite_dir()
    problems: list[str] = []
    rubrics_dir, tasks_dir = root / "rubrics", root / "tasks"
    for d in (rubrics_dir, tasks_dir):
        if not d.is_dir():
            problems.append(f"{d}:(root): directory not found")
    if problems:
        raise SuiteError(problems)

    def rel(p: Path) -> str:
        return str(p.relative_to(root))

    hashed: list[tuple[str, bytes]] = []
    rubric_hashes: dict[str, str] = {}
    dimensions: dict[str, Dimension] = {}
    dim_source: dict[str, str] = {}
    for path in sorted(rubrics_dir.glob("*.yaml")):
        data = _read_yaml(path, rel(path), problems)
        raw = path.read_bytes()
        hashed.append((rel(path), raw))
        if data is None:
            continue
        try:
            dim = Dimension.model_validate(data)
        except ValidationError as err:
            problems.extend(_problems_from(err, rel(path)))
            continue
        if dim.id in dimensions:
            problems.append(
                f"{rel(path)}:id: duplicate dimension id {dim.id!r} (also in {dim_source[dim.id]})"
            )
            continue
        if path.stem != dim.id:
            problems.append(f"{rel(path)}:id: dimension id {dim.id!r} must match the file name")
        for i, it in enumerate(dim.items):
            if it.dimension != dim.id:
                problems.append(
                    f"{rel(path)}:items[{i}].dimension: shared item belongs to "
                    f"{it.dimension!r}, not this file's dimension {dim.id!r}"
                )
        dup = [k for k, n in Counter(it.id for it in dim.items).items() if n > 1]
        for k in dup:
            problems.append(f"{rel(path)}:items: duplicate item id {k!r}")
        dimensions[dim.id] = dim
        dim_source[dim.id] = rel(path)
        rubric_hashes[dim.id] = _sha(raw)
    if not dimensions and not any("rubrics" in p for p in problems):
        problems.append(f"{rel(rubrics_dir)}:(root): no rubric dimension files (*.yaml)")

    info = SuiteInfo(name="unnamed", version="0")
    suite_path = tasks_dir / SUITE_FILE
    if suite_path.is_file():
        hashed.append((rel(suite_path), suite_path.read_bytes()))
        data = _read_yaml(suite_path, rel(suite_path), problems)
        if data is not None:
            try:
                info = SuiteInfo.model_validate(data)
            except ValidationError as err:
                problems.extend(_problems_from(err, rel(suite_path)))
    else:
        problems.append(f"{rel(suite_path)}:(root): missing (needs name and version)")

    tasks: list[ResolvedTask] = []
    task_source: dict[str, str] = {}
    task_hashes: dict[str, str] = {}
    task_files = sorted(p for p in tasks_dir.rglob("*.yaml") if p.name != SUITE_FILE)
    if not task_files:
        problems.append(f"{rel(tasks_dir)}:(root): no task files (*.yaml)")
    for path in task_files:
        r = rel(path)
        raw = path.read_bytes()
        hashed.append((r, raw))
        data = _read_yaml(path, r, problems)
        if data is None:
            if path.stat().st_size == 0:
                problems.append(f"{r}:(root): empty file")
            continue
        try:
            task = Task.model_validate(data)
        except ValidationError as err:
            problems.extend(_problems_from(err, r))
            continue
        if task.id in task_source:
            problems.append(
                f"{r}:id: duplicate task id {task.id!r} (also in {task_source[task.id]})"
            )
            continue
        if info.canary and task.canary != info.canary:
            problems.append(f"{r}:canary: must be the suite's canary string from {SUITE_FILE}")
        if path.parent.name in CATEGORIES and path.parent.name != task.category:
            problems.append(
                f"{r}:category: {task.category!r} but the file is under {path.parent.name}/"
            )
        items: list[RubricItem] = []
        for i, entry in enumerate(task.items):
            if isinstance(entry, SharedItemRef):
                dim_id, item_id = entry.use.split(".", 1)
                owner = dimensions.get(dim_id)
                shared = (
                    next((it for it in owner.items if it.id == item_id), None) if owner else None
                )
                if shared is None:
                    problems.append(f"{r}:items[{i}].use: no shared item {entry.use!r} in rubrics/")
                    continue
                item = shared
                if entry.points is not None:
                    if entry.points == 0:
                        problems.append(f"{r}:items[{i}].points: points must be non-zero")
                        continue
                    item = shared.model_copy(update={"points": entry.points})
                items.append(item)
            else:
                if entry.dimension not in dimensions:
                    problems.append(
                        f"{r}:items[{i}].dimension: unknown dimension "
                        f"{entry.dimension!r} (known: {', '.join(sorted(dimensions))})"
                    )
                items.append(entry)
        for k, n in Counter(it.id for it in items).items():
            if n > 1:
                problems.append(f"{r}:items: duplicate item id {k!r}")
        if items and not any(it.points > 0 for it in items):
            problems.append(f"{r}:items: at least one item must carry positive points")
        for i, it in enumerate(items):
            chk = it.check
            lo, hi = getattr(chk, "min", None), getattr(chk, "max", None)
            if lo is not None and hi is not None and lo > hi:
                problems.append(f"{r}:items[{i}].check: min {lo} is greater than max {hi}")
            if (
                chk is not None
                and chk.type in ("word_count", "paragraph_count", "question_count")
                and lo is None
                and hi is None
            ):
                problems.append(f"{r}:items[{i}].check: {chk.type} needs min or max")
            turn = getattr(chk, "turn", None)
            if isinstance(turn, int) and turn > len(task.turns):
                problems.append(
                    f"{r}:items[{i}].check.turn: task has only "
                    f"{len(task.turns) + 1} assistant turns"
                )
        resolved = ResolvedTask(
            id=task.id,
            category=task.category,
            title=task.title,
            system=task.system,
            history=task.history,
            prompt=task.prompt,
            turns=task.turns,
            tags=task.tags,
            items=items,
            source=r,
            pair=task.pair,
            variant=task.variant,
            language=task.language,
            gate=task.gate,
        )
        problems.extend(task_problems(resolved, r, suite_major(info.version), dimensions))
        tasks.append(resolved)
        task_source[task.id] = r
        task_hashes[task.id] = _sha(raw)

    problems.extend(pair_problems(tasks))
    if problems:
        raise SuiteError(problems)
    return Suite(
        root=root,
        info=info,
        dimensions=dimensions,
        tasks=tasks,
        suite_hash=_tree_hash(hashed),
        rubric_hashes=rubric_hashes,
        task_hashes=task_hashes,
    )


def _shares(points: dict[str, int]) -> dict[str, float]:
    total = sum(points.values())
    return {k: round(v / total, 3) for k, v in sorted(points.items())} if total else {}


def suite_stats(suite: Suite) -> dict[str, Any]:
    """Counts per category and tag, items per task, multi-turn share, the share of positive
    points by dimension and by who decides them (check or judge), and how many items break the
    suite 2 rules (for `validate --stats`)."""
    per_cat: dict[str, int] = Counter(t.category for t in suite.tasks)
    per_tag: dict[str, int] = Counter(tag for t in suite.tasks for tag in t.tags)
    per_language: dict[str, int] = Counter(t.language for t in suite.tasks)
    positive = [it for t in suite.tasks for it in t.items if it.points > 0]
    by_dim: dict[str, int] = Counter()
    by_decider: dict[str, int] = Counter()
    for it in positive:
        by_dim[it.dimension] += it.points
        by_decider["check" if it.check is not None else "judge"] += it.points
    items = [len(t.items) for t in suite.tasks]
    ei = [t for t in suite.tasks if t.category == "emotional_intelligence"]
    checks = sum(1 for t in suite.tasks for it in t.items if it.check is not None)
    per_dim: dict[str, int] = Counter(it.dimension for t in suite.tasks for it in t.items)
    return {
        "suite": suite.info.name,
        "version": suite.version,
        "tasks": len(suite.tasks),
        "categories": dict(sorted(per_cat.items())),
        "items": sum(items),
        "items_per_task": {
            "min": min(items, default=0),
            "max": max(items, default=0),
            "mean": round(sum(items) / len(items), 2) if items else 0.0,
        },
        "items_by_dimension": dict(sorted(per_dim.items())),
        "programmatic_items": checks,
        "negative_items": sum(1 for t in suite.tasks for it in t.items if it.points < 0),
        "ceiling_items": sum(1 for t in suite.tasks for it in t.items if it.ceiling),
        "positive_points_share_ceiling": (
            round(sum(it.points for it in positive if it.ceiling) / total, 3)
            if (total := sum(it.points for it in positive))
            else 0.0
        ),
        "multi_turn_tasks": sum(1 for t in suite.tasks if t.multi_turn),
        "emotional_intelligence_multi_turn_share": (
            round(sum(1 for t in ei if t.multi_turn) / len(ei), 3) if ei else None
        ),
        "tasks_by_tag": dict(sorted(per_tag.items())),
        "tasks_by_language": dict(sorted(per_language.items())),
        "positive_points_share_by_dimension": _shares(dict(by_dim)),
        "positive_points_share_by_decider": _shares(dict(by_decider)),
        "suite2_rule_findings": legacy_findings(suite.tasks, suite.dimensions),
        "crisis_services_unchecked": unchecked_relied_on(suite.tasks),
    }
