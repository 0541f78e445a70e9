"""The suite loader and `musebench validate`: every problem reported at once as file:field: msg."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from benchmark.cli import main
from benchmark.errors import SuiteError
from benchmark.suite import load_suite, suite_stats


def test_shipped_suite_is_valid(repo_root: Path) -> None:
    suite = load_suite(repo_root)
    assert len(suite.tasks) >= 6
    assert {t.category for t in suite.tasks} == {
        "creative_writing",
        "visual_design",
        "emotional_intelligence",
    }
    assert any(t.multi_turn for t in suite.tasks if t.category == "emotional_intelligence")
    assert set(suite.dimensions) >= {
        "world_consistency",
        "character_development",
        "design_principles",
        "empathetic_followups",
    }


def test_validate_cli_ok(repo_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(repo_root), "--stats"]) == 0
    assert "ok:" in capsys.readouterr().out


def _copy_suite(repo_root: Path, tmp_path: Path) -> Path:
    shutil.copytree(repo_root / "rubrics", tmp_path / "rubrics")
    shutil.copytree(repo_root / "tasks", tmp_path / "tasks")
    return tmp_path


BAD_TASK = """\
id: broken_task
category: creative_writing
title: Broken
canary: "{canary}"
prompt: hello
items:
  - id: a
    dimension: no_such_dimension
    text: something
    points: 3
  - id: a
    dimension: world_consistency
    text: duplicate id
    points: 11
  - id: b
    dimension: world_consistency
    text: zero points
    points: 0
  - id: c
    dimension: world_consistency
    text: bad check
    points: 2
    check: {{type: word_count, min: 10, max: 5}}
  - id: d
    dimension: world_consistency
    points: 2
  - use: character_development.no_such_item
