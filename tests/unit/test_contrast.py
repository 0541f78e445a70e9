"""WCAG 2.x contrast maths against published values and hand computation; CSS colour parsing;
text/background pair resolution."""

from __future__ import annotations

import pytest

from benchmark.analysis._css import parse_selector
from benchmark.analysis.contrast import (
    Color,
    analyse_contrast,
    composite,
    contrast_ratio,
    format_ratio,
    named_colors,
    parse_color,
    relative_luminance,
    resolve_vars,
)


def ratio(a: str, b: str) -> float:
    ca, cb = parse_color(a), parse_color(b)
    assert ca is not None and cb is not None
    return contrast_ratio(ca, cb)


# --------------------------------------------------------------------------- maths


@pytest.mark.parametrize(
    ("fg", "bg", "expected", "printed"),
    [
        # WCAG 2.x: ratios range from 1:1 to 21:1 (black on white).
        ("#000", "#fff", 21.0, "21.00:1"),
        ("#fff", "#fff", 1.0, "1.00:1"),
        # WebAIM contrast checker: #777777 on white 4.48:1 (fails AA), #767676 4.54:1 (the
        # lightest grey passing AA on white), #595959 7.00:1 (AAA).
        ("#777777", "#ffffff", 4.48, "4.48:1"),
        ("#767676", "#ffffff", 4.54, "4.54:1"),
        ("#595959", "#ffffff", 7.0, "7.00:1"),
        # Hand computation from the spec formula: L(red) = 0.2126, (1.05)/(0.2626) = 3.9985;
        # L(blue) = 0.0722, 1.05/0.1222 = 8.5925; green #008000: c = 128/255, linear
        # ((c + 0.055)/1.055)^2.4 = 0.215861, L = 0.7152 * 0.215861 = 0.154384,
        # 1.05/0.204384 = 5.1374.
        ("red", "white", 3.9985, "4.00:1"),  # 4 is not a WCAG threshold
        ("#0000ff", "#fff", 8.5925, "8.59:1"),
        ("green", "#fff", 5.1374, "5.14:1"),
    ],
)
def test_contrast_ratio_published_values(fg: str, bg: str, expected: float, printed: str) -> None:
    r = ratio(fg, bg)
    assert r == pytest.approx(expected, abs=0.005)
    assert ratio(bg, fg) == r  # symmetric
    assert format_ratio(r) == printed


def test_luminance_uses_the_current_0_04045_threshold() -> None:
    # c = 10.2/255 = 0.04 lies between the old (0.03928) and current (0.04045) thresholds:
    # the current spec makes it linear, c/12.92.
    assert relative_luminance(Color(10.2, 10.2, 10.2)) == pytest.approx(0.04 / 12.92, rel=1e-12)
    assert relative_luminance(Color(255, 255, 255)) == pytest.approx(1.0)
    assert relative_luminance(Color(0, 0, 0)) == 0.0


def test_format_ratio_never_rounds_a_failure_up_to_a_threshold() -> None:
    assert format_ratio(4.4991) == "4.499:1"
    assert format_ratio(2.9996) == "2.999:1"
    assert format_ratio(4.5) == "4.50:1"
    assert format_ratio(4.478) == "4.48:1"


