"""Programmatic checks on hand-written inputs with hand-counted expectations."""

from __future__ import annotations

import typing

import pytest

from benchmark.analysis.html_extract import extract_html, parse_html
from benchmark.analysis.text_units import paragraphs, questions, words
from benchmark.checks import _RUNNERS, NO_HTML, CheckResult, run_check
from benchmark.records.schemas import (
    BannedPhrasesCheck,
    Check,
    ContrastCheck,
    HtmlElementsCheck,
    ImagesHaveAltCheck,
    InputsHaveLabelsCheck,
    Message,
    ParagraphCountCheck,
    QuestionCountCheck,
    RequiredPhrasesCheck,
    WordCountCheck,
)


def check(c: typing.Any, text: str, transcript: list[Message] | None = None) -> CheckResult:
    result = run_check(c, transcript or [Message(role="assistant", content=text)], text)
    # Evidence is always a verbatim substring of the response, or empty.
    assert result.evidence == "" or result.evidence in text
    assert result.rationale
    return result


def convo(*assistant: str) -> tuple[list[Message], str]:
    msgs = []
    for i, a in enumerate(assistant):
        msgs += [Message(role="user", content=f"user {i}"), Message(role="assistant", content=a)]
    return msgs, "\n\n".join(assistant)


def test_every_check_type_has_a_runner() -> None:
    union = typing.get_args(typing.get_args(Check)[0])
    types = {typing.get_args(cls.model_fields["type"].annotation)[0] for cls in union}
    assert types == set(_RUNNERS)


# --------------------------------------------------------------------------- units


@pytest.mark.parametrize(
    ("text", "n"),
    [
        ("", 0),
        ("Hello world", 2),
        ("don't stop", 2),
        ("well-known e.g. 2024", 3),
        ("— * # ---", 0),
        ("dog—she ran", 2),
        ("  lots   of\n\nspace ", 3),
        ("**Bold** text, (parenthetical) end.", 4),
        ("Café naïve 東京", 3),
    ],
)
def test_words(text: str, n: int) -> None:
    assert len(words(text)) == n


@pytest.mark.parametrize(
    ("text", "n"),
    [
        ("", 0),
        ("one line", 1),
        ("a\nb", 1),
        ("a\n\nb", 2),
        ("a\n  \t\nb", 2),
        ("a\r\n\r\nb", 2),
        ("\n\n\nx\n\n\n", 1),
        ("# Title\n\ntext here\n\n* * *\n\nmore", 3),
        ("para one\nstill one\n\n\n\npara two\n\n---\n\n- item\n- item", 3),
    ],
)
def test_paragraphs(text: str, n: int) -> None:
    assert len(paragraphs(text)) == n


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What was she like?", ["What was she like?"]),
        ("Hi. How are you? Fine.", ["How are you?"]),
        ("Really?! Are you sure??", ["Really?!", "Are you sure??"]),
        ('"Did you eat?" she asked. Fine.', []),
        ("‘Did you eat?’ she asked.", []),
        ("'Did you eat?' she asked.", []),
        ("You could say, “What do you need?” Does that help?", ["Does that help?"]),
        ("I can't tell, can you?", ["I can't tell, can you?"]),
        ("The dogs' bowls are empty? Yes.", ["The dogs' bowls are empty?"]),
        ("Visit https://x.com/?a=1 today.", []),
        ("```\nwhy?\n```\nOk?", ["Ok?"]),
        ("Use `x?` here.", []),
        ('Is it "fine"?', ['Is it "fine"?']),
        ("**Really?** Yes.", ["**Really?"]),
        ("Line one\nwhat now?", ["what now?"]),
        ('"What?" Why?', ["Why?"]),
        ('Ok. "Fine" is it?', ['"Fine" is it?']),
        ("Call `a.b()` now, ok?", ["Call `a.b()` now, ok?"]),
    ],
)
def test_questions(text: str, expected: list[str]) -> None:
    got = questions(text)
    assert got == expected
    assert all(q in text for q in got)


# --------------------------------------------------------------------------- counts