"""


def test_validate_reports_every_problem(
    repo_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy_suite(repo_root, tmp_path)
    canary = load_suite(repo_root).info.canary
    bad = root / "tasks" / "creative_writing" / "broken.yaml"
    bad.write_text(BAD_TASK.format(canary=canary))
    assert main(["validate", str(root)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    rel = "tasks/creative_writing/broken.yaml"
    # Field-level schema errors come first; cross-reference errors need a parsed task.
    assert f"{rel}:items[1].points: Input should be less than or equal to 10" in err
    assert (
        f"{rel}:items[2].points: points must be non-zero (an item worth 0 cannot change a score)"
        in err
    )
    assert any(line.startswith(f"{rel}:items[4].text: Field required") for line in err)
    # Fix the schema errors; the cross-reference problems are then all reported together.
    fixed = (
        BAD_TASK.format(canary=canary)
        .replace("points: 11", "points: 4")
        .replace("points: 0", "points: 1")
        .replace("    points: 2\n  - use", "    text: t\n    points: 2\n  - use")
    )
    bad.write_text(fixed)
    with pytest.raises(SuiteError) as info:
        load_suite(root)
    problems = info.value.problems
    assert (
        f"{rel}:items[0].dimension: unknown dimension 'no_such_dimension' "
        # The known list is whatever rubrics/ holds (categories may add dimensions).
        f"(known: {', '.join(sorted(load_suite(repo_root).dimensions))})" in problems
    )
    assert (
        f"{rel}:items[5].use: no shared item 'character_development.no_such_item' in rubrics/"
        in problems
    )
    assert f"{rel}:items: duplicate item id 'a'" in problems
    assert f"{rel}:items[3].check: min 10 is greater than max 5" in problems


def test_duplicate_task_id_and_missing_canary(repo_root: Path, tmp_path: Path) -> None:
    root = _copy_suite(repo_root, tmp_path)
    src = root / "tasks" / "creative_writing" / "cw_memory_cost_magic.yaml"
    text = src.read_text()
    (root / "tasks" / "creative_writing" / "copy.yaml").write_text(text)
    (root / "tasks" / "creative_writing" / "nocanary.yaml").write_text(
        "\n".join(line for line in text.splitlines() if not line.startswith("canary:")).replace(
            "id: cw_memory_cost_magic", "id: other_task"
        )
    )
    with pytest.raises(SuiteError) as info:
        load_suite(root)
    problems = info.value.problems
    assert any(
        p.startswith("tasks/creative_writing/cw_memory_cost_magic.yaml:id: duplicate task id")
        or p.startswith("tasks/creative_writing/copy.yaml:id: duplicate task id")
        for p in problems
    )
    assert (
        "tasks/creative_writing/nocanary.yaml:canary: must be the suite's canary string from "
        "suite.yaml" in problems
    )


def test_malformed_yaml_and_missing_dir(tmp_path: Path, repo_root: Path) -> None:
    root = _copy_suite(repo_root, tmp_path)
    (root / "tasks" / "visual_design" / "bad.yaml").write_text("id: [unclosed\n")
    with pytest.raises(SuiteError) as info:
        load_suite(root)
    assert any(
        p.startswith("tasks/visual_design/bad.yaml:(root): not valid YAML")
        for p in info.value.problems
    )
    with pytest.raises(SuiteError) as info2:
        load_suite(tmp_path / "nowhere")
    assert "directory not found" in info2.value.problems[0]


def test_stats_and_selection(repo_root: Path) -> None:
    suite = load_suite(repo_root)
    stats = suite_stats(suite)
    assert stats["tasks"] == len(suite.tasks)
    assert sum(stats["categories"].values()) == stats["tasks"]
    assert suite.select("emotional_intelligence/*")
    assert all(t.category == "visual_design" for t in suite.select("visual_design/*"))
    with pytest.raises(Exception, match="matches no task"):
        suite.select("zzz*")


@pytest.mark.slow
def test_hash_changes_with_content(repo_root: Path, tmp_path: Path) -> None:
    root = _copy_suite(repo_root, tmp_path)
    h1 = load_suite(root).suite_hash
    assert h1 == load_suite(repo_root).suite_hash
    p = root / "rubrics" / "world_consistency.yaml"
    p.write_text(p.read_text() + "\n# touched\n")
    assert load_suite(root).suite_hash != h1


def test_archived_versions_are_shipped_beside_the_current_one(
    repo_root: Path, tmp_path: Path
) -> None:
    """An earlier version frozen under the archive loads beside the current suite, so its runs
    still verify; the shipped install has none yet (suite 1.0.0 is the current one)."""
    from benchmark.suite import archived_suite_dirs, shipped_suites

    archive = tmp_path / "suites"
    old = _copy_suite(repo_root, archive / "0.9.0")
    info = old / "tasks" / "suite.yaml"
    info.write_text(info.read_text().replace('version: "1.0.0"', 'version: "0.9.0"'))
    (archive / "notes").mkdir()  # not a suite: ignored
    assert archived_suite_dirs(archive) == [old]
    versions = [s.version for s in shipped_suites(archive)]
    assert versions == [load_suite(repo_root).version, "0.9.0"]
    assert archived_suite_dirs(tmp_path / "none") == []


def test_tasks_are_selected_by_tag(repo_root: Path) -> None:
    suite = load_suite(repo_root)
    multi = suite.select("tag:multi_turn")
    assert multi and all("multi_turn" in t.tags for t in multi)
    assert {t.id for t in multi} == {t.id for t in suite.tasks if "multi_turn" in t.tags}
    both = suite.select("tag:multi_turn,visual_design/*")
    assert len(both) == len(multi) + len(suite.select("visual_design/*"))
    with pytest.raises(Exception, match="matches no task"):
        suite.select("tag:no_such_tag")


def test_stats_of_the_mini_suite() -> None:
    """Every count `validate --stats` prints, worked out by hand from tests/data/mini_suite:
    positive points writing 4+3+1, listening 3+2 (the shared two_questions_max), design 3+2 = 18;
    decided by checks 1+2+2 = 5."""
    stats = suite_stats(load_suite(Path(__file__).parents[1] / "data" / "mini_suite"))
    expected = {
        "suite": "mini",
        "version": "0.0.1",
        "tasks": 3,
        "categories": {"creative_writing": 1, "emotional_intelligence": 1, "visual_design": 1},
        "items": 9,
        "items_per_task": {"min": 2, "max": 4, "mean": 3.0},
        "items_by_dimension": {"design": 2, "listening": 3, "writing": 4},
        "programmatic_items": 3,
        "negative_items": 2,
        "ceiling_items": 0,
        "positive_points_share_ceiling": 0.0,
        "multi_turn_tasks": 1,
        "emotional_intelligence_multi_turn_share": 1.0,
        "tasks_by_tag": {},
        "tasks_by_language": {"en": 3},
        "positive_points_share_by_dimension": {
            "design": 0.278,
            "listening": 0.278,
            "writing": 0.444,
        },
        "positive_points_share_by_decider": {"check": 0.278, "judge": 0.722},
        "crisis_services_unchecked": [],
    }
    findings = stats.pop("suite2_rule_findings")  # counted by suite_rules, tested there
    assert stats == expected
    assert list(stats) == list(expected)  # the order `validate --stats --json` prints
    assert set(findings) >= {"tasks_without_negative_item", "met_by_empty_response"}
