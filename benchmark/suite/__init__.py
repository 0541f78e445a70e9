"""Loading and validating the task suite: `rubrics/*.yaml` (dimensions and shared items),
`tasks/**/*.yaml` (one task per file) and `tasks/suite.yaml` (name, version, canary).

Every problem is collected as `file:field: message` so that `musebench validate` can report
them all at once."""

from __future__ import annotations

import fnmatch
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import SuiteError, UsageError
from ..records.schemas import (
    CATEGORIES,
    Check,
    Dimension,
    ResolvedTask,
    RubricItem,
    SharedItemRef,
    Task,
)
from ..version import __version__
from ._rules import (
    duplicate_keys,
    legacy_findings,
    pair_problems,
    suite_major,
    task_problems,
    unchecked_relied_on,
)

# The suite layer's API (its rules, `_rules`, are private).
__all__ = [
    "ARCHIVE_DIR",
    "SUITE_FILE",
    "Suite",
    "SuiteInfo",
    "archived_suite_dirs",
    "default_suite_dir",
    "load_suite",
    "shipped_suites",
    "suite_stats",
]

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
        `tag:NAME` for the tasks carrying a tag (`musebench tasks` lists them). An empty match
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
ARCHIVE_DIR = Path(__file__).resolve().parents[1] / "data" / "suites"


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
    pkg = Path(__file__).resolve().parents[1]
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


_M = TypeVar("_M", bound=BaseModel)


@dataclass
class _Reading:
    """One load's shared state: the suite root, every problem found so far (in the order
    `validate` prints them) and the files read, for the suite hash."""

    root: Path
    problems: list[str] = field(default_factory=list)
    hashed: list[tuple[str, bytes]] = field(default_factory=list)

    def rel(self, path: Path) -> str:
        return str(path.relative_to(self.root))

    def read(self, path: Path) -> tuple[bytes, Any]:
        """The file's bytes (hashed into the suite) and its YAML data (None: unreadable)."""
        raw = path.read_bytes()
        self.hashed.append((self.rel(path), raw))
        return raw, _read_yaml(path, self.rel(path), self.problems)

    def validate(self, model: type[_M], data: Any, rel: str) -> _M | None:
        try:
            return model.model_validate(data)
        except ValidationError as err:
            self.problems.extend(_problems_from(err, rel))
            return None


def _dimension_problems(dim: Dimension, path: Path, rel: str) -> list[str]:
    """A rubric file's own problems: its id against its name, its shared items' dimensions and
    ids."""
    problems = []
    if path.stem != dim.id:
        problems.append(f"{rel}:id: dimension id {dim.id!r} must match the file name")
    for i, it in enumerate(dim.items):
        if it.dimension != dim.id:
            problems.append(
                f"{rel}:items[{i}].dimension: shared item belongs to "
                f"{it.dimension!r}, not this file's dimension {dim.id!r}"
            )
    dup = [k for k, n in Counter(it.id for it in dim.items).items() if n > 1]
    problems.extend(f"{rel}:items: duplicate item id {k!r}" for k in dup)
    return problems


def _load_dimensions(
    rd: _Reading, rubrics_dir: Path
) -> tuple[dict[str, Dimension], dict[str, str]]:
    """The rubric files' dimensions by id, and each one's file hash."""
    dimensions: dict[str, Dimension] = {}
    dim_source: dict[str, str] = {}
    rubric_hashes: dict[str, str] = {}
    for path in sorted(rubrics_dir.glob("*.yaml")):
        rel = rd.rel(path)
        raw, data = rd.read(path)
        dim = rd.validate(Dimension, data, rel) if data is not None else None
        if dim is None:
            continue
        if dim.id in dimensions:
            rd.problems.append(
                f"{rel}:id: duplicate dimension id {dim.id!r} (also in {dim_source[dim.id]})"
            )
            continue
        rd.problems.extend(_dimension_problems(dim, path, rel))
        dimensions[dim.id] = dim
        dim_source[dim.id] = rel
        rubric_hashes[dim.id] = _sha(raw)
    if not dimensions and not any("rubrics" in p for p in rd.problems):
        rd.problems.append(f"{rd.rel(rubrics_dir)}:(root): no rubric dimension files (*.yaml)")
    return dimensions, rubric_hashes


def _load_info(rd: _Reading, tasks_dir: Path) -> SuiteInfo:
    """`tasks/suite.yaml` (a placeholder when it is missing or invalid: a problem is recorded)."""
    info = SuiteInfo(name="unnamed", version="0")
    suite_path = tasks_dir / SUITE_FILE
    if not suite_path.is_file():
        rd.problems.append(f"{rd.rel(suite_path)}:(root): missing (needs name and version)")
        return info
    _, data = rd.read(suite_path)
    if data is None:
        return info
    valid = rd.validate(SuiteInfo, data, rd.rel(suite_path))
    return valid if valid is not None else info


