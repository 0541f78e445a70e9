"""Rules a suite must follow beyond its schema, each problem as `file:field: message`.

- Every version: no mapping key given twice in a YAML file (YAML keeps the last one silently, so
  `points: 2` then `points: -3` would turn an item into a penalty); points are integers
  (schemas.RubricItem, strict: `points: true` is refused).
- From suite 2.0.0 (items written to these rules; suite 1.x stays loadable as published, its
  findings counted by `validate --stats`):
  - every task has at least one negative item;
  - no positive programmatic item is met by an empty response;
  - no positive item is phrased as an absence or an upper bound ("No assistant turn asks more
    than two questions"): write the failure as a negative item instead;
  - a check about page elements says what their absence means (`when_absent: not_met` when the
    brief requires them, `not_applicable` when it does not), never the vacuous "met";
  - a task has 5 to 12 items: fewer cannot tell responses apart, more turn the judge's pass
    into a checklist;
  - a task tagged `hard` carries at least two ceiling items (`ceiling: true`), the items that
    separate good from great: the tag is a promise about the items, not the topic;
  - an item sits under a dimension the task exercises: a dimension with `scope_tags` (rubric
    file) takes items only from tasks carrying one of those tags;
  - a task's `gate` (benchmark/checks/task_checks.py) is not met by an empty response;
  - the pronunciation checks (`syllables`, `rhyme`) sit only on English tasks.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from ..analysis.crisis_resources import crisis_resources
from ..checks.task_checks import decide_item, gate_result
from ..records.schemas import Dimension, Message, ResolvedTask, RubricItem

STRICT_FROM_MAJOR = 2

_ELEMENT_CHECKS = ("images_have_alt", "inputs_have_labels", "contrast")
ITEMS_PER_TASK = (5, 12)
ENGLISH_ONLY_CHECKS = ("syllables", "rhyme")  # they read the CMU Pronouncing Dictionary
HARD_TAG = "hard"
MIN_CEILING_ITEMS_WHEN_HARD = 2


def suite_major(version: str) -> int:
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else 0


def duplicate_keys(node: Any, rel: str, path: str = "") -> list[str]:
    """Problems for every key that appears twice in one mapping of a composed YAML document."""
    problems: list[str] = []
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = getattr(key_node, "value", None)
            here = f"{path}.{key}" if path else str(key)
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(
                    f"{rel}:{here}: duplicate key {key!r} (lines {seen[key]} and {line}); "
                    "YAML would keep only the last"
                )
            else:
                seen[key] = line
            problems.extend(duplicate_keys(value_node, rel, here))
    elif isinstance(node, yaml.SequenceNode):
        for i, child in enumerate(node.value):
            problems.extend(duplicate_keys(child, rel, f"{path}[{i}]"))
    return problems


def empty_transcript(task: ResolvedTask) -> list[Message]:
    """The conversation an empty responder has: every user message answered with ""."""
    out = [Message(role="system", content=task.system)] if task.system else []
    out += task.given_messages()
    for user in [task.prompt, *task.turns]:
        out += [Message(role="user", content=user), Message(role="assistant", content="")]
    return out


def met_by_empty_response(task: ResolvedTask, item: RubricItem) -> bool:
    """True for a positive programmatic item that an empty response meets."""
    if item.check is None or item.points <= 0:
        return False
    transcript = empty_transcript(task)
    gate = gate_result(task, transcript, "")
    return decide_item(task, item, transcript, "", gate).verdict is True


class AbsencePhrasing(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    starts: list[str]
    bounds: list[str]


@cache
def absence_phrasing() -> dict[str, tuple[re.Pattern[str], re.Pattern[str]]]:
    """(opening words, upper bound) patterns by language, from data/absence_phrasing.yaml."""
    text = resources.files("benchmark").joinpath("data/absence_phrasing.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)["languages"]
    out = {}
    for lang, entry in raw.items():
        ph = AbsencePhrasing.model_validate(entry)

        def alternation(words: list[str]) -> str:
            # Longest first, so "does not" wins over "does"; an apostrophe ends a word too.
            ordered = sorted(words, key=len, reverse=True)
            return "|".join(re.escape(w) + ("" if w.endswith("'") else r"\b") for w in ordered)

        out[lang] = (
            re.compile(rf"^(?:{alternation(ph.starts)})", re.I),
            re.compile(rf"\b(?:{alternation(ph.bounds)})", re.I),
        )
    return out


def phrased_as_absence(item: RubricItem, language: str = "en") -> bool:
    """True for a positive item whose text describes an absence or an upper bound, in the
    task's language (languages without patterns are not checked)."""
    patterns = absence_phrasing().get(language.split("-", 1)[0].lower())
    if item.points <= 0 or patterns is None:
        return False
    start, bound = patterns
    text = item.text.strip()
    return bool(start.match(text) or bound.search(text))


