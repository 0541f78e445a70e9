"""The `alignment` check on fixture pages whose boxes are fixed by their CSS, so the expected
edges and gaps are computed by hand in each test; rendered by the real chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from benchmark.analysis.selectors import select
from benchmark.checks import run_check
from benchmark.checks.render import align, store
from benchmark.checks.render.browser import ChromiumNotFound
from benchmark.checks.render.records import RenderFacts
from benchmark.records.check_models_rendered import AlignmentCheck
from tests.browser.render.support import renderer_fixture


@pytest.fixture(scope="module")
def renderer() -> Iterator[object]:
    yield from renderer_fixture(pages=1)


def render(renderer: object, html: str, tmp_path: Path) -> RenderFacts:
    return renderer.render(html, tmp_path)  # type: ignore[attr-defined,no-any-return]


def check(**kwargs: object) -> AlignmentCheck:
    return AlignmentCheck.model_validate({"type": "alignment", **kwargs})


BUTTONS = [{"label": "the sign-up buttons", "selector": "a.cta"}]


def buttons_page(third_top: int) -> str:
    # Three 120x40 links, absolutely placed: tops 100, 100 and `third_top` px.
    style = "position:absolute; width:120px; height:40px; display:block"
    return f"""<!doctype html><html lang="en"><head><title>b</title></head><body style="margin:0">
