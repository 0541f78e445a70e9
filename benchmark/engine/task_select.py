"""Which tasks a run answers, beyond `--tasks`: the first N (`--limit`), and a replay's own tasks.

Both turn into the explicit comma-separated id list the runner already takes, so the manifest
records exactly the tasks answered and a resume selects the same ones."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..records.schemas import ResolvedTask
from ..suite import Suite, load_suite


@dataclass(frozen=True)
class TaskRow:
    """One line of `musebench tasks`."""

    id: str
    category: str
    title: str
    items: int
    checks: int  # items decided by a programmatic check; the rest go to the judge
    tags: list[str]

    @classmethod
    def of(cls, task: ResolvedTask) -> TaskRow:
        return cls(
            id=task.id,
            category=task.category,
            title=task.title,
            items=len(task.items),
            checks=sum(1 for it in task.items if it.check is not None),
            tags=list(task.tags),
        )


def list_tasks(
    suite: Suite, *, category: str | None = None, tag: str | None = None
) -> list[TaskRow]:
    """The suite's tasks in its own order (category, then id), filtered; an empty result is a
    usage error naming the filter."""
    if category is not None and category not in {t.category for t in suite.tasks}:
        known = ", ".join(sorted({t.category for t in suite.tasks}))
        raise UsageError(f"--category: unknown category {category!r} (one of: {known})")
    rows = [
        TaskRow.of(t)
        for t in suite.tasks
        if (category is None or t.category == category) and (tag is None or tag in t.tags)
    ]
    if not rows:
        raise UsageError(
            f"--tag: no task carries the tag {tag!r}" + (f" in {category}" if category else "")
        )
    return rows


def replay_task_ids(model: str) -> list[str]:
    """The task ids a `replay/FILE` spec answers, in file order (any other spec: none)."""
    if not model.startswith("replay/"):
        return []
    from .providers.replay import load_records

    return list(
        dict.fromkeys(task_id for task_id, _ in load_records(Path(model[len("replay/") :])))
    )


def choose_tasks(
    suite_dir: str | Path | None, model: str, tasks: str | None, limit: int | None
) -> str | None:
    """The `--tasks` value a new run uses: a replay without `--tasks` answers the tasks its file
    holds (not the whole suite, whose other tasks would all be provider errors); `--limit N`
    keeps the first N matching tasks in the suite's order. None: every task."""
    if tasks is None and limit is None and not model.startswith("replay/"):
        return None
    suite = load_suite(suite_dir)
    chosen = suite.select(tasks)
    if tasks is None:
        answered = set(replay_task_ids(model))
        if answered:
            chosen = [t for t in chosen if t.id in answered]
            if not chosen:
                raise UsageError(
                    f"--model {model}: the file answers no task of the suite in {suite.root}"
                )
    if limit is not None:
        chosen = chosen[:limit]
    if tasks is None and limit is None and len(chosen) == len(suite.tasks):
        return None
    return ",".join(t.id for t in chosen)