@pytest.mark.parametrize(
    ("lo", "hi", "text", "verdict"),
    [
        (None, 5, "one two three four five", True),
        (None, 5, "one two three four five six", False),
        (3, None, "one two", False),
        (2, 3, "one two — three", True),
        (0, 1, "", True),
    ],
)
def test_word_count(lo: int | None, hi: int | None, text: str, verdict: bool) -> None:
    r = check(WordCountCheck(type="word_count", min=lo, max=hi), text)
    assert r.verdict is verdict
    assert r.evidence == ""


def test_word_count_rationale_states_the_count() -> None:
    r = check(WordCountCheck(type="word_count", max=2), "a b c")
    assert r.rationale.startswith("3 words") and "at most 2" in r.rationale


@pytest.mark.parametrize(
    ("lo", "hi", "text", "verdict"),
    [
        (None, 2, "a\n\nb", True),
        (None, 2, "a\n\nb\n\nc", False),
        (3, None, "a\n\nb\n\n* * *", False),
        (1, 1, "a\nb\nc", True),
    ],
)
def test_paragraph_count(lo: int | None, hi: int | None, text: str, verdict: bool) -> None:
    assert (
        check(ParagraphCountCheck(type="paragraph_count", min=lo, max=hi), text).verdict is verdict
    )


Q3 = "Who? What? Where?"
Q1 = "I hear you. What was she like?"
Q0 = "That sounds hard."


@pytest.mark.parametrize(
    ("turn", "lo", "hi", "turns", "verdict"),
    [
        ("each", None, 2, [Q1, Q0, Q1], True),
        ("each", None, 2, [Q1, Q3], False),
        ("first", None, 2, [Q1, Q3], True),
        ("last", None, 2, [Q1, Q3], False),
        (1, None, 2, [Q1, Q3, Q0], False),
        (2, None, 2, [Q1, Q3, Q0], True),
        (-1, 1, None, [Q0, Q1], True),
        ("each", 1, None, [Q1, Q0], False),
        (0, 1, 1, [Q1], True),
    ],
)
def test_question_count(
    turn: typing.Any, lo: int | None, hi: int | None, turns: list[str], verdict: bool
) -> None:
    transcript, text = convo(*turns)
    c = QuestionCountCheck(type="question_count", min=lo, max=hi, turn=turn)
    assert check(c, text, transcript).verdict is verdict


def test_question_count_evidence_is_the_first_question_over_the_limit() -> None:
    transcript, text = convo(Q1, Q3)
    r = check(QuestionCountCheck(type="question_count", max=2), text, transcript)
    assert r.verdict is False
    assert r.evidence == "Where?"
    assert "assistant turn 2: 3 question(s)" in r.rationale


def test_question_count_turn_out_of_range_is_not_applicable() -> None:
    transcript, text = convo(Q1)
    r = check(QuestionCountCheck(type="question_count", max=2, turn=2), text, transcript)
    assert r.verdict is None
    assert "1 assistant turn" in r.rationale


def test_question_count_without_transcript_uses_the_text() -> None:
    r = run_check(QuestionCountCheck(type="question_count", max=2), [], Q3)
    assert r.verdict is False


# --------------------------------------------------------------------------- phrases

STOCK = ["a testament to", "tapestry of", "Elara", "don't worry"]


@pytest.mark.parametrize(
    ("text", "verdict", "evidence"),
    [
        ("She kept walking, though her knees shook.", True, ""),
        ("It stood as A Testament To courage.", False, "A Testament To"),
        ("a rich tapestry\nof  sound", False, "tapestry\nof"),
        ("Elara's lamp", False, "Elara"),
        ("Elaraine walked; Elaras too", True, ""),
        ("Don’t worry, it happens.", False, "Don’t worry"),
        ("contestament to nothing", True, ""),
        ("Elara then a testament to", False, "Elara"),  # the first in the text, not in the list
    ],
)
def test_banned_phrases(text: str, verdict: bool, evidence: str) -> None:
    r = check(BannedPhrasesCheck(type="banned_phrases", phrases=STOCK), text)
    assert r.verdict is verdict
    assert r.evidence == evidence