def test_composite() -> None:
    half_black = Color(0, 0, 0, 0.5)
    assert composite(half_black, Color(255, 255, 255)) == Color(127.5, 127.5, 127.5, 1.0)
    assert composite(Color(10, 20, 30), Color(255, 0, 0, 0.3)) == Color(10, 20, 30, 1.0)
    # Two half layers over white: 0.5 * 0 + 0.5 * (0.5 * 0 + 0.5 * 255) = 63.75.
    inner = composite(half_black, composite(half_black, Color(255, 255, 255)))
    assert inner.r == pytest.approx(63.75)


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("#fff", Color(255, 255, 255)),
        ("#FFF", Color(255, 255, 255)),
        ("#0f08", Color(0, 255, 0, 0x88 / 255)),
        ("#1a2b3c", Color(0x1A, 0x2B, 0x3C)),
        ("#1a2b3c80", Color(0x1A, 0x2B, 0x3C, 0x80 / 255)),
        ("rgb(255, 0, 0)", Color(255, 0, 0)),
        ("rgba(0,0,0,.5)", Color(0, 0, 0, 0.5)),
        ("rgb(255 0 0 / 50%)", Color(255, 0, 0, 0.5)),
        ("rgb(100%, 0%, 50%)", Color(255, 0, 127.5)),
        ("RGB(300, -5, 0)", Color(255, 0, 0)),  # clamped
        ("rgba(0 0 0)", Color(0, 0, 0)),
        ("hsl(0, 100%, 50%)", Color(255, 0, 0)),
        ("hsl(120 100% 25%)", Color(0, 127.5, 0)),
        ("hsla(240, 100%, 50%, 0.25)", Color(0, 0, 255, 0.25)),
        ("hsl(0.5turn 100% 50% / 1)", Color(0, 255, 255)),
        ("hsl(-120deg, 100%, 50%)", Color(0, 0, 255)),
        ("hsl(0, 0%, 100%)", Color(255, 255, 255)),
        ("rebeccapurple", Color(0x66, 0x33, 0x99)),
        ("CornflowerBlue", Color(0x64, 0x95, 0xED)),
        ("transparent", Color(0, 0, 0, 0.0)),
    ],
)
def test_parse_color(value: str, expected: Color) -> None:
    got = parse_color(value)
    assert got is not None
    for a, b in zip(
        (got.r, got.g, got.b, got.a), (expected.r, expected.g, expected.b, expected.a), strict=True
    ):
        assert a == pytest.approx(b, abs=1e-6)


@pytest.mark.parametrize(
    "value",
    [
        "#ff",
        "#ggg",
        "rgb(1, 2)",
        "rgb(1 2 3 4)",
        "hsl(1, 2, 3, 4, 5)",
        "oklch(0.7 0.1 200)",
        "currentColor",
        "Canvas",
        "var(--x)",
        "blurple",
        "",
    ],
)
def test_parse_color_rejects(value: str) -> None:
    assert parse_color(value) is None


def test_named_colours_data_file() -> None:
    names = named_colors()
    assert len(names) == 148  # CSS Color 4 named colours ('transparent' is separate)
    assert names["grey"] == names["gray"] == "#808080"


@pytest.mark.parametrize(
    ("value", "props", "expected"),
    [
        ("var(--a)", {"--a": "#fff"}, "#fff"),
        ("var(--a, #000)", {}, "#000"),
        ("var(--a, var(--b, red))", {"--b": "blue"}, "blue"),
        ("1px solid var(--c)", {"--c": "#123"}, "1px solid #123"),
        ("var(--a)", {"--a": "var(--b)", "--b": "rgb(1, 2, 3)"}, "rgb(1, 2, 3)"),
        ("var(--a, rgba(0, 0, 0, .5))", {}, "rgba(0, 0, 0, .5)"),
        ("var(--missing)", {}, None),
        ("var(--a)", {"--a": "var(--a)"}, None),  # a cycle
    ],
)
def test_resolve_vars(value: str, props: dict[str, str], expected: str | None) -> None:
    assert resolve_vars(value, props) == expected


@pytest.mark.parametrize(
    ("selector", "supported", "specificity"),
    [
        ("p", True, (0, 0, 1)),
        ("div.card > p.note", True, (0, 2, 2)),
        ("#main .x", True, (1, 1, 0)),
        ('input[type="email"]', True, (0, 1, 1)),
        (":root", True, (0, 1, 0)),
        ("a:hover", True, (0, 1, 1)),
        ("p::first-line", True, (0, 0, 2)),
        ("li + li", False, None),
        ("h1 ~ p", False, None),
        ("p:not(.x)", False, None),
        ("li:nth-child(2)", False, None),
        ("> p", False, None),
    ],
)
def test_selector_support(selector: str, supported: bool, specificity: tuple[int, ...]) -> None:
    sel = parse_selector(selector)
    assert (sel is not None) is supported
    if sel is not None:
        assert sel.specificity == specificity


# --------------------------------------------------------------------------- pairs


def pairs(html: str) -> dict[tuple[str, str], str]:
    return {(p.text, p.background): format_ratio(p.ratio) for p in analyse_contrast(html).pairs}


def test_custom_properties_on_root_and_fallbacks() -> None:
    html = (
        "<style>:root { --text: #767676; --bg: #fff }"
        " body { background: var(--bg) } p { color: var(--text) }"
        " .x { color: var(--missing, #777) }</style><p>a</p><p class=x>b</p>"
    )
    assert pairs(html) == {
        ("color: var(--text)", "background: var(--bg)"): "4.54:1",
        ("color: var(--missing, #777)", "background: var(--bg)"): "4.48:1",
    }