<a class="cta" href="#f" style="{style}; left:0; top:100px">Start free</a>
<a class="cta" href="#p" style="{style}; left:200px; top:100px">Choose Pro</a>
<a class="cta" href="#t" style="{style}; left:400px; top:{third_top}px">Choose Team</a>
</body></html>"""


@pytest.mark.browser
@pytest.mark.parametrize(
    ("third_top", "met", "spread"),
    [(100, True, None), (101, True, None), (105, False, "5.0 px apart")],
)
def test_buttons_on_one_line(
    renderer: object, tmp_path: Path, third_top: int, met: bool, spread: str | None
) -> None:
    facts = render(renderer, buttons_page(third_top), tmp_path)
    wf = facts.at(1280)
    assert wf is not None
    tops = sorted(wf.boxes[i].box.y for i in select("a.cta", wf.boxes))
    assert tops == [100, 100, third_top]  # measured = placed
    result = align.alignment(check(members=BUTTONS, share=["top", "bottom"], tolerance=2), facts)
    assert result.verdict is met, result.rationale
    if spread:
        # Tops 100, 100, 105 and bottoms 140, 140, 145: both lines 5 px apart, 2 allowed.
        assert f"at 1280 px the top edges are {spread} (at most 2 px allowed)" in result.rationale
        assert "the bottom edges are 5.0 px apart" in result.rationale
        assert "'Choose Team' (body > a:nth-of-type(3)) 5.0 px lower than 'Choose Pro'" in (
            result.rationale
        )
        assert "'Choose Team' (body > a:nth-of-type(3)) at 105.0 px" in result.rationale
        assert result.evidence == "Choose Team"
    else:
        assert "aligned within 2 px" in result.rationale
    # No tolerance: 1 px off is off.
    strict = align.alignment(check(members=BUTTONS, share=["top"], tolerance=0), facts)
    assert strict.verdict is (third_top == 100)


WRAP_PAGE = """<!doctype html><html lang="en"><head><title>w</title><style>
body { margin: 0; } .row { display: flex; flex-wrap: wrap; }
.item { width: 150px; height: 40px; margin-right: 10px; flex: none; }
</style></head><body><div class="row">
<button class="item">Add one</button><button class="item">Add two</button>
<button class="item">Add three</button></div></body></html>"""


@pytest.mark.browser
def test_wrapped_at_375(renderer: object, tmp_path: Path) -> None:
    facts = render(renderer, WRAP_PAGE, tmp_path)
    members = [{"label": "the buttons", "selector": "button"}]
    # Each takes 160 px (150 + 10 margin): 3 x 160 = 480 fits 768 and 1280 but not 375, where
    # two fit (320 px) and the third wraps to the next line, 40 px lower.
    one_line = check(members=members, share=["top"], widths=[375, 768, 1280])
    result = align.alignment(one_line, facts)
    assert result.verdict is False
    assert "at 375 px the top edges are 40.0 px apart" in result.rationale
    assert "768 px the top" not in result.rationale and "1280 px the top" not in result.rationale
    # Row by row, the wrapped one is a row of its own: aligned.
    by_row = check(members=members, share=["top"], rows=True, widths=[375, 1280])
    assert align.alignment(by_row, facts).verdict is True
    # Gaps across: 10 px between each pair at 1280 (lefts 0, 160, 320; widths 150).
    gaps = check(members=members, equal_gaps="across", widths=[1280], tolerance=0)
    assert align.alignment(gaps, facts).verdict is True


DASHBOARD = """<!doctype html><html lang="en"><head><title>d</title><style>
body {{ margin: 0; }} .content {{ padding: 24px; }}
.kpis {{ display: grid; grid-template-columns: repeat(4, 1fr); gap: 16px; }}
.kpi {{ border: 1px solid #ccc; }} .kpi p {{ margin: 4px; }}
.chart {{ margin: 16px {chart_margin}px 0; border: 1px solid #ccc; }}
{extra}
</style></head><body><main class="content"><div class="kpis">
<div class="kpi"><p>Revenue</p><p>$12,480</p>{note}</div>
<div class="kpi"><p>Orders</p><p>342</p></div>
<div class="kpi"><p>Average order</p><p>$36.49</p></div>
<div class="kpi"><p>Returning customers</p><p>41%</p></div>
</div><div class="chart"><svg viewBox="0 0 100 40" width="300" height="120"
role="img" aria-label="revenue"><rect width="20" height="40"/></svg></div></main></body></html>"""
KPIS = {"label": "the KPI cards", "text": ["$12,480", "342", "$36.49", "41%"], "card": True}
CHART = {"label": "the chart", "selector": "svg", "card": True}


@pytest.mark.browser
def test_kpi_row_and_chart_share_edges(renderer: object, tmp_path: Path) -> None:
    edges = check(members=[KPIS, CHART], share=["left", "right"])
    flush = render(renderer, DASHBOARD.format(chart_margin=0, extra="", note=""), tmp_path / "a")
    # Content box of main: 24 to 1280 - 24 = 1256 px; the KPI row and the chart card both
    # span it (the chart's card is .chart: its parent also holds the KPI figures).
    assert align.alignment(edges, flush).verdict is True
    inset = render(renderer, DASHBOARD.format(chart_margin=40, extra="", note=""), tmp_path / "b")
    result = align.alignment(edges, inset)
    # margin 0 40px: the chart card spans 64 to 1216 px, 40 px in on each side.
    assert result.verdict is False
    assert "the left edges are 40.0 px apart" in result.rationale
    assert "the right edges are 40.0 px apart" in result.rationale
    assert (
        "the chart (body > main > div:nth-of-type(2)) 40.0 px further right than the "
        "KPI cards (body > main > div:nth-of-type(1) > div:nth-of-type(1) and 3 more)"
    ) in result.rationale


@pytest.mark.browser
def test_equal_gaps_between_cards(renderer: object, tmp_path: Path) -> None:
    gaps = check(members=[{**KPIS, "label": "the KPI cards"}], equal_gaps="across")
    even = render(renderer, DASHBOARD.format(chart_margin=0, extra="", note=""), tmp_path / "a")
    assert align.alignment(gaps, even).verdict is True  # 16 px grid gaps
    # The third card's left margin of 8 px narrows it inside its track: the gap before it is
    # 16 + 8 = 24 px, the others 16.
    uneven = render(
        renderer,
        DASHBOARD.format(
            chart_margin=0,
            extra=".kpi:nth-child(3) { margin-left: 8px; }",
            # A second holder of "$12,480" in the same card: one card, not two.
            note="<small>last period: $12,480</small>",
        ),
        tmp_path / "b",
    )
    result = align.alignment(gaps, uneven)
    assert result.verdict is False
    assert "the gaps across are unequal, 16.0 px to 24.0 px" in result.rationale
    assert "(4 compared at 1280 px)" in result.rationale
    # Equal widths: main's content box is 1280 - 2 x 24 = 1232 px; less three 16 px gaps, four
    # tracks of 296 px. The margin narrows the third card to 288 px.
    sizes = check(members=[KPIS], share=["width"])
    assert align.alignment(sizes, even).verdict is True
    narrow = align.alignment(sizes, uneven)
    assert "the widths are 8.0 px apart" in narrow.rationale
    assert (
        "'Average order $36.49' (body > main > div:nth-of-type(1) > div:nth-of-type(3)) 8.0 px "
        "narrower than 'Revenue $12,480 last period: $12,480'"
    ) in narrow.rationale


@pytest.mark.browser
def test_one_row_and_one_column(renderer: object, tmp_path: Path) -> None:
    facts = render(renderer, WRAP_PAGE, tmp_path)
    members = [{"label": "the buttons", "selector": "button"}]
    row = check(members=members, layout="one_row", widths=[768, 1280])
    assert align.alignment(row, facts).verdict is True
    # At 375 the third wraps under the first: lefts 0, 160, 0; tops 0, 0, 40.
    phone_row = align.alignment(check(members=members, layout="one_row", widths=[375]), facts)
    assert phone_row.verdict is False
    assert "at 375 px they are not side by side in one row: 'Add three'" in phone_row.rationale
    assert "is not beside 'Add one'" in phone_row.rationale
    column = align.alignment(check(members=members, layout="one_column", widths=[375]), facts)
    assert "at 375 px they are not stacked in one column: 'Add two'" in column.rationale
    assert "sits beside 'Add one'" in column.rationale


@pytest.mark.browser
def test_a_missing_element_is_not_met(renderer: object, tmp_path: Path) -> None:
    facts = render(renderer, buttons_page(100), tmp_path)
    result = align.alignment(check(members=[*BUTTONS, CHART], share=["left"]), facts)
    assert result.verdict is False
    assert result.rationale == "at 1280 px the chart (svg) was not found on the page: not met"
    few = check(members=BUTTONS, share=["top"], min_count=4)
    assert "only 3 of the sign-up buttons found" in align.alignment(few, facts).rationale


def test_without_chromium_the_item_is_not_judged(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def missing() -> None:
        raise ChromiumNotFound("chromium not found at /usr/bin/chromium (install ...)")

    monkeypatch.setattr(store, "shared_renderer", missing)
    with store.using(tmp_path):
        result = run_check(check(members=BUTTONS, share=["top"]), [], "```html\n<p>x</p>\n```")
    assert result.verdict is None
    assert result.rationale.startswith("visual checks not run: chromium not found")


@pytest.mark.parametrize(
    ("members", "extra", "field"),
    [
        ([{"label": "x", "selector": "div > p"}], {"share": ["top"]}, "members.0.selector"),
        ([{"label": "x", "selector": "a[href"}], {"share": ["top"]}, "members.0.selector"),
        ([{"label": "", "selector": "a"}], {"share": ["top"]}, "members.0.label"),
        ([{"label": "x", "text": ""}], {"share": ["top"]}, "members.0.text"),
        ([{"label": "x"}], {"share": ["middle"]}, "share.0"),
        ([{"label": "x"}], {}, "share"),
    ],
)
def test_declarations_are_checked_when_the_suite_loads(
    members: list[dict[str, object]], extra: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as err:
        check(members=members, **extra)
    message = str(err.value)
    assert field in message or (field == "share" and "needs `share`" in message)
