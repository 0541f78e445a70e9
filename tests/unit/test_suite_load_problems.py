"""Every problem the suite loader reports, in the order `musebench validate` prints them: one
broken suite per group of checks, each problem list written out whole (so a change that drops,
rewords or reorders a problem fails here)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from benchmark.errors import SuiteError
from benchmark.suite import load_suite


def _problems(root: Path) -> list[str]:
    with pytest.raises(SuiteError) as info:
        load_suite(root)
    return list(info.value.problems)


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    root = tmp_path / "suite"
    shutil.copytree(Path(__file__).parents[1] / "data" / "mini_suite", root)
    return root


SHARED = """\
id: writing
name: Writing
version: "0.1"
description: Test dimension with shared items.
items:
  - {id: shared1, dimension: writing, text: Shared one., points: 2}
  - {id: shared1, dimension: writing, text: Shared again., points: 2}
  - {id: elsewhere, dimension: design, text: Filed under design., points: 1}
"""

TASK = """\
id: {id}
category: {category}
title: T
canary: "MINI CANARY"
prompt: Write.
{extra}items:
{items}"""


def _task(root: Path, rel: str, id: str, items: str, category: str = "", extra: str = "") -> None:
    cat = category or rel.split("/")[1]
    _write(root, rel, TASK.format(id=id, category=cat, extra=extra, items=items))


def test_rubric_and_task_problems(mini: Path) -> None:
    _write(mini, "rubrics/writing.yaml", SHARED)
    _write(mini, "rubrics/zzz.yaml", "id: writing\nname: W\nversion: '1'\ndescription: d\n")
    _write(mini, "rubrics/named.yaml", "id: other\nname: O\nversion: '1'\ndescription: d\n")
    _write(mini, "rubrics/bad.yaml", "id: bad\nname: ''\nversion: '1'\ndescription: d\n")
    _write(mini, "rubrics/empty.yaml", "")
    _write(mini, "tasks/creative_writing/empty.yaml", "")
    _task(
        mini,
        "tasks/creative_writing/wrong_cat.yaml",
        "wrong_cat",
        "  - {id: a, dimension: design, text: A., points: 2}\n",
        category="visual_design",
    )
    _task(
        mini,
        "tasks/creative_writing/shared.yaml",
        "shared_refs",
        "  - {use: writing.shared1, points: 0}\n"
        "  - {use: writing.shared1, points: 5}\n"
        "  - {use: nowhere.item}\n"
        "  - {id: neg, dimension: writing, text: N., points: -1}\n",
    )
    _task(
        mini,
        "tasks/creative_writing/negative.yaml",
        "negative_only",
        "  - {id: neg, dimension: writing, text: N., points: -1}\n",
    )
    _task(
        mini,
        "tasks/creative_writing/checks.yaml",
        "check_bounds",
        "  - {id: a, dimension: writing, text: A., points: 2, check: {type: word_count}}\n"
        "  - {id: b, dimension: writing, text: B., points: 1,"
        " check: {type: word_count, max: 9, turn: 3}}\n"
        "  - {id: c, dimension: writing, text: C., points: 1,"
        " check: {type: word_count, min: 9, max: 3}}\n",
    )
    assert _problems(mini) == EXPECTED_RUBRIC_AND_TASK


EXPECTED_RUBRIC_AND_TASK = [
    "rubrics/bad.yaml:name: String should have at least 1 character",
    "rubrics/named.yaml:id: dimension id 'other' must match the file name",
    "rubrics/writing.yaml:items[2].dimension: shared item belongs to 'design', not this file's "
    "dimension 'writing'",
    "rubrics/writing.yaml:items: duplicate item id 'shared1'",
    "rubrics/zzz.yaml:id: duplicate dimension id 'writing' (also in rubrics/writing.yaml)",
    "tasks/creative_writing/checks.yaml:items[0].check: word_count needs min or max",
    "tasks/creative_writing/checks.yaml:items[1].check.turn: task has only 1 assistant turns",
    "tasks/creative_writing/checks.yaml:items[2].check: min 9 is greater than max 3",
    "tasks/creative_writing/empty.yaml:(root): empty file",
    "tasks/creative_writing/negative.yaml:items: at least one item must carry positive points",
    "tasks/creative_writing/shared.yaml:items[0].points: points must be non-zero",
    "tasks/creative_writing/shared.yaml:items[2].use: no shared item 'nowhere.item' in rubrics/",
    "tasks/creative_writing/wrong_cat.yaml:category: 'visual_design' but the file is under "
    "creative_writing/",
]


def test_missing_files(tmp_path: Path) -> None:
    (tmp_path / "rubrics").mkdir()
    (tmp_path / "tasks").mkdir()
    assert _problems(tmp_path) == EXPECTED_MISSING


EXPECTED_MISSING = [
    "rubrics:(root): no rubric dimension files (*.yaml)",
    "tasks/suite.yaml:(root): missing (needs name and version)",
    "tasks:(root): no task files (*.yaml)",
]


def test_missing_directories(tmp_path: Path) -> None:
    (tmp_path / "tasks").mkdir()
    assert _problems(tmp_path) == [f"{tmp_path / 'rubrics'}:(root): directory not found"]


def test_invalid_suite_file(mini: Path) -> None:
    _write(mini, "tasks/suite.yaml", "name: mini\nversion: ''\nextra: 1\n")
    assert _problems(mini) == EXPECTED_SUITE_FILE


EXPECTED_SUITE_FILE = [
    "tasks/suite.yaml:version: String should have at least 1 character",
    "tasks/suite.yaml:extra: Extra inputs are not permitted",
]