def test_banned_phrases_rationale_counts_every_phrase() -> None:
    r = check(BannedPhrasesCheck(type="banned_phrases", phrases=STOCK), "Elara, Elara, tapestry of")
    assert "'Elara' (2x)" in r.rationale and "'tapestry of' (1x)" in r.rationale


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("Free $0, Pro $8, Team $20", True),
        ("free, pro and team plans", True),
        ("Free, Provide, Teamwork", False),
        ("<h2>Free</h2><h2>Pro</h2>", False),
    ],
)
def test_required_phrases(text: str, verdict: bool) -> None:
    r = check(RequiredPhrasesCheck(type="required_phrases", phrases=["Free", "Pro", "Team"]), text)
    assert r.verdict is verdict
    if not verdict:
        assert "missing" in r.rationale and "'Team'" in r.rationale


# --------------------------------------------------------------------------- where the HTML is


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Here:\n```css\np{}\n```\n```html\n<p>a</p>\n```\n", "<p>a</p>\n"),
        ("```HTML\n<b>x</b>\n```", "<b>x</b>\n"),
        ("```\n<div>x</div>\n```", "<div>x</div>\n"),
        ("```js\nlet a = 1 < 2;\n```\n```\n<p>y</p>\n```", "<p>y</p>\n"),
        ("<!DOCTYPE html><title>t</title>", "<!DOCTYPE html><title>t</title>"),
        ("Plain <p>inline</p> html", "Plain <p>inline</p> html"),
        ("```html\n<p>cut off", "<p>cut off"),  # unclosed fence: runs to the end
        ("Use a <div> element.", None),
        ("No markup at all.", None),
        ("```python\nprint(1)\n```", None),
    ],
)
def test_extract_html(text: str, expected: str | None) -> None:
    got = extract_html(text)
    assert got == expected
    if got is not None:
        assert got in text


@pytest.mark.parametrize(
    "c",
    [
        HtmlElementsCheck(type="html_elements", required=["p"]),
        ImagesHaveAltCheck(type="images_have_alt"),
        InputsHaveLabelsCheck(type="inputs_have_labels"),
        ContrastCheck(type="contrast"),
    ],
)
def test_html_checks_without_html_are_not_met(c: typing.Any) -> None:
    r = check(c, "Sorry, I can only describe the page in words.")
    assert r.verdict is False
    assert r.rationale == NO_HTML


def test_implied_html_and_body_wrappers() -> None:
    doc = parse_html("<style>p{}</style><p>Hi</p> loose text")
    assert doc.root.tag == "html" and doc.root.synthetic
    body = next(e for e in doc.elements() if e.tag == "body")
    assert [c.tag for c in body.children] == ["style", "p"]
    assert "loose text" in body.text
    assert doc.styles == ["p{}"]


# --------------------------------------------------------------------------- HTML checks

FORM = "```html\n{}\n```"


@pytest.mark.parametrize(
    ("html", "verdict", "missing"),
    [
        ("<form><input name=a><button>Go</button></form>", True, ""),
        ("<FORM><INPUT><BUTTON>Go</BUTTON></FORM>", True, ""),
        ("<div class=form><input><button>Go</button></div>", False, "<form>"),
        ("<form><input></form>", False, "<button>"),
    ],
)
def test_html_elements(html: str, verdict: bool, missing: str) -> None:
    c = HtmlElementsCheck(type="html_elements", required=["form", "input", "button"])
    r = check(c, FORM.format(html))
    assert r.verdict is verdict
    assert missing in r.rationale


def test_html_elements_implied_body_does_not_count() -> None:
    c = HtmlElementsCheck(type="html_elements", required=["body"])
    assert check(c, FORM.format("<p>x</p>")).verdict is False
    assert check(c, FORM.format("<body><p>x</p></body>")).verdict is True


