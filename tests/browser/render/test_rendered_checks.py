"""The rendered-page checks on fixture pages whose answers are computed by hand below (WCAG 2.x
contrast maths, WCAG 2.5.8 target spacing), then through `run_check` on a model response."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmark.checks.render import decide
from benchmark.checks.render.records import RenderFacts, TextFact
from benchmark.records.check_models_rendered import (
    AxeRuleCheck,
    NoHorizontalOverflowCheck,
    RenderedContrastCheck,
    TargetSizeCheck,
    TextNotClippedCheck,
    VisibleFocusCheck,
)
from tests.browser.render.support import renderer_fixture

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def renderer() -> Iterator[object]:
    yield from renderer_fixture(pages=1)


def render(renderer: object, html: str, tmp_path: Path) -> RenderFacts:
    return renderer.render(html, tmp_path)  # type: ignore[attr-defined,no-any-return]


def text(facts: RenderFacts, width: int, element_id: str) -> TextFact:
    w = facts.at(width)
    assert w is not None
    return next(t for t in w.texts if t.selector.endswith(f"#{element_id}"))


CONTRAST_PAGE = """<!doctype html><html lang="en"><head><title>c</title></head>
<body style="margin:0; font-size:16px">
<p id="grey" style="color:#777">grey body text</p>
<h2 id="large" style="color:#777; font-size:24px; font-weight:400">grey large text</h2>
<p id="half" style="color:rgba(0,0,0,0.5)">half-transparent black</p>
<div style="position:relative; height:40px">
  <div style="position:absolute; inset:0; background:#000"></div>
  <span id="over" style="position:relative; color:#fff">white over a black box that is not its parent</span>
</div>
<div style="background:linear-gradient(#000, #767676); padding:8px">
  <p id="grad" style="color:#fff; margin:0">white on a gradient</p>
