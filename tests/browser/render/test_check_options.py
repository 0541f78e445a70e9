"""Options of the rendered checks that the suite's items use, on hand-made facts (no browser):
target_size restricted to the targets an item names (`only`), and the failure-item forms of
visible_focus and no_horizontal_overflow (`met_when`); the selector subset and whole-word
phrases the alignment members use."""

from __future__ import annotations

from benchmark.analysis.selectors import select
from benchmark.checks.render import decide, members
from benchmark.checks.render.records import (
    Box,
    ElementBox,
    FocusStop,
    Offender,
    Overflow,
    RenderFacts,
    TargetFact,
    TextFact,
    WidthFacts,
)
from benchmark.records.check_models_rendered import (
    AlignMember,
    NoHorizontalOverflowCheck,
    TargetSizeCheck,
    VisibleFocusCheck,
)


def el(selector: str, tag: str, y: float, h: float, text: str = "", **kw: object) -> ElementBox:
    return ElementBox(selector=selector, tag=tag, box=Box(x=0, y=y, w=200, h=h), text=text, **kw)


# A phone page: a Menu button 36 px tall, a Sign in link 48 px tall, far apart.
BOXES = [
    el("header", "header", 0, 60),
    el("header > button", "button", 12, 36, "Menu", parent=0, classes=["menu", "btn"]),
    el("main", "main", 100, 400),
    el("main > a", "a", 120, 48, "Sign in", parent=2, attrs={"href": "#in"}),
]
TARGETS = [
    TargetFact(selector="header > button", tag="button", text="Menu", box=BOXES[1].box),
    TargetFact(selector="main > a", tag="a", text="Sign in", box=BOXES[3].box),
]
TEXT = TextFact(
    selector="main > a", tag="a", text="Sign in", box=BOXES[3].box, color=(0, 0, 0, 1),
    layers=[[(255, 255, 255, 1)]], font_size=16, font_weight=400,
)  # fmt: skip


def facts(**width: object) -> RenderFacts:
    wf = WidthFacts(width=375, boxes=BOXES, targets=TARGETS, texts=[TEXT], **width)  # type: ignore[arg-type]
    return RenderFacts(html_sha256="0", chromium="x", widths=[wf], focus_width=1280)


def test_selectors_over_recorded_elements() -> None:
    assert select("button.menu", BOXES) == [1]
    assert select("header .btn, a[href]", BOXES) == [1, 3]
    assert select("main button", BOXES) == []  # the button is in the header
    assert select('a[href="#in"]', BOXES) == [3]


def test_phrases_match_whole_words() -> None:
    boxes = [el("p:nth-of-type(1)", "p", 0, 10, "15 minutes"), el("p", "p", 20, 10, "5 minutes")]
    assert members.find(AlignMember(label="x", text="5 min"), boxes) == {}
    assert list(members.find(AlignMember(label="x", text="5 minutes"), boxes)) == [1]
    prices = [el("a", "p", 0, 10, "$80 a year"), el("b", "p", 20, 10, "$8 a month")]
    assert list(members.find(AlignMember(label="x", text="$8"), prices)) == [1]


def test_target_size_on_the_named_targets_only() -> None:
    menu = AlignMember(label="the Menu button", selector="button", text="Menu")
    check = TargetSizeCheck(type="target_size", min_size=44, spacing_exception=False, only=menu)
    result = decide.target_size(check, facts())
    # Menu: 200 x 36 < 44 tall; the 48 px link is not the item's business.
    assert result.verdict is False
    assert result.rationale.startswith("the Menu button: 1 target(s) at 375 px")
    assert "200.0x36.0 px" in result.rationale and "Sign in" not in result.rationale
    link = AlignMember(label="the sign-in link", selector="a[href]")
    assert decide.target_size(check.model_copy(update={"only": link}), facts()).verdict is True
    # A named link inside a sentence is judged all the same (WCAG would exempt it).
    inline = [
        t.model_copy(update={"inline": True, "box": Box(x=0, y=120, w=40, h=18)}) for t in TARGETS
    ]
    small = facts().model_copy(
        update={"widths": [facts().widths[0].model_copy(update={"targets": inline})]}
    )
    named = decide.target_size(check.model_copy(update={"only": link}), small)
    assert named.verdict is False and "40.0x18.0 px" in named.rationale
    assert decide.target_size(TargetSizeCheck(type="target_size"), small).verdict is True
    gone = AlignMember(label="the Close button", selector="button", text="Close")
    missing = decide.target_size(check.model_copy(update={"only": gone}), facts())
    assert missing.verdict is False and "the Close button (button holding 'Close')" in (
        missing.rationale
    )


def stop(visible: bool) -> FocusStop:
    none = {"outline-style": "none", "outline-width": "0px", "box-shadow": "none"}
    after = {**none, "box-shadow": "0 0 0 3px blue"} if visible else none
    return FocusStop(selector="a", tag="a", box=Box(x=0, y=0, w=1, h=1), before=none, after=after)


def test_focus_failure_item_is_met_when_a_stop_hides_focus() -> None:
    failure = VisibleFocusCheck(type="visible_focus", met_when="any_hidden")
    shown = facts().model_copy(update={"focus": [stop(True), stop(True)]})
    hidden = facts().model_copy(update={"focus": [stop(True), stop(False)]})
    assert decide.visible_focus(failure, shown).verdict is False
    assert decide.visible_focus(failure, hidden).verdict is True
    nothing = facts().model_copy(update={"focus": []})
    assert decide.visible_focus(failure, nothing).verdict is False
    unmeasured = facts().model_copy(update={"focus": None, "focus_error": "tab hung"})
    assert decide.visible_focus(failure, unmeasured).verdict is None


def test_overflow_failure_item_is_met_when_the_page_overflows() -> None:
    failure = NoHorizontalOverflowCheck(type="no_horizontal_overflow", met_when="overflows")
    fits = facts(overflow=Overflow(viewport_width=375, scroll_width=375))
    wide = facts(
        overflow=Overflow(
            viewport_width=375,
            scroll_width=420,
            offenders=[Offender(selector="aside", box=Box(x=0, y=0, w=420, h=10))],
        )
    )
    assert decide.horizontal_overflow(failure, fits).verdict is False
    over = decide.horizontal_overflow(failure, wide)
    assert over.verdict is True and "aside reaches 420 px" in over.rationale
    blank = facts(overflow=None)
    assert decide.horizontal_overflow(failure, blank).verdict is False