def vacuous_element_check(item: RubricItem) -> bool:
    """True for an element check that leaves its absence to suite 1.x's vacuous "met"."""
    chk = item.check
    if chk is None or chk.type not in _ELEMENT_CHECKS:
        return False
    explicit = "when_absent" in chk.model_fields_set
    return not explicit or getattr(chk, "when_absent", "met") == "met"


def english(task: ResolvedTask) -> bool:
    return task.language.split("-", 1)[0].lower() == "en"


def out_of_scope(task: ResolvedTask, item: RubricItem, dimensions: dict[str, Dimension]) -> bool:
    """True when the item's dimension is scoped to tags this task does not carry."""
    dim = dimensions.get(item.dimension)
    if dim is None or not dim.scope_tags:
        return False
    return not set(dim.scope_tags) & set(task.tags)


def screenshot_problems(task: ResolvedTask, rel: str) -> list[str]:
    """Only a visual-design task's answer is a page to render: elsewhere an item judged from
    screenshots could never be judged."""
    if task.category == "visual_design":
        return []
    return [
        f"{rel}:items[{i}].judge_sees: {it.id!r} is judged from screenshots, but only "
        "visual_design tasks are rendered"
        for i, it in enumerate(task.items)
        if it.sees_screenshots
    ]


def task_problems(
    task: ResolvedTask, rel: str, major: int, dimensions: dict[str, Dimension]
) -> list[str]:
    """The rules above for one resolved task (items after shared items are resolved)."""
    problems = screenshot_problems(task, rel)  # a new key: checked in every suite version
    if major < STRICT_FROM_MAJOR:
        return problems
    if task.items and not any(it.points < 0 for it in task.items):
        problems.append(
            f"{rel}:items: needs at least one negative item (a failure worth catching, written as "
            "the failure)"
        )
    empty_gate = gate_result(task, empty_transcript(task), "")
    if empty_gate is not None and empty_gate.verdict is True:
        problems.append(
            f"{rel}:gate: met by an empty response; a gate names something only an attempt at "
            "this brief contains"
        )
    lo, hi = ITEMS_PER_TASK
    if not lo <= len(task.items) <= hi:
        problems.append(f"{rel}:items: {len(task.items)} items; a task has {lo} to {hi}")
    ceiling = sum(it.ceiling for it in task.items)
    if HARD_TAG in task.tags and ceiling < MIN_CEILING_ITEMS_WHEN_HARD:
        problems.append(
            f"{rel}:tags: tagged {HARD_TAG!r} with {ceiling} ceiling item(s); a hard task "
            f"carries at least {MIN_CEILING_ITEMS_WHEN_HARD} (items with ceiling: true)"
        )
    for i, it in enumerate(task.items):
        where = f"{rel}:items[{i}]"
        if met_by_empty_response(task, it):
            problems.append(
                f"{where}.check: {it.id!r} is met by an empty response; a positive item needs "
                "something present (write the failure as a negative item instead)"
            )
        if phrased_as_absence(it, task.language):
            problems.append(
                f"{where}.text: {it.id!r} is a positive item phrased as an absence or an upper "
                "bound; write the failure as a negative item"
            )
        if out_of_scope(task, it, dimensions):
            tags = ", ".join(dimensions[it.dimension].scope_tags)
            problems.append(
                f"{where}.dimension: {it.dimension!r} scores only tasks tagged one of {tags}; "
                "file the item under the dimension this task exercises"
            )
        if it.check is not None and it.check.type in ENGLISH_ONLY_CHECKS and not english(task):
            problems.append(
                f"{where}.check: {it.check.type} reads English pronunciations (CMU "
                f"dictionary); this task is in {task.language!r}: judge it with native guidance"
            )
        if vacuous_element_check(it):
            problems.append(
                f"{where}.check.when_absent: say what a page without these elements is: not_met "
                "(the brief requires them) or not_applicable"
            )
    return problems