def _shared_item(
    entry: SharedItemRef, where: str, dimensions: dict[str, Dimension], problems: list[str]
) -> RubricItem | None:
    """The rubric item a `use:` entry names, with the task's points (None: a problem)."""
    dim_id, item_id = entry.use.split(".", 1)
    owner = dimensions.get(dim_id)
    shared = next((it for it in owner.items if it.id == item_id), None) if owner else None
    if shared is None:
        problems.append(f"{where}.use: no shared item {entry.use!r} in rubrics/")
        return None
    if entry.points is None:
        return shared
    if entry.points == 0:
        problems.append(f"{where}.points: points must be non-zero")
        return None
    return shared.model_copy(update={"points": entry.points})


def _resolve_items(
    task: Task, rel: str, dimensions: dict[str, Dimension], problems: list[str]
) -> list[RubricItem]:
    """The task's items with `use:` references replaced by the shared items they name."""
    items: list[RubricItem] = []
    for i, entry in enumerate(task.items):
        where = f"{rel}:items[{i}]"
        if isinstance(entry, SharedItemRef):
            shared = _shared_item(entry, where, dimensions, problems)
            if shared is not None:
                items.append(shared)
            continue
        if entry.dimension not in dimensions:
            problems.append(
                f"{where}.dimension: unknown dimension "
                f"{entry.dimension!r} (known: {', '.join(sorted(dimensions))})"
            )
        items.append(entry)
    return items


_BOUNDED_CHECKS = ("word_count", "paragraph_count", "question_count")


def _check_problems(where: str, chk: Check | None, n_turns: int) -> list[str]:
    """An item's check against its own bounds and the task's assistant turns."""
    problems = []
    lo, hi = getattr(chk, "min", None), getattr(chk, "max", None)
    if lo is not None and hi is not None and lo > hi:
        problems.append(f"{where}.check: min {lo} is greater than max {hi}")
    if chk is not None and chk.type in _BOUNDED_CHECKS and lo is None and hi is None:
        problems.append(f"{where}.check: {chk.type} needs min or max")
    turn = getattr(chk, "turn", None)
    if isinstance(turn, int) and turn > n_turns:
        problems.append(f"{where}.check.turn: task has only {n_turns + 1} assistant turns")
    return problems


def _items_problems(items: list[RubricItem], task: Task, rel: str) -> list[str]:
    """The resolved items as a set: ids unique, some positive points, checks in bounds."""
    problems = [
        f"{rel}:items: duplicate item id {k!r}"
        for k, n in Counter(it.id for it in items).items()
        if n > 1
    ]
    if items and not any(it.points > 0 for it in items):
        problems.append(f"{rel}:items: at least one item must carry positive points")
    for i, it in enumerate(items):
        problems.extend(_check_problems(f"{rel}:items[{i}]", it.check, len(task.turns)))
    return problems


def _placement_problems(task: Task, path: Path, rel: str, info: SuiteInfo) -> list[str]:
    """The task against the suite's canary and the category folder it sits in."""
    problems = []
    if info.canary and task.canary != info.canary:
        problems.append(f"{rel}:canary: must be the suite's canary string from {SUITE_FILE}")
    if path.parent.name in CATEGORIES and path.parent.name != task.category:
        problems.append(
            f"{rel}:category: {task.category!r} but the file is under {path.parent.name}/"
        )
    return problems


def _resolved(task: Task, items: list[RubricItem], rel: str) -> ResolvedTask:
    return ResolvedTask(
        id=task.id,
        category=task.category,
        title=task.title,
        system=task.system,
        history=task.history,
        prompt=task.prompt,
        turns=task.turns,
        tags=task.tags,
        items=items,
        source=rel,
        pair=task.pair,
        variant=task.variant,
        language=task.language,
        gate=task.gate,
    )


def _read_task(rd: _Reading, path: Path) -> tuple[bytes, Task | None]:
    """A task file's bytes and its task (None: unreadable, empty or invalid; a problem is
    recorded)."""
    rel = rd.rel(path)
    raw, data = rd.read(path)
    if data is None:
        if path.stat().st_size == 0:
            rd.problems.append(f"{rel}:(root): empty file")
        return raw, None
    return raw, rd.validate(Task, data, rel)


def _load_tasks(
    rd: _Reading, tasks_dir: Path, info: SuiteInfo, dimensions: dict[str, Dimension]
) -> tuple[list[ResolvedTask], dict[str, str]]:
    """Every task file, resolved against the rubrics, and each task's file hash."""
    tasks: list[ResolvedTask] = []
    task_source: dict[str, str] = {}
    task_hashes: dict[str, str] = {}
    task_files = sorted(p for p in tasks_dir.rglob("*.yaml") if p.name != SUITE_FILE)
    if not task_files:
        rd.problems.append(f"{rd.rel(tasks_dir)}:(root): no task files (*.yaml)")
    for path in task_files:
        r = rd.rel(path)
        raw, task = _read_task(rd, path)
        if task is None:
            continue
        if task.id in task_source:
            rd.problems.append(
                f"{r}:id: duplicate task id {task.id!r} (also in {task_source[task.id]})"
            )
            continue
        rd.problems.extend(_placement_problems(task, path, r, info))
        items = _resolve_items(task, r, dimensions, rd.problems)
        rd.problems.extend(_items_problems(items, task, r))
        resolved = _resolved(task, items, r)
        rd.problems.extend(task_problems(resolved, r, suite_major(info.version), dimensions))
        tasks.append(resolved)
        task_source[task.id] = r
        task_hashes[task.id] = _sha(raw)
    return tasks, task_hashes