</div>
<div style="background:url(data:image/gif;base64,R0lGODlhAQABAAAAACw=)"><p id="img">on an image</p></div>
</body></html>"""


def test_contrast_from_computed_colours_over_the_real_background(renderer, tmp_path: Path) -> None:
    facts = render(renderer, CONTRAST_PAGE, tmp_path)
    # Relative luminance L of an sRGB channel value v: s = v/255, lin = ((s+0.055)/1.055)^2.4
    # (s > 0.04045); ratio = (L1 + 0.05) / (L2 + 0.05).
    # #777: s = 119/255 = 0.46667, lin = 0.49447^2.4 = 0.18447; on white: 1.05/0.23447 = 4.478.
    assert decide.text_contrast(text(facts, 1280, "grey")) == pytest.approx(4.478, abs=0.001)
    # rgba(0,0,0,0.5) over white = 127.5 grey: s = 0.5, lin = 0.52607^2.4 = 0.21404;
    # 1.05/0.26404 = 3.977.
    assert decide.text_contrast(text(facts, 1280, "half")) == pytest.approx(3.977, abs=0.001)
    # White over the black box painted behind it (not an ancestor): 1.05/0.05 = 21.
    assert decide.text_contrast(text(facts, 1280, "over")) == pytest.approx(21.0, abs=0.001)
    # White over the gradient's stops #000 (21) and #767676 (s = 0.46275, lin = 0.18116;
    # 1.05/0.23116 = 4.542): the worst stop counts.
    assert decide.text_contrast(text(facts, 1280, "grad")) == pytest.approx(4.542, abs=0.001)
    assert text(facts, 1280, "img").blocked is not None  # over an image: not judged

    result = decide.contrast(RenderedContrastCheck(type="rendered_contrast"), facts)
    # Failing: #grey (4.478 < 4.5) and #half (3.977 < 4.5), at each of the three widths; #large
    # is 24 px, so 4.478 >= 3 passes; #over (21) and #grad (4.542) pass.
    assert result.verdict is False
    assert "2 element(s) below (6 text-width pairs)" in result.rationale
    assert "p#half 'half-transparent black' 3.98:1" in result.rationale
    assert "h2#large" not in result.rationale
    assert "p#img" in result.rationale and "Not judged" in result.rationale
    assert result.evidence == "half-transparent black"

    lenient = RenderedContrastCheck(type="rendered_contrast", min_ratio=3.9, widths=[375])
    assert decide.contrast(lenient, facts).verdict is True


TARGETS_PAGE = """<!doctype html><html lang="en"><head><title>t</title><style>
body { margin: 0; } button { position: absolute; padding: 0; border: 0; box-sizing: border-box; }
</style></head><body>
<button id="big" style="left:300px; top:0; width:44px; height:44px">Big</button>
<button id="a" style="left:0; top:100px; width:20px; height:20px">a</button>
<button id="b" style="left:20px; top:100px; width:20px; height:20px">b</button>
<button id="c" style="left:0; top:200px; width:20px; height:20px">c</button>
<button id="d" style="left:30px; top:200px; width:20px; height:20px">d</button>
<button id="e" style="left:0; top:260px; width:20px; height:20px">e</button>
<button id="f" style="left:22px; top:260px; width:20px; height:20px">f</button>
<button id="lonely" style="left:200px; top:400px; width:16px; height:16px">l</button>
<p style="position:absolute; top:500px; margin:0">Read the <a href="#t">terms</a> first.
<input type="checkbox" id="cb"></p>
</body></html>"""


def test_target_size_with_the_spacing_exception(renderer, tmp_path: Path) -> None:
    facts = render(renderer, TARGETS_PAGE, tmp_path)
    result = decide.target_size(TargetSizeCheck(type="target_size"), facts)
    # Centres (x+10, y+10) of the 20 px buttons; circle radius 12:
    # a (10,110): b's box starts at x=20, 10 px away < 12 -> fails; b likewise (30-20 = 10).
    # c (10,210): d's box starts at x=30, 20 px away >= 12; centres 30 apart >= 24 -> passes;
    #   d likewise (40-20 = 20 px to c's box).
    # e (10,270): f's box starts at x=22, 12 px away: touching, not meeting; but centres
    #   (10,270) and (32,270) are 22 < 24 apart: their circles meet -> fails; f likewise.
    # lonely (208,408), 16 px: nothing within 24 px -> passes. big is 44x44. The link inside the
    # sentence and the browser-drawn checkbox are exempt.
    at375 = facts.at(375)
    assert at375 is not None
    failing = {t.selector for t, _ in decide.target_failures(at375.targets, 24)}
    assert failing == {"button#a", "button#b", "button#e", "button#f"}
    assert result.verdict is False
    assert "4 too small" in result.rationale and "(2 exempt" in result.rationale


OVERFLOW_PAGES = {
    "wide": ('<div style="width:500px">a 500 px box</div>', False),
    "scroller": (
        '<div style="overflow-x:auto"><table style="width:900px"><tr><td>wide table</td></tr>'
        "</table></div>",
        True,
    ),
    "drawer": (
        '<style>body{overflow-x:hidden}</style><p>text</p><nav style="position:absolute; '
        'top:0; left:100%; width:300px">an off-canvas menu</nav>',
        True,
    ),
    "cut": (
        '<style>body{overflow-x:hidden}</style><p style="width:600px">a line of words '
        "wider than the phone, cut at its right edge by the page</p>",
        False,
    ),
}


@pytest.mark.parametrize("name", sorted(OVERFLOW_PAGES))
def test_no_horizontal_overflow_at_375(renderer, tmp_path: Path, name: str) -> None:
    body, met = OVERFLOW_PAGES[name]
    facts = render(renderer, f"<!doctype html><body>{body}</body>", tmp_path)
    result = decide.horizontal_overflow(
        NoHorizontalOverflowCheck(type="no_horizontal_overflow"), facts
    )
    assert result.verdict is met, result.rationale


FOCUS_PAGE = """<!doctype html><html lang="en"><head><title>f</title><style>
#bad:focus { outline: none; }
#ring:focus { outline: none; box-shadow: 0 0 0 3px #1a73e8; }
</style></head><body>
<a id="plain" href="#x">default ring</a>
<button id="bad">no focus style</button>
<button id="ring">shadow ring</button>
<span tabindex="-1">not in the tab order</span>
</body></html>"""


def test_visible_focus_found_by_tabbing(renderer, tmp_path: Path) -> None:
    facts = render(renderer, FOCUS_PAGE, tmp_path)
    assert facts.focus is not None
    assert [s.selector for s in facts.focus] == ["a#plain", "button#bad", "button#ring"]
    assert [decide.focus_visible(s) for s in facts.focus] == [True, False, True]
    result = decide.visible_focus(VisibleFocusCheck(type="visible_focus"), facts)
    assert result.verdict is False and "button#bad" in result.rationale


CLIP_PAGE = """<!doctype html><body>
<div id="box" style="width:100px; overflow:hidden; white-space:nowrap">A long sentence that does not fit</div>
<div style="width:100px; overflow:hidden; white-space:nowrap; text-overflow:ellipsis">Truncated with an ellipsis on purpose</div>
<span style="position:absolute; width:1px; height:1px; overflow:hidden; clip:rect(0 0 0 0)">screen-reader text</span>
</body>"""


def test_clipped_text(renderer, tmp_path: Path) -> None:
    facts = render(renderer, CLIP_PAGE, tmp_path)
    result = decide.clipped_text(TextNotClippedCheck(type="text_not_clipped"), facts)
    assert result.verdict is False
    assert "3 text(s) cut off" in result.rationale  # the first box, at each of the 3 widths
    assert "screen-reader" not in result.rationale and "ellipsis" not in result.rationale
    strict = TextNotClippedCheck(type="text_not_clipped", allow_ellipsis=False, widths=[375])
    assert "2 text(s) cut off" in decide.clipped_text(strict, facts).rationale


def test_axe_rules_with_the_failing_selector(renderer, tmp_path: Path) -> None:
    facts = render(renderer, '<!doctype html><body><img src="data:,"><p>x</p></body>', tmp_path)
    no_lang = decide.axe_rule(AxeRuleCheck(type="axe_rule", rule="html-has-lang"), facts)
    assert no_lang.verdict is False and "fails on: html" in no_lang.rationale
    alt = decide.axe_rule(AxeRuleCheck(type="axe_rule", rule="image-alt"), facts)
    assert alt.verdict is False and "fails on: img" in alt.rationale
    title = decide.axe_rule(AxeRuleCheck(type="axe_rule", rule="video-caption"), facts)
    assert title.verdict is None and title.applicable is False  # no <video>: not applicable
    good = render(renderer, '<!doctype html><html lang="en"><body><p>x</p></body></html>', tmp_path)
    assert (
        decide.axe_rule(AxeRuleCheck(type="axe_rule", rule="html-has-lang"), good).verdict is True
    )
