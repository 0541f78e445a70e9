"""The rules `validate` enforces beyond the schema: duplicate YAML keys and non-integer points in
every version; from suite 2.0.0, a negative item per task, no positive item met by an empty
response or phrased as an absence, and element checks that say what absence means."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from benchmark.cli import main
from benchmark.errors import SuiteError
from benchmark.suite import load_suite, suite_stats

MINI = Path(__file__).parent / "data" / "mini_suite"
STORY = "tasks/creative_writing/story.yaml"
PAGE = "tasks/visual_design/page.yaml"


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    shutil.copytree(MINI, tmp_path / "suite")
    return tmp_path / "suite"


def _problems(root: Path) -> list[str]:
    with pytest.raises(SuiteError) as info:
        load_suite(root)
    return list(info.value.problems)


def test_a_key_given_twice_is_refused_with_both_lines(mini: Path) -> None:
    story = mini / STORY
    story.write_text(
        story.read_text().replace(
            "  - id: short\n", "  - id: short\n    points: 2\n", 1
        )  # `points: 2` then the file's own `points: 1`
    )
    (problem,) = _problems(mini)
    assert problem.startswith(
        f"{STORY}:items[3].points: duplicate key 'points' (lines 11 and 14); YAML would keep only the last"
    )


def test_points_must_be_an_integer_not_a_boolean_or_text(mini: Path) -> None:
    story = mini / STORY
    base = story.read_text()
    for bad in ("true", '"3"', "2.0"):
        story.write_text(
            base.replace("text: A character changes., points: 3", f"text: x, points: {bad}")
        )
        problems = _problems(mini)
        assert any(
            p.startswith(f"{STORY}:items[1].points: Input should be a valid integer")
            for p in problems
        ), (bad, problems)


def test_suite_1_loads_with_its_findings_counted(mini: Path) -> None:
    stats = suite_stats(load_suite(mini))
    assert stats["suite2_rule_findings"] == {
        "tasks_without_negative_item": 1,  # page
        "met_by_empty_response": 2,  # "At most 60 words"; no question in any (empty) turn
        "phrased_as_absence": 2,  # the same two, as written
        "vacuous_element_checks": 0,
    }
    # positive points: story 4 + 3 + 1 (check), talk 3 + 2 (check), page 3 + 2 (check): 5 of 18
    assert stats["positive_points_share_by_decider"] == {"check": 0.278, "judge": 0.722}


def _as_suite_2(root: Path) -> None:
    suite_yaml = root / "tasks" / "suite.yaml"
    suite_yaml.write_text(suite_yaml.read_text().replace('version: "0.0.1"', 'version: "2.0.0"'))


def test_suite_2_rules_each_reported_as_file_field_message(mini: Path) -> None:
    _as_suite_2(mini)
    page = mini / PAGE
    page.write_text(
        page.read_text()
        + "  - id: alt\n    dimension: design\n    text: Every image has alt text.\n    points: 2\n"
        "    check: {type: images_have_alt}\n"
    )
    problems = _problems(mini)
    assert (
        f"{PAGE}:items: needs at least one negative item (a failure worth catching, written as the failure)"
        in problems
    )
    assert any(
        p.startswith(f"{STORY}:items[3].check: 'short' is met by an empty response")
        for p in problems
    )
    assert any(
        p.startswith(f"{STORY}:items[3].text: 'short' is a positive item phrased as an absence")
        for p in problems
    )
    assert any(
        p.startswith(
            "tasks/emotional_intelligence/talk.yaml:items[2].check: 'two_questions_max' is met by an empty response"
        )
        for p in problems
    )
    assert any(
        p.startswith(
            f"{PAGE}:items[2].check.when_absent: say what a page without these elements is"
        )
        for p in problems
    )
    assert len(problems) == 6


def test_a_suite_2_task_written_to_the_rules_loads(mini: Path) -> None:
    _as_suite_2(mini)
    (mini / STORY).write_text(
        (mini / STORY)
        .read_text()
        .replace(
            "    text: At most 60 words.\n    points: 1\n    check: {type: word_count, max: 60}",
            "    text: The story is 20 to 60 words long.\n    points: 1\n    check: {type: word_count, min: 20, max: 60}",
        )
    )
    talk = mini / "tasks" / "emotional_intelligence" / "talk.yaml"
    talk.write_text(talk.read_text().replace("  - use: listening.two_questions_max\n", ""))
    (mini / PAGE).write_text(
        (mini / PAGE).read_text()
        + "  - id: alt\n    dimension: design\n    text: Every image has alt text.\n    points: 2\n"
        "    check: {type: images_have_alt, when_absent: not_applicable}\n"
        "  - id: placeholder_as_label\n    dimension: design\n"
        "    text: A form field is labelled only by its placeholder.\n    points: -2\n"
    )
    suite = load_suite(mini)
    assert suite.version == "2.0.0"
    assert set(suite_stats(suite)["suite2_rule_findings"].values()) == {0}


def test_validate_stats_prints_the_new_measures(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(MINI), "--stats"]) == 0
    out = capsys.readouterr().out
    for row in (
        "positive points decided by check",
        "positive points: writing",
        "suite 2 rules broken: met by empty response",
    ):
        assert row in out


def test_paired_prompts_name_each_other_plain_and_creative(mini: Path) -> None:
    story = mini / STORY
    text = story.read_text()
    creative = text.replace("id: story", "id: story_free").replace(
        "prompt: Write a very short story about a lighthouse.",
        "prompt: Write a very short story about a lighthouse. Be as inventive as you like.",
    )
    (mini / "tasks" / "creative_writing" / "story_free.yaml").write_text(
        creative.replace("prompt:", "pair: story\nvariant: creative\nprompt:", 1)
    )
    story.write_text(text.replace("prompt:", "pair: story_free\nvariant: plain\nprompt:", 1))
    suite = load_suite(mini)
    assert {(t.id, t.pair, t.variant) for t in suite.tasks if t.pair} == {
        ("story", "story_free", "plain"),
        ("story_free", "story", "creative"),
    }
    story.write_text(text.replace("prompt:", "pair: story_free\nvariant: creative\nprompt:", 1))
    (problem, *_) = _problems(mini)
    assert problem == (
        f"{STORY}:pair: both tasks of a pair are 'creative'; one is plain, one creative"
    )
    story.write_text(text.replace("prompt:", "pair: nowhere\nvariant: plain\nprompt:", 1))
    assert f"{STORY}:pair: no task 'nowhere' in the suite" in _problems(mini)
    story.write_text(text.replace("prompt:", "pair: story_free\nprompt:", 1))
    assert any("a paired task names both `pair`" in p for p in _problems(mini))