def load_suite(root: str | Path | None = None) -> Suite:
    """Load and validate a suite directory holding `rubrics/` and `tasks/`.

    Raises SuiteError listing every problem found."""
    root = Path(root) if root is not None else default_suite_dir()
    rubrics_dir, tasks_dir = root / "rubrics", root / "tasks"
    missing = [
        f"{d}:(root): directory not found" for d in (rubrics_dir, tasks_dir) if not d.is_dir()
    ]
    if missing:
        raise SuiteError(missing)
    rd = _Reading(root)
    dimensions, rubric_hashes = _load_dimensions(rd, rubrics_dir)
    info = _load_info(rd, tasks_dir)
    tasks, task_hashes = _load_tasks(rd, tasks_dir, info, dimensions)
    rd.problems.extend(pair_problems(tasks))
    if rd.problems:
        raise SuiteError(rd.problems)
    return Suite(
        root=root,
        info=info,
        dimensions=dimensions,
        tasks=tasks,
        suite_hash=_tree_hash(rd.hashed),
        rubric_hashes=rubric_hashes,
        task_hashes=task_hashes,
    )


def _shares(points: dict[str, int]) -> dict[str, float]:
    total = sum(points.values())
    return {k: round(v / total, 3) for k, v in sorted(points.items())} if total else {}


def _counts(values: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(values).items()))


def _items_per_task(items: list[int]) -> dict[str, float]:
    return {
        "min": min(items, default=0),
        "max": max(items, default=0),
        "mean": round(sum(items) / len(items), 2) if items else 0.0,
    }


def _share(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0


def _ei_multi_turn_share(tasks: list[ResolvedTask]) -> float | None:
    ei = [t for t in tasks if t.category == "emotional_intelligence"]
    return round(sum(1 for t in ei if t.multi_turn) / len(ei), 3) if ei else None


def _positive_points(
    positive: list[RubricItem], key: Callable[[RubricItem], str]
) -> dict[str, int]:
    out: dict[str, int] = Counter()
    for it in positive:
        out[key(it)] += it.points
    return dict(out)


def _decider(it: RubricItem) -> str:
    return "check" if it.check is not None else "judge"


def _item_stats(tasks: list[ResolvedTask]) -> dict[str, Any]:
    items = [it for t in tasks for it in t.items]
    per_task = [len(t.items) for t in tasks]
    positive = [it for it in items if it.points > 0]
    return {
        "items": len(items),
        "items_per_task": _items_per_task(per_task),
        "items_by_dimension": _counts(it.dimension for it in items),
        "programmatic_items": sum(1 for it in items if it.check is not None),
        "negative_items": sum(1 for it in items if it.points < 0),
        "ceiling_items": sum(1 for it in items if it.ceiling),
        "positive_points_share_ceiling": _share(
            sum(it.points for it in positive if it.ceiling), sum(it.points for it in positive)
        ),
    }


def _task_stats(tasks: list[ResolvedTask]) -> dict[str, Any]:
    return {
        "multi_turn_tasks": sum(1 for t in tasks if t.multi_turn),
        "emotional_intelligence_multi_turn_share": _ei_multi_turn_share(tasks),
        "tasks_by_tag": _counts(tag for t in tasks for tag in t.tags),
        "tasks_by_language": _counts(t.language for t in tasks),
    }


def _point_shares(tasks: list[ResolvedTask]) -> dict[str, Any]:
    positive = [it for t in tasks for it in t.items if it.points > 0]
    return {
        "positive_points_share_by_dimension": _shares(
            _positive_points(positive, lambda it: it.dimension)
        ),
        "positive_points_share_by_decider": _shares(_positive_points(positive, _decider)),
    }


def suite_stats(suite: Suite) -> dict[str, Any]:
    """Counts per category and tag, items per task, multi-turn share, the share of positive
    points by dimension and by who decides them (check or judge), and how many items break the
    suite 2 rules (for `validate --stats`)."""
    return {
        "suite": suite.info.name,
        "version": suite.version,
        "tasks": len(suite.tasks),
        "categories": _counts(t.category for t in suite.tasks),
        **_item_stats(suite.tasks),
        **_task_stats(suite.tasks),
        **_point_shares(suite.tasks),
        "suite2_rule_findings": legacy_findings(suite.tasks, suite.dimensions),
        "crisis_services_unchecked": unchecked_relied_on(suite.tasks),
    }