def test_custom_properties_follow_the_cascade_and_inheritance() -> None:
    html = (
        "<style>:root{--fg:#222} .dark{--fg:#eee;background:#111} p{color:var(--fg)}</style>"
        "<p>light</p><div class=dark><p>dark</p></div>"
    )
    got = analyse_contrast(html).pairs
    seen = {(p.fg.hex(), p.bg.hex()) for p in got}
    assert seen == {("#222222", "#ffffff"), ("#eeeeee", "#111111")}


def test_inherited_text_colour_on_an_ancestor_background() -> None:
    html = (
        "<style>body{color:#333} .card{background:#222}</style>"
        "<p>on white</p><div class=card><section><p>in card</p></section></div>"
    )
    got = pairs(html)
    # By the formula: L(#333) = 0.033105, L(#222) = 0.015996 -> 0.083105/0.065996 = 1.259;
    # on white 1.05/0.083105 = 12.635.
    assert got[("color:#333", "background:#222")] == "1.26:1"
    assert got[("color:#333", "the default page background (white)")] == "12.63:1"


def test_rgba_text_is_composited_over_the_background() -> None:
    # 50% black over white = rgb(127.5): L = ((0.5 + 0.055)/1.055)^2.4 = 0.21404,
    # ratio 1.05 / 0.26404 = 3.977.
    report = analyse_contrast("<style>p{color:rgba(0,0,0,.5)}</style><p>x</p>")
    (pair,) = report.pairs
    assert pair.fg.r == pytest.approx(127.5)
    assert pair.ratio == pytest.approx(3.977, abs=0.001)


def test_translucent_background_is_composited_over_its_ancestors() -> None:
    html = (
        "<style>body{background:#000} .box{background:rgba(255,255,255,.5);color:#fff}</style>"
        "<div class=box>x</div>"
    )
    (pair,) = analyse_contrast(html).pairs
    assert pair.bg.hex() == "#808080"  # 127.5 rounds to 0x80
    assert pair.ratio == pytest.approx(1.05 / 0.26404, abs=0.001)


def test_gradients_and_images_are_skipped_not_guessed() -> None:
    html = (
        "<style>.hero{background:linear-gradient(#000,#333);color:#fff}"
        " .pic{background-image:url(a.png);color:#fff} .ok{color:#000}</style>"
        "<div class=hero>a</div><div class=pic>b</div><p class=ok>c</p>"
    )
    report = analyse_contrast(html)
    assert [p.text for p in report.pairs] == ["color:#000"]
    assert sum("image or gradient" in s for s in report.skipped) == 2


def test_gradient_behind_an_opaque_child_does_not_matter() -> None:
    html = (
        "<style>.hero{background:linear-gradient(#000,#333)} .card{background:#fff;color:#000}"
        "</style><div class=hero><div class=card>x</div></div>"
    )
    assert pairs(html) == {("color:#000", "background:#fff"): "21.00:1"}


def test_cascade_specificity_important_and_inline_style() -> None:
    html = (
        "<style>p{color:#000 !important} p.x{color:#ccc} .y{color:#ccc} div p{color:#111}"
        "</style><p class=x>a</p><div><p>b</p></div>"
        '<span class=y style="color: #444">c</span>'
    )
    assert set(pairs(html)) == {
        ("color:#000 !important", "the default page background (white)"),
        ("color: #444", "the default page background (white)"),
    }


def test_state_rules_are_checked_as_variants() -> None:
    html = (
        "<style>body{background:#fff} a{color:#00c} a:hover{color:#ccc}"
        " button{background:#1d4ed8;color:#fff} button:hover{background:#93c5fd}</style>"
        "<a href=#>link</a><button>Go</button>"
    )
    got = pairs(html)
    # #ccc: c = 0.8, linear (0.855/1.055)^2.4 = 0.60383; 1.05/0.65383 = 1.606.
    assert got[("color:#ccc", "background:#fff")] == "1.61:1"
    assert ("color:#fff", "background:#93c5fd") in got  # the hover background under white text
    assert ("color:#fff", "background:#1d4ed8") in got


def test_rules_matching_no_element_use_the_page_background() -> None:
    html = "<style>body{background:#111} .error{color:#300}</style><p>x</p>"
    # L(#300) = 0.2126 * ((0.2 + 0.055)/1.055)^2.4 = 0.007038; L(#111) = 0.005605;
    # 0.057038 / 0.055605 = 1.026.
    assert pairs(html) == {("color:#300", "background:#111"): "1.03:1"}