def legacy_findings(tasks: list[ResolvedTask], dimensions: dict[str, Dimension]) -> dict[str, int]:
    """How many items break the suite 2 rules (counted for any version by `validate --stats`)."""
    items = [it for t in tasks for it in t.items]
    return {
        "items_outside_dimension_scope": sum(
            out_of_scope(t, it, dimensions) for t in tasks for it in t.items
        ),
        "tasks_without_negative_item": sum(
            1 for t in tasks if t.items and not any(it.points < 0 for it in t.items)
        ),
        "met_by_empty_response": sum(met_by_empty_response(t, it) for t in tasks for it in t.items),
        "phrased_as_absence": sum(
            phrased_as_absence(it, t.language) for t in tasks for it in t.items
        ),
        "vacuous_element_checks": sum(vacuous_element_check(it) for it in items),
    }


def pair_problems(tasks: list[ResolvedTask]) -> list[str]:
    """Paired prompts name each other, share a category and their items, are one plain and one
    creative, and the creative prompt keeps the plain one's words in order."""
    by_id = {t.id: t for t in tasks}
    problems = []
    for t in tasks:
        if t.pair is None:
            continue
        other = by_id.get(t.pair)
        where = f"{t.source}:pair"
        if other is None:
            problems.append(f"{where}: no task {t.pair!r} in the suite")
        elif other.pair != t.id:
            problems.append(f"{where}: {t.pair!r} must name {t.id!r} as its pair too")
        elif other.variant == t.variant:
            problems.append(
                f"{where}: both tasks of a pair are {t.variant!r}; one is plain, one creative"
            )
        elif other.category != t.category:
            problems.append(f"{where}: {t.pair!r} is {other.category}, this task {t.category}")
        elif other.items != t.items:
            # The gap must measure the output, not a difference between two rubrics.
            problems.append(f"{t.source}:items: differ from those of its pair {t.pair!r}")
        elif t.variant == "creative" and not _keeps_words(other.prompt, t.prompt):
            problems.append(
                f"{t.source}:prompt: must keep the plain prompt's words in order (the same brief "
                f"as {t.pair!r}, with the invitation added)"
            )
    return problems


def _keeps_words(plain: str, creative: str) -> bool:
    """True when every word of `plain` appears in `creative`, in the same order."""
    rest = iter(re.findall(r"\w+", creative.lower()))
    return all(word in rest for word in re.findall(r"\w+", plain.lower()))


def unchecked_relied_on(tasks: list[ResolvedTask]) -> list[str]:
    """Crisis services (ids) of the countries the tasks' crisis checks name that are not yet
    checked against their published source: a suite relying on one is not releasable."""
    countries = {
        getattr(it.check, "country", None)
        for t in tasks
        for it in t.items
        if it.check is not None and it.check.type in ("crisis_resource", "foreign_crisis_resource")
    }
    listed = crisis_resources().countries
    return sorted(
        s.id for c in countries if c in listed for s in listed[c].services if s.checked is None
    )
