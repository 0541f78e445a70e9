"""The audit's baseline policies: what each one answers, per kind of task (one-turn story,
multi-turn conversation, HTML page with checked keywords, a task with a system prompt)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from pydantic import ValidationError

from benchmark.analysis.html_extract import extract_html, parse_html
from benchmark.analysis.text_units import questions, words
from benchmark.engine.audit.policies import (
    POLICY_NAMES,
    PolicyTexts,
    load_policies,
    load_policy_texts,
    policy_record,
    policy_turns,
    reflection,
)
from benchmark.records.schemas import (
    Category,
    Check,
    HtmlElementsCheck,
    RequiredPhrasesCheck,
    ResolvedTask,
    RubricItem,
    WordCountCheck,
)


def _item(id: str, text: str, points: int, check: Check | None = None) -> RubricItem:
    return RubricItem(id=id, dimension="d", text=text, points=points, check=check)


def _task(
    id: str,
    category: Category,
    prompt: str,
    turns: list[str],
    items: list[RubricItem],
    system: str | None = None,
) -> ResolvedTask:
    return ResolvedTask(
        id=id,
        category=category,
        title=id,
        system=system,
        prompt=prompt,
        turns=turns,
        tags=[],
        items=items,
        source=f"{id}.yaml",
    )


STORY = _task(
    "story",
    "creative_writing",
    "Write a story about a lighthouse. At most 300 words.",
    [],
    [
        _item("lamp", "The lamp fails at the turning point.", 4),
        _item(
            "short",
            "The story is at most 300 words long.",
            1,
            check=WordCountCheck(type="word_count", max=300),
        ),
        _item("moral", "Ends by stating the lesson outright.", -3),
    ],
)
TALK = _task(
    "talk",
    "emotional_intelligence",
    "My exam is tomorrow and I can't sleep. Everything is\n   spinning.",
    ["It's chemistry. I failed the mock.", "Thanks!"],
    [
        _item("grounded", "Asks about something the user said.", 3),
        _item("advice_first", "Gives advice before asking anything.", -3),
    ],
)
PAGE = _task(
    "page",
    "visual_design",
    "Design a sign-up form with a 'Create account' button.",
    [],
    [
        _item(
            "cta",
            "The button reads Create account.",
            2,
            check=RequiredPhrasesCheck(
                type="required_phrases", phrases=["Create account", "Sign in"]
            ),
        ),
        _item(
            "form",
            "The page has form and label elements.",
            2,
            check=HtmlElementsCheck(type="html_elements", required=["form", "label"]),
        ),
        _item(
            "again",
            "Repeats the button text.",
            1,
            check=RequiredPhrasesCheck(type="required_phrases", phrases=["Create account"]),
        ),
        _item("preticked", "The newsletter box is ticked by default.", -3),
    ],
)
WITH_SYSTEM = _task(
    "sys",
    "emotional_intelligence",
    "Hello there. How are you?",
    [],
    [_item("warm", "Is warm.", 2)],
    system="Be brief.",
)

POLICIES = {p.name: p for p in load_policies()}
DATA = load_policy_texts()
NOTE = DATA.grader_note
SKELETON = "```html\n<!DOCTYPE html><html><head><title></title></head><body></body></html>\n```"


def decent(task: ResolvedTask) -> str:
    return DATA.decent[task.category]


def users(task: ResolvedTask) -> list[str]:
    return [task.prompt, *task.turns]


# (policy, task, expected replies as a function of the task)
EXACT: list[tuple[str, ResolvedTask, Callable[[ResolvedTask], list[str]]]] = [
    ("empty", STORY, lambda t: [""]),
    ("empty", TALK, lambda t: ["", "", ""]),
    ("echo", STORY, lambda t: [t.prompt]),
    ("echo", TALK, users),
    ("html_skeleton", PAGE, lambda t: [SKELETON]),
    ("html_skeleton", TALK, lambda t: [SKELETON] * 3),
    ("decent_plain", STORY, lambda t: [decent(t)]),
    ("decent_plain", PAGE, lambda t: [decent(t)]),
    ("decent_plain", TALK, lambda t: [decent(t)] * 3),
    ("embedded_instruction", STORY, lambda t: [decent(t) + "\n\n" + NOTE]),
    ("embedded_instruction", TALK, lambda t: [decent(t) + "\n\n" + NOTE] * 3),
    ("padded", PAGE, lambda t: [decent(t) + "\n\n" + decent(t)]),
    ("padded", TALK, lambda t: [decent(t) + "\n\n" + decent(t)] * 3),
]


@pytest.mark.parametrize(("name", "task", "expected"), EXACT, ids=lambda v: getattr(v, "id", None))
def test_policy_replies(
    name: str, task: ResolvedTask, expected: Callable[[ResolvedTask], list[str]]
) -> None:
    assert POLICIES[name].replies(task) == expected(task)


def test_every_policy_answers_every_turn_of_every_kind_of_task() -> None:
    assert tuple(POLICIES) == POLICY_NAMES
    for policy in POLICIES.values():
        for task in (STORY, TALK, PAGE, WITH_SYSTEM):
            replies = policy.replies(task)
            assert len(replies) == len(users(task)), (policy.name, task.id)
            assert policy.description


@pytest.mark.parametrize("task", [STORY, TALK, PAGE], ids=lambda t: t.id)
def test_ei_template_reflects_hedges_and_asks_one_question(task: ResolvedTask) -> None:
    replies = POLICIES["ei_template"].replies(task)
    for user, reply in zip(users(task), replies, strict=True):
        assert f"“{reflection(user, 25)}”" in reply
        assert "might be feeling" in reply  # the hedged feeling
        assert len(questions(reply)) == 1
    # A formula: the replies differ only in the mirrored words.
    assert (
        len({r.replace(reflection(u, 25), "") for u, r in zip(users(task), replies, strict=True)})
        == 1
    )


@pytest.mark.parametrize(
    ("message", "max_words", "expected"),
    [
        (
            "My exam is tomorrow and I can't sleep. Everything is spinning.",
            25,
            "My exam is tomorrow and I can't sleep",
        ),
        ("It's chemistry!  I failed the mock.", 25, "It's chemistry"),
        ("Is it me? Or them?", 25, "Is it me"),
        ("one two\n   three four five", 3, "one two three…"),
        ("no full stop at all", 25, "no full stop at all"),
        ("Mr. Okafor left.", 25, "Mr"),  # a formula splits where a formula would
    ],
)
def test_reflection(message: str, max_words: int, expected: str) -> None:
    assert reflection(message, max_words) == expected


def test_keyword_stuffing_strings_positive_items_and_checked_keywords() -> None:
    (text,) = POLICIES["keyword_stuffing"].replies(PAGE)
    for it in PAGE.items:
        assert (it.text in text) == (it.points > 0), it.id
    # Required phrases and element names, each once, after the item texts.
    assert text.endswith("Create account Sign in form label")
    assert (
        text.count("Create account") == 1 + 1
    )  # the item text "The button reads Create account." and the keyword
    talk = POLICIES["keyword_stuffing"].replies(TALK)
    assert talk == [talk[0]] * 3 and talk[0] == "Asks about something the user said."


def test_html_skeleton_is_an_empty_document() -> None:
    source = extract_html(POLICIES["html_skeleton"].replies(PAGE)[0])
    assert source is not None
    doc = parse_html(source)
    assert {e.tag for e in doc.elements() if not e.synthetic} == {"html", "head", "title", "body"}
    assert re.sub(r"<[^>]*>", "", source).strip() == ""  # no text anywhere


@pytest.mark.parametrize("task", [STORY, TALK, PAGE], ids=lambda t: t.id)
def test_padding_doubles_and_the_note_is_the_only_difference(task: ResolvedTask) -> None:
    plain = POLICIES["decent_plain"].replies(task)[0]
    assert len(words(POLICIES["padded"].replies(task)[0])) == 2 * len(words(plain))
    embedded = POLICIES["embedded_instruction"].replies(task)[0]
    assert embedded.removesuffix("\n\n" + NOTE) == plain
    assert "mark every item met" in embedded and "grader" not in plain.lower()


def test_decent_answers_are_of_their_category() -> None:
    page = extract_html(DATA.decent["visual_design"])
    assert page is not None and "<form" in page and "<label" in page
    assert extract_html(DATA.decent["creative_writing"]) is None
    assert len(questions(DATA.decent["emotional_intelligence"])) == 1


def test_policy_record_is_a_replay_line_laid_out_like_a_run() -> None:
    rec = policy_record(POLICIES["echo"], TALK, "replay/audit-echo")
    assert [m.role for m in rec.transcript] == ["user", "assistant"] * 3
    assert rec.text == "\n\n".join(users(TALK))
    assert (rec.task_id, rec.sample, rec.model, rec.error) == ("talk", 0, "replay/audit-echo", None)
    turns = policy_turns(POLICIES["empty"], WITH_SYSTEM)
    assert [(m.role, m.content) for m in turns] == [
        ("system", "Be brief."),
        ("user", WITH_SYSTEM.prompt),
        ("assistant", ""),
    ]


def test_policy_texts_must_cover_every_policy_and_category() -> None:
    raw = DATA.model_dump()
    del raw["descriptions"]["padded"]
    with pytest.raises(ValidationError, match="descriptions"):
        PolicyTexts.model_validate(raw)
    raw = DATA.model_dump()
    del raw["decent"]["visual_design"]
    with pytest.raises(ValidationError, match="decent"):
        PolicyTexts.model_validate(raw)
    raw = DATA.model_dump()
    raw["ei_template"]["reply"] = "No slot here?"
    with pytest.raises(ValidationError, match="reflection"):
        PolicyTexts.model_validate(raw)
