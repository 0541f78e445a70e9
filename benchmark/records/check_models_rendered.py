"""Parameters of the checks decided on the rendered page (members of `schemas.Check`): the
artefact is shown in headless chromium (benchmark/checks/render) and these read what the browser
computed. Where the facts they need were not measured (no chromium, the page hung), the verdict
is None with the reason, never a guess; `benchmark/checks/checks_rendered.py` runs them."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# The widths the renderer measures (benchmark.checks.render.renderer.WIDTHS).
Width = Literal[375, 768, 1280]
ALL_WIDTHS: list[Width] = [375, 768, 1280]
WhenAbsent = Literal["met", "not_met", "not_applicable"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RenderedContrastCheck(_Strict):
    """WCAG 2.x 1.4.3 on the computed colours: every visible text, composited over what the
    browser paints behind it, reaches `min_ratio` (`large_ratio` for large text: at least 24 px,
    or 18.66 px and bold). Texts over images are skipped and listed."""

    type: Literal["rendered_contrast"]
    min_ratio: float = Field(default=4.5, ge=1.0, le=21.0)
    large_ratio: float = Field(default=3.0, ge=1.0, le=21.0)
    widths: list[Width] = Field(default_factory=lambda: list(ALL_WIDTHS), min_length=1)
    when_absent: WhenAbsent = "not_met"


class TargetSizeCheck(_Strict):
    """WCAG 2.2 2.5.8 Target Size (Minimum): every pointer target is at least `min_size` CSS px
    square, or is spaced so that a `min_size` circle on its centre touches no other target nor
    another undersized target's circle. Links inside a sentence and browser-drawn checkboxes and
    radios are exempt, as WCAG says."""

    type: Literal["target_size"]
    min_size: float = Field(default=24.0, gt=0, le=100)
    # False for 2.5.5 Target Size (Enhanced, 44 px), which has no spacing exception.
    spacing_exception: bool = True
    width: Width = 375
    when_absent: WhenAbsent = "not_met"


class NoHorizontalOverflowCheck(_Strict):
    """At `width` px the page does not scroll sideways and no box sticks out past the right edge
    (boxes in a horizontal scroller and fixed boxes excepted; WCAG 1.4.10 Reflow at 320 px is
    the stricter cousin)."""

    type: Literal["no_horizontal_overflow"]
    width: Width = 375


class VisibleFocusCheck(_Strict):
    """WCAG 2.4.7: every element reached by pressing Tab looks different when focused (an
    outline, a shadow, a border, background or text colour change...)."""

    type: Literal["visible_focus"]
    when_absent: WhenAbsent = "not_met"


class TextNotClippedCheck(_Strict):
    """No visible text is cut off by an overflow-hidden box at any of `widths` (text truncated
    with an ellipsis is allowed unless `allow_ellipsis` is false)."""

    type: Literal["text_not_clipped"]
    widths: list[Width] = Field(default_factory=lambda: list(ALL_WIDTHS), min_length=1)
    allow_ellipsis: bool = True


class AxeRuleCheck(_Strict):
    """One axe-core rule (the vendored 4.14.1, run at 1280 px): met when no element violates it.
    When the page has nothing the rule is about, `when_absent` decides."""

    type: Literal["axe_rule"]
    rule: str
    when_absent: WhenAbsent = "not_applicable"

    @field_validator("rule")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in axe_rule_ids():
            raise ValueError(
                f"{v!r} is not a rule of axe-core (see benchmark/checks/render/vendor/axe-core/rules.txt)"
            )
        return v


@cache
def axe_rule_ids() -> frozenset[str]:
    """The vendored axe-core's rule ids (benchmark/checks/render/vendor/axe-core/rules.txt)."""
    path = resources.files("benchmark.checks.render") / "vendor" / "axe-core" / "rules.txt"
    return frozenset(path.read_text(encoding="utf-8").split())