@pytest.mark.parametrize(
    ("html", "verdict", "evidence"),
    [
        ("<p>No images</p>", True, ""),
        ('<img src="a.png" alt="Revenue grew 20% in May">', True, ""),
        ('<img src="a.png">', False, '<img src="a.png">'),
        (
            '<img src="ok.png" alt="Logo"><img src="b.png" alt="">',
            False,
            '<img src="b.png" alt="">',
        ),
        ('<img src="b.png" alt="" role="presentation">', True, ""),
        ('<img src="b.png" alt="" role="none"/>', True, ""),
        ('<img src="b.png" alt="  ">', False, '<img src="b.png" alt="  ">'),
        ('<img src="b.png" role="presentation">', False, '<img src="b.png" role="presentation">'),
    ],
)
def test_images_have_alt(html: str, verdict: bool, evidence: str) -> None:
    r = check(ImagesHaveAltCheck(type="images_have_alt"), FORM.format(html))
    assert r.verdict is verdict
    assert r.evidence == evidence


@pytest.mark.parametrize(
    ("html", "verdict", "evidence"),
    [
        ("<p>No form</p>", True, ""),
        ('<label for="e">Email</label><input id="e" type="email">', True, ""),
        ("<label>Email <input type=email></label>", True, ""),
        ('<input type="email" aria-label="Email">', True, ""),
        ('<span id="l">Email</span><input aria-labelledby="l">', True, ""),
        ('<input aria-labelledby="nowhere">', False, '<input aria-labelledby="nowhere">'),
        (
            '<input type="email" placeholder="Email">',
            False,
            '<input type="email" placeholder="Email">',
        ),
        ('<input type="email" title="Email">', False, '<input type="email" title="Email">'),
        (
            '<input type="hidden" name="t"><input type="submit" value="Go"><button>b</button>',
            True,
            "",
        ),
        ('<input type="text" hidden>', True, ""),
        ("<select><option>A</option></select>", False, "<select>"),
        ('<label for="m">Msg</label><textarea id="m"></textarea>', True, ""),
        ('<label for="x">A</label><input id="y">', False, '<input id="y">'),
    ],
)
def test_inputs_have_labels(html: str, verdict: bool, evidence: str) -> None:
    r = check(InputsHaveLabelsCheck(type="inputs_have_labels"), FORM.format(html))
    assert r.verdict is verdict
    assert r.evidence == evidence


def test_contrast_check_reports_every_pair_and_the_worst_declaration() -> None:
    html = (
        "<style>body{background:#fff;color:#222} .muted{color: #777} "
        ".ok{color:#767676}</style><p>fine</p><p class=muted>faint</p><p class=ok>ok</p>"
    )
    r = check(ContrastCheck(type="contrast", min_ratio=4.5), FORM.format(html))
    assert r.verdict is False
    assert r.evidence == "color: #777"
    assert "3 text/background pair(s)" in r.rationale and "1 below it" in r.rationale
    assert "4.48:1 ✗" in r.rationale and "4.54:1" in r.rationale
    assert check(ContrastCheck(type="contrast", min_ratio=4.4), FORM.format(html)).verdict is True


def test_contrast_check_vacuous_when_no_text_colour() -> None:
    r = check(ContrastCheck(type="contrast"), FORM.format("<p>plain</p>"))
    assert r.verdict is True
    assert "vacuously met" in r.rationale


def test_implied_end_tags() -> None:
    doc = parse_html("<ul><li>a<li>b</ul><p>one<p>two<div>three</div><table><tr><td>x<td>y</table>")
    body = next(e for e in doc.elements() if e.tag == "body")
    assert [c.tag for c in body.children] == ["ul", "p", "p", "div", "table"]
    assert [c.tag for c in body.children[0].children] == ["li", "li"]
    tr = next(e for e in doc.elements() if e.tag == "tr")
    assert [c.tag for c in tr.children] == ["td", "td"]