def test_unsupported_selector_without_own_background_is_reported_as_skipped() -> None:
    html = (
        "<style>li:nth-child(2){color:#eee} li + li{color:#000;background:#fff}</style>"
        "<ul><li>a</li><li>b</li></ul>"
    )
    report = analyse_contrast(html)
    assert [(p.text, p.background) for p in report.pairs] == [("color:#000", "background:#fff")]
    assert any("nth-child" in s and "not supported" in s for s in report.skipped)


def test_media_blocks_are_skipped_and_reported() -> None:
    html = (
        "<style>body{color:#111} @media (prefers-color-scheme: dark){body{background:#000;"
        "color:#fff}}</style><p>x</p>"
    )
    report = analyse_contrast(html)
    assert [p.text for p in report.pairs] == ["color:#111"]
    assert any("@media" in s for s in report.skipped)


def test_form_controls_and_links_use_browser_colours_unless_styled() -> None:
    html = (
        "<style>body{background:#000;color:#fff} input{color:#ddd}</style>"
        "<p>text</p><input type=text><input type=checkbox><a href=#>link</a>"
        "<button>b</button>"
    )
    got = pairs(html)
    assert got == {
        ("color:#fff", "background:#000"): "21.00:1",
        # An input without a declared background sits on the browser's white field;
        # L(#ddd) = ((0.86667 + 0.055)/1.055)^2.4 = 0.72306, 1.05/0.77306 = 1.358.
        ("color:#ddd", "the browser's default field background (white)"): "1.36:1",
    }


def test_button_without_background_is_skipped() -> None:
    report = analyse_contrast("<style>button{color:#fff}</style><button>Go</button>")
    assert report.pairs == []
    assert any("button face" in s for s in report.skipped)


def test_unresolvable_var_is_skipped() -> None:
    report = analyse_contrast("<style>p{color:var(--nope)}</style><p>x</p>")
    assert report.pairs == []
    assert any("var()" in s for s in report.skipped)


def test_no_colours_at_all() -> None:
    report = analyse_contrast("<p>Hello</p>")
    assert report.pairs == [] and report.worst() is None


def test_text_outside_rendered_elements_is_ignored() -> None:
    html = "<head><title>T</title><style>title{color:#fff}</style></head><body><p>x</p></body>"
    assert analyse_contrast(html).pairs == []


def test_state_rule_loses_to_a_later_static_rule_of_equal_specificity() -> None:
    # `.btn.secondary` (0,2,0) comes after `.btn:hover` (0,2,0): a hovered secondary button
    # keeps its transparent background, so its blue text stays on white.
    html = (
        "<style>body{background:#fff} .btn{background:#2563eb;color:#fff}"
        " .btn:hover{background:#1d4ed8}"
        " .btn.secondary{background:transparent;color:#2563eb}</style>"
        "<a class=btn href=#>Buy</a><a class='btn secondary' href=#>Later</a>"
    )
    got = pairs(html)
    assert ("color:#fff", "background:#1d4ed8") in got  # the primary button's hover state
    assert ("color:#2563eb", "background:#1d4ed8") not in got
    assert ("color:#2563eb", "background:#fff") in got


def test_import_url_with_semicolons_does_not_swallow_the_next_rule() -> None:
    from benchmark.analysis.contrast import analyse_contrast

    html = (
        "<html><head><style>@import url('x?a=1;2;3'); body { background: #000; color: #fff }"
        "</style></head><body><p>Hello</p></body></html>"
    )
    report = analyse_contrast(html)
    assert report.pairs and min(p.ratio for p in report.pairs) == pytest.approx(21.0)


def test_variants_and_unmatched_rules_skip_what_they_cannot_resolve() -> None:
    """A state rule on a non-rendered element is ignored; one with an unresolvable colour is
    reported once; an unmatched rule without a colour adds nothing, one over a gradient is
    reported."""
    html = (
        "<head><style>title:hover{color:#000} p:hover{color:var(--nope)}"
        " .ghost{background:#000} .gone{color:#fff;background:linear-gradient(#000,#fff)}"
        " p{color:var(--nope)}</style><title>T</title></head><body><p>x</p></body>"
    )
    report = analyse_contrast(html)
    assert report.pairs == []
    assert report.skipped == [
        "'color:var(--nope)': a var() without a value or fallback",
        "'background:linear-gradient(#000,#fff)': text over an image or gradient",
    ]
