"""The verdict maths on hand-made facts (no browser), and the checks through `run_check`:
a model's fenced HTML rendered into a store, and the verdict without chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmark.checks import run_check
from benchmark.checks.render import decide, store
from benchmark.checks.render.browser import ChromiumNotFound
from benchmark.checks.render.records import Box, FocusStop, TargetFact, TextFact
from benchmark.records.check_models_rendered import RenderedContrastCheck, TargetSizeCheck
from tests.browser.render.support import require_chromium

WHITE = [(255.0, 255.0, 255.0, 1.0)]


def fact(color: tuple[float, float, float, float], layers: list, size: float = 16) -> TextFact:
    return TextFact(
        selector="p", tag="p", text="t", box=Box(x=0, y=0, w=10, h=10), color=color,
        layers=layers, font_size=size, font_weight=400,
    )  # fmt: skip


def test_contrast_composites_layers_bottom_up() -> None:
    # Black at 50 % over a white canvas: 127.5 grey (lin 0.21404); white text on it:
    # 1.05/0.26404 = 3.977.
    t = fact((255, 255, 255, 1), [[(0, 0, 0, 0.5)], WHITE])
    assert decide.text_contrast(t) == pytest.approx(3.977, abs=0.001)
    # Two gradient stops, #000 and #fff: black text gets 21 on white but 1 on black: worst 1.
    t = fact((0, 0, 0, 1), [[(0, 0, 0, 1), (255, 255, 255, 1)]])
    assert decide.text_contrast(t) == pytest.approx(1.0)
    # Fully transparent text is invisible: ratio 1.
    assert decide.text_contrast(fact((0, 0, 0, 0), [WHITE])) == pytest.approx(1.0)


def test_large_text_thresholds() -> None:
    assert decide.is_large(fact((0, 0, 0, 1), [WHITE], size=24))
    assert not decide.is_large(fact((0, 0, 0, 1), [WHITE], size=23.9))
    bold = fact((0, 0, 0, 1), [WHITE], size=18.67).model_copy(update={"font_weight": 700})
    assert decide.is_large(bold)


def target(name: str, x: float, y: float, w: float, h: float, **kw: bool) -> TargetFact:
    return TargetFact(selector=name, tag="button", box=Box(x=x, y=y, w=w, h=h), **kw)


def test_target_spacing_exception() -> None:
    # 10x10 targets; centres 24 px apart pass (circles of radius 12 touch, do not meet), 23 fail.
    ok = [target("p", 0, 0, 10, 10), target("q", 24, 0, 10, 10)]
    assert decide.target_failures(ok, 24) == []
    near = [target("p", 0, 0, 10, 10), target("q", 23, 0, 10, 10)]
    assert [t.selector for t, _ in decide.target_failures(near, 24)] == ["p", "q"]
    # A big target 11.9 px from a small one's centre (5,5): its box starts at x = 16.9.
    big = [target("p", 0, 0, 10, 10), target("big", 16.9, 0, 40, 40)]
    assert [t.selector for t, _ in decide.target_failures(big, 24)] == ["p"]
    # Without the spacing exception (WCAG 2.5.5, 44 px) the well-spaced pair fails.
    assert [t.selector for t, _ in decide.target_failures(ok, 24, spacing=False)] == ["p", "q"]
    # Inline links and browser-drawn checkboxes are exempt, and are not obstacles either.
    exempt = [target("p", 0, 0, 10, 10, inline=True), target("q", 5, 0, 10, 10, ua_control=True)]
    assert decide.target_failures(exempt, 24) == []


def stop(before: dict[str, str] | None, after: dict[str, str]) -> FocusStop:
    return FocusStop(selector="a", tag="a", box=Box(x=0, y=0, w=1, h=1), before=before, after=after)


def test_focus_visible() -> None:
    none = {"outline-style": "none", "outline-width": "0px", "box-shadow": "none"}
    assert not decide.focus_visible(stop(none, none))
    assert decide.focus_visible(stop(none, {**none, "box-shadow": "0 0 0 3px blue"}))
    ring = {"outline-style": "auto", "outline-width": "1px", "outline-color": "rgb(16, 16, 16)"}
    assert decide.focus_visible(stop(none, {**none, **ring}))
    assert not decide.focus_visible(stop(None, none))


def test_without_chromium_the_item_is_not_judged(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def missing() -> None:
        raise ChromiumNotFound("chromium not found at /usr/bin/chromium (install ...)")

    monkeypatch.setattr(store, "shared_renderer", missing)
    with store.using(tmp_path):
        result = run_check(TargetSizeCheck(type="target_size"), [], "```html\n<p>x</p>\n```")
    assert result.verdict is None
    assert (
        result.rationale
        == "visual checks not run: chromium not found at /usr/bin/chromium (install ...)"
    )
    # No HTML at all is the response's failure, chromium or not.
    assert run_check(TargetSizeCheck(type="target_size"), [], "no page here").verdict is False


@pytest.mark.browser
def test_run_check_renders_into_the_bound_store(tmp_path: Path) -> None:
    require_chromium()
    response = 'Here you go:\n```html\n<p style="color:#777">soft grey</p>\n```'
    with store.using(tmp_path):
        result = run_check(RenderedContrastCheck(type="rendered_contrast"), [], response)
    assert result.verdict is False and result.evidence == "soft grey"
    (rendered,) = tmp_path.iterdir()
    assert sorted(p.name for p in rendered.iterdir()) == [
        "1280.png",
        "375.png",
        "768.png",
        "facts.json",
    ]


def test_the_store_reuses_renders_but_not_a_browser_fault(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from benchmark.checks.render.records import RenderFacts, WidthFacts

    html = "<p>x</p>"
    calls: list[str] = []

    class Fake:
        def __init__(self, error: str | None) -> None:
            self.error = error

        def render(self, source: str, out: Path) -> RenderFacts:
            calls.append(source)
            facts = RenderFacts(
                html_sha256=store.html_sha256(source), chromium="fake", focus_width=1280,
                widths=[WidthFacts(width=w, error=self.error) for w in (375, 768, 1280)],
            )  # fmt: skip
            out.mkdir(parents=True, exist_ok=True)
            (out / "facts.json").write_text(facts.model_dump_json())
            return facts

    monkeypatch.setattr(store, "shared_renderer", lambda: Fake("375 px: the browser crashed"))
    store.facts_for(html, tmp_path)
    store.facts_for(html, tmp_path)  # a browser fault: rendered again
    assert len(calls) == 2
    monkeypatch.setattr(store, "shared_renderer", lambda: Fake(None))
    store.facts_for(html, tmp_path)
    store.facts_for(html, tmp_path)  # a good render: reused
    assert len(calls) == 3
