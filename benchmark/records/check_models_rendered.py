"""Parameters of the checks decided on the rendered page (members of `schemas.Check`): the
artefact is shown in headless chromium (benchmark/checks/render) and these read what the browser
computed. Where the facts they need were not measured (no chromium, the page hung), the verdict
is None with the reason, never a guess; `benchmark/checks/checks_rendered.py` runs them."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# The widths the renderer measures (benchmark.checks.render.renderer.WIDTHS).
Width = Literal[375, 768, 1280]
ALL_WIDTHS: list[Width] = [375, 768, 1280]
DESKTOP: Width = 1280
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


class AlignMember(_Strict):
    """How one member of an alignment group is found on the rendered page: the elements
    `selector` matches (benchmark/analysis/selectors.py's subset of CSS), kept to the innermost ones
    whose text contains one of the phrases of `text` (case-insensitive, as whole words; a text
    holding several counts for the first listed) when it is given; with `card`, each is widened
    to its card: its outermost ancestor holding no other element found for the check. With
    several phrases, each names one thing (two holders of one phrase share a card); with one
    phrase or none, each element found is one."""

    label: str = Field(min_length=1)  # how a failure names it: "the sign-up buttons"
    selector: str = "*"
    text: list[str] | None = None  # any of these phrases (one phrase may be given bare)
    card: bool = False

    @field_validator("text", mode="before")
    @classmethod
    def _listed(cls, v: object) -> object:
        return [v] if isinstance(v, str) else v

    @field_validator("text")
    @classmethod
    def _phrases(cls, v: list[str] | None) -> list[str] | None:
        if v is not None and (not v or any(not p.strip() for p in v)):
            raise ValueError("text must name at least one non-empty phrase")
        return v

    @field_validator("selector")
    @classmethod
    def _readable(cls, v: str) -> str:
        from ..analysis.selectors import parse

        parse(v)
        return v


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
    # Only these targets (found as an alignment member is); none found: not met.
    only: AlignMember | None = None


class NoHorizontalOverflowCheck(_Strict):
    """At `width` px the page does not scroll sideways and no box sticks out past the right edge
    (boxes in a horizontal scroller and fixed boxes excepted; WCAG 1.4.10 Reflow at 320 px is
    the stricter cousin)."""

    type: Literal["no_horizontal_overflow"]
    width: Width = 375
    # "overflows": met when the page does overflow (for a failure item); a page with nothing
    # visible does not.
    met_when: Literal["fits", "overflows"] = "fits"


class VisibleFocusCheck(_Strict):
    """WCAG 2.4.7: every element reached by pressing Tab looks different when focused (an
    outline, a shadow, a border, background or text colour change...)."""

    type: Literal["visible_focus"]
    when_absent: WhenAbsent = "not_met"
    # "any_hidden": met when some Tab stop shows no focus (for a failure item); a page with
    # nothing to focus does not.
    met_when: Literal["all_visible", "any_hidden"] = "all_visible"


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


# --------------------------------------------------------------------------- alignment

# Edges and centre lines, and sizes ("width", "height": equal widths or heights).
Line = Literal["left", "right", "top", "bottom", "centre_x", "centre_y", "width", "height"]


class AlignmentCheck(_Strict):
    """Declared groups share an edge, a centre line or a size, are equally spaced, or sit in one
    row or one column, within `tolerance` CSS px at each of `widths`. One member: its elements are compared with each other; several:
    each member's elements are taken together (their bounding box) and the members compared.
    With `rows`, elements are compared only with those in the same row (their cards overlap
    vertically), as in a grid that wraps."""

    type: Literal["alignment"]
    members: list[AlignMember] = Field(min_length=1)
    share: list[Line] = Field(default_factory=list)
    equal_gaps: Literal["across", "down"] | None = None
    # one_row: side by side, left to right, sharing a row; one_column: each below the other.
    layout: Literal["one_row", "one_column"] | None = None
    rows: bool = False
    widths: list[Width] = Field(default_factory=lambda: [DESKTOP], min_length=1)
    tolerance: float = Field(default=2.0, ge=0, le=40)
    min_count: int = Field(default=2, ge=2, le=50)  # compared boxes needed (else not met)

    @model_validator(mode="after")
    def _asks_something(self) -> AlignmentCheck:
        if not self.share and self.equal_gaps is None and self.layout is None:
            raise ValueError(
                "alignment needs `share` (lines), `equal_gaps` (across or down) or `layout` "
                "(one_row or one_column)"
            )
        return self
