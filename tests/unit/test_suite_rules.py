"""The rules `validate` enforces beyond the schema: duplicate YAML keys and non-integer points in
every version; from suite 2.0.0, a negative item per task, no positive item met by an empty
response or phrased as an absence, and element checks that say what absence means."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from benchmark.cli import main
from benchmark.errors import SuiteError
from benchmark.records.schemas import RubricItem
from benchmark.suite import load_suite, suite_stats
from benchmark.suite._rules import phrased_as_absence

MINI = Path(__file__).parents[1] / "data" / "mini_suite"
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
        "items_outside_dimension_scope": 0,  # no rubric of the mini suite is scoped
        "tasks_without_negative_item": 1,  # page
        "met_by_empty_response": 2,  # "At most 60 words"; no question in any (empty) turn
        "phrased_as_absence": 2,  # the same two, as written
        "vacuous_element_checks": 0,
    }
    # positive points: story 4 + 3 + 1 (check), talk 3 + 2 (check), page 3 + 2 (check): 5 of 18
    assert stats["positive_points_share_by_decider"] == {"check": 0.278, "judge": 0.722}


TALK = "tasks/emotional_intelligence/talk.yaml"


def _judged(item_id: str, points: int = 2, extra: str = "") -> str:
    return (
        f"  - id: {item_id}\n    dimension: writing\n    text: Something a reader can check.\n"
        f"    points: {points}\n{extra}"
    )


def _as_suite_2(root: Path) -> None:
    """Version 2.0.0, and judged items enough for the five a task suite 2 asks for."""
    suite_yaml = root / "tasks" / "suite.yaml"
    suite_yaml.write_text(suite_yaml.read_text().replace('version: "0.0.1"', 'version: "2.0.0"'))
    for rel, n in ((STORY, 1), (TALK, 2), (PAGE, 3)):
        path = root / rel
        path.write_text(path.read_text() + "".join(_judged(f"extra_{i}") for i in range(n)))


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
            f"{PAGE}:items[5].check.when_absent: say what a page without these elements is"
        )
        for p in problems
    )
    assert len(problems) == 6


def _follow_the_rules(mini: Path) -> None:
    (mini / STORY).write_text(
        (mini / STORY)
        .read_text()
        .replace(
            "    text: At most 60 words.\n    points: 1\n    check: {type: word_count, max: 60}",
            "    text: The story is 20 to 60 words long.\n    points: 1\n    check: {type: word_count, min: 20, max: 60}",
        )
    )
    talk = mini / TALK
    talk.write_text(
        talk.read_text().replace("  - use: listening.two_questions_max\n", "") + _judged("extra_c")
    )
    (mini / PAGE).write_text(
        (mini / PAGE).read_text()
        + "  - id: alt\n    dimension: design\n    text: Every image has alt text.\n    points: 2\n"
        "    check: {type: images_have_alt, when_absent: not_applicable}\n"
        "  - id: placeholder_as_label\n    dimension: design\n"
        "    text: A form field is labelled only by its placeholder.\n    points: -2\n"
    )


def test_a_suite_2_task_written_to_the_rules_loads(mini: Path) -> None:
    _as_suite_2(mini)
    _follow_the_rules(mini)
    suite = load_suite(mini)
    assert suite.version == "2.0.0"
    assert set(suite_stats(suite)["suite2_rule_findings"].values()) == {0}


def test_suite_2_tasks_have_5_to_12_items(mini: Path) -> None:
    _as_suite_2(mini)
    talk = mini / TALK
    talk.write_text(talk.read_text().replace("  - use: listening.two_questions_max\n", ""))
    story = mini / STORY
    story.write_text(story.read_text() + "".join(_judged(f"more_{i}") for i in range(8)))
    problems = [p for p in _problems(mini) if p.endswith("items; a task has 5 to 12")]
    assert problems == [
        f"{STORY}:items: 13 items; a task has 5 to 12",
        f"{TALK}:items: 4 items; a task has 5 to 12",
    ]


def test_a_hard_task_carries_two_ceiling_items(mini: Path) -> None:
    _as_suite_2(mini)
    _follow_the_rules(mini)
    story = mini / STORY
    base = story.read_text().replace("prompt:", "tags: [hard]\nprompt:")
    story.write_text(base + _judged("great_a", 3, "    ceiling: true\n"))
    hard = f"{STORY}:tags: tagged 'hard' with 1 ceiling item(s); a hard task carries at least 2"
    assert any(p.startswith(hard) for p in _problems(mini))
    story.write_text(
        base
        + _judged("great_a", 3, "    ceiling: true\n")
        + _judged("great_b", 3, "    ceiling: true\n")
    )
    stats = suite_stats(load_suite(mini))
    assert stats["ceiling_items"] == 2
    # positive points: story 4 + 3 + 1 + 2 + 3 + 3, talk 3 + 2 + 2 + 2, page 3 + 2 + 3 * 2 + 2
    assert stats["positive_points_share_ceiling"] == round(6 / 38, 3)


def test_a_scoped_dimension_takes_items_only_from_tasks_it_scopes(mini: Path) -> None:
    _as_suite_2(mini)
    _follow_the_rules(mini)
    rubric = mini / "rubrics" / "listening.yaml"
    rubric.write_text(
        rubric.read_text().replace("description:", "scope_tags: [talk]\ndescription:")
    )
    assert _problems(mini) == [
        f"{TALK}:items[0].dimension: 'listening' scores only tasks tagged one of talk; file the "
        "item under the dimension this task exercises",
        f"{TALK}:items[1].dimension: 'listening' scores only tasks tagged one of talk; file the "
        "item under the dimension this task exercises",
    ]
    talk = mini / TALK
    talk.write_text(talk.read_text().replace("prompt:", "tags: [talk]\nprompt:", 1))
    assert (
        suite_stats(load_suite(mini))["suite2_rule_findings"]["items_outside_dimension_scope"] == 0
    )


def test_a_ceiling_item_cannot_be_a_penalty(mini: Path) -> None:
    story = mini / STORY
    story.write_text(story.read_text() + _judged("great", -3, "    ceiling: true\n"))
    assert any(
        p.startswith(f"{STORY}:items[4]: a ceiling item rewards what lifts")
        for p in _problems(mini)
    )


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
    # the gap must measure the output: the same items, and the same brief plus an invitation
    plain = text.replace("prompt:", "pair: story_free\nvariant: plain\nprompt:", 1)
    story.write_text(plain.replace("points: 4", "points: 5"))
    assert _problems(mini) == [
        f"{STORY}:items: differ from those of its pair 'story_free'",
        "tasks/creative_writing/story_free.yaml:items: differ from those of its pair 'story'",
    ]
    story.write_text(plain.replace("about a lighthouse", "about a lighthouse at night"))
    assert _problems(mini) == [
        "tasks/creative_writing/story_free.yaml:prompt: must keep the plain prompt's words in "
        "order (the same brief as 'story', with the invitation added)"
    ]


@pytest.mark.parametrize(
    ("language", "text", "absence"),
    [
        ("en", "No more than two questions in a turn.", True),
        ("en", "Nobody in the story dies off the page.", False),  # "no" only as a whole word
        ("fr", "N'utilise aucun adjectif.", True),
        ("fr", "Au plus trois phrases.", True),
        ("fr", "La chute est préparée.", False),
        ("es", "Sin moraleja final.", True),
        ("es", "Como máximo dos preguntas.", True),
        ("es", "Nombra la ciudad.", False),
        ("de-AT", "Keine Moral am Ende.", True),
        ("de", "Höchstens zwei Fragen.", True),
        ("de", "Die Merke-Zeile dreht die Lehre.", False),
        ("ko", "질문은 두 개 이하.", False),  # no patterns for Korean: not checked
    ],
)
def test_absence_phrasing_is_read_in_the_tasks_language(
    language: str, text: str, absence: bool
) -> None:
    item = RubricItem(id="x", dimension="craft", text=text, points=2)
    assert phrased_as_absence(item, language) is absence
    assert phrased_as_absence(item.model_copy(update={"points": -2}), language) is False


def test_pronunciation_checks_only_on_english_tasks(mini: Path) -> None:
    _as_suite_2(mini)
    _follow_the_rules(mini)
    story = mini / STORY
    base = story.read_text() + _judged(
        "metre", 2, "    check: {type: syllables, per_line: [5, 7, 5]}\n"
    )
    story.write_text(base.replace("prompt:", "language: fr\nprompt:", 1))
    assert _problems(mini) == [
        f"{STORY}:items[5].check: syllables reads English pronunciations (CMU dictionary); this "
        "task is in 'fr': judge it with native guidance"
    ]
    story.write_text(base.replace("prompt:", "language: en-GB\nprompt:", 1))
    assert load_suite(mini).task("story").language == "en-GB"