@pytest.mark.parametrize(
    "html",
    [
        "<style>body{color:#333} *{background:inherit}</style>" + "<div>x" * 3000,
        "<style>div{--a:#fff} p{color:var(--a)} div div span{color:#000}</style>"
        + "<div><span>t</span>" * 3000,
    ],
)
def test_deeply_nested_pages_do_not_hit_the_recursion_limit(html: str) -> None:
    for c in (
        ContrastCheck(type="contrast"),
        InputsHaveLabelsCheck(type="inputs_have_labels"),
        HtmlElementsCheck(type="html_elements", required=["div"]),
    ):
        assert check(c, FORM.format(html)).verdict is not None


SKELETON = "```html\n<!DOCTYPE html><html><head><title></title></head><body></body></html>\n```"
ABSENT_CHECKS = [  # (check class, type, what is absent, suite 1.x's rationale for "met")
    (ImagesHaveAltCheck, "images_have_alt", "no <img> elements", "so nothing lacks alt text"),
    (
        InputsHaveLabelsCheck,
        "inputs_have_labels",
        "no visible form controls",
        "so none lacks a label",
    ),
    (
        ContrastCheck,
        "contrast",
        "no text colour in the CSS could be paired with a background",
        "so nothing fails (vacuously met)",
    ),
]


@pytest.mark.parametrize(("kind", "typ", "what", "vacuous"), ABSENT_CHECKS)
def test_what_a_check_decides_when_the_page_has_none_of_its_elements(
    kind: typing.Any, typ: str, what: str, vacuous: str
) -> None:
    """`when_absent` says it: not applicable (the brief does not ask for them), not met (it
    does), or met (suite 1.x's behaviour, the default, unchanged to the word)."""
    legacy = check(kind(type=typ), SKELETON)
    assert legacy.verdict is True and legacy.applicable
    assert legacy.rationale.startswith(f"{what}, {vacuous}")
    na = check(kind(type=typ, when_absent="not_applicable"), SKELETON)
    assert na.verdict is None and not na.applicable and na.rationale.startswith(what)
    required = check(kind(type=typ, when_absent="not_met"), SKELETON)
    assert required.verdict is False and required.applicable
    assert required.rationale.startswith(what) and "requires" in required.rationale
    # An empty response is never met, whatever the item says about absent elements.
    for when in ("met", "not_met", "not_applicable"):
        empty = run_check(kind(type=typ, when_absent=when), [], "")
        assert empty.verdict is False and empty.rationale == NO_HTML


def test_when_absent_does_not_change_a_page_that_has_the_elements() -> None:
    page = FORM.format('<img src="a.png"><label for="e">Email</label><input id="e">')
    for when in ("met", "not_met", "not_applicable"):
        assert (
            check(ImagesHaveAltCheck(type="images_have_alt", when_absent=when), page).verdict
            is False
        )
        labels = InputsHaveLabelsCheck(type="inputs_have_labels", when_absent=when)
        assert check(labels, page).verdict is True


def test_question_count_any_turn_for_a_failure_item() -> None:
    """turn "any": met when at least one turn is within the bounds, e.g. the failure item
    "A reply asks three or more questions" is {min: 3, turn: any}."""
    transcript, text = convo("Fine. Really?", "Why? How? When? And you?", "Okay.")
    r = check(QuestionCountCheck(type="question_count", min=3, turn="any"), text, transcript)
    assert r.verdict is True and r.evidence == "When?"
    assert (
        "in at least one turn" in r.rationale and "assistant turn 2: 4 question(s)" in r.rationale
    )
    calm, calm_text = convo("Fine. Really?", "Okay.")
    assert (
        check(QuestionCountCheck(type="question_count", min=3, turn="any"), calm_text, calm).verdict
        is False
    )
    # "each" is unchanged: every turn within the bounds.
    each = check(QuestionCountCheck(type="question_count", max=2, turn="each"), text, transcript)
    assert each.verdict is False and each.evidence == "When?"


def test_word_count_any_turn() -> None:
    long_reply = " ".join(["word"] * 300)
    transcript, text = convo("Short.", long_reply)
    over = WordCountCheck(type="word_count", min=251, turn="any")
    assert check(over, text, transcript).verdict is True
    short_transcript, short_text = convo("Short.", "Also short.")
    assert check(over, short_text, short_transcript).verdict is False
