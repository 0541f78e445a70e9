"""Verdicts on measured facts (records.RenderFacts), one function per rendered check kind.

Each returns a check_base.CheckResult whose evidence is a *candidate* quote (the offending
element's text); the caller keeps it only if it occurs verbatim in the response. Selectors of the
offending elements are named in the rationale. Maths, with WCAG's definitions:
- contrast: the text colour (its alpha times the opacities above it) is composited over the
  layers behind it, bottom-up from the browser's white; a gradient layer is tried at each of its
  colour stops and the worst ratio counts (benchmark.analysis.contrast does the colour maths);
- target size (2.5.8): a target is undersized when its box is narrower or shorter than
  `min_size`; an undersized target still passes when the circle of diameter `min_size` centred
  on its box meets no other target's box and no other undersized target's circle (centres at
  least `min_size` apart)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from ...analysis.contrast import Color, composite, contrast_ratio, format_ratio
from ...records.check_models_rendered import (
    AxeRuleCheck,
    NoHorizontalOverflowCheck,
    RenderedContrastCheck,
    TargetSizeCheck,
    TextNotClippedCheck,
    VisibleFocusCheck,
    WhenAbsent,
)
from .._check_base import CheckResult
from .members import find
from .records import RGBA, Box, FocusStop, RenderFacts, TargetFact, TextFact, WidthFacts

LARGE_PX = 24.0  # 18 pt
LARGE_BOLD_PX = 18.66  # 14 pt, bold (700 or more)
MAX_LISTED = 5


def absent(when_absent: WhenAbsent, what: str) -> CheckResult:
    if when_absent == "not_applicable":
        return CheckResult(None, "", f"{what}: the item does not apply", applicable=False)
    if when_absent == "met":
        return CheckResult(True, "", f"{what}, so nothing fails")
    return CheckResult(False, "", f"{what}: not met")


def _listed(parts: list[str]) -> str:
    more = len(parts) - MAX_LISTED
    return "; ".join(parts[:MAX_LISTED]) + (f"; and {more} more" if more > 0 else "")


# --------------------------------------------------------------------------- contrast


def _color(c: RGBA) -> Color:
    return Color(c[0], c[1], c[2], c[3])


def is_large(t: TextFact) -> bool:
    return t.font_size >= LARGE_PX or (t.font_size >= LARGE_BOLD_PX and t.font_weight >= 700)


def text_contrast(t: TextFact) -> float:
    """The worst WCAG ratio of `t` over what lies behind it (every gradient stop tried)."""
    worst = math.inf
    for pick in itertools.islice(itertools.product(*t.layers), 256):
        bg = Color(255, 255, 255)
        for layer in reversed(pick):
            bg = composite(_color(layer), bg)
        worst = min(worst, contrast_ratio(composite(_color(t.color), bg), bg))
    return worst


def contrast(check: RenderedContrastCheck, facts: RenderFacts) -> CheckResult:
    if isinstance(error := _first_error(facts, check.widths), CheckResult):
        return error
    failing: list[tuple[TextFact, float, int]] = []
    judged = 0
    skipped: list[str] = []
    for wf in _widths(facts, check.widths):
        for t in wf.texts:
            if t.blocked:
                skipped.append(f"{t.selector} ({t.blocked})")
                continue
            judged += 1
            ratio = text_contrast(t)
            if ratio < (check.large_ratio if is_large(t) else check.min_ratio):
                failing.append((t, ratio, wf.width))
    skip = f" Not judged: {_listed(sorted(set(skipped)))}." if skipped else ""
    if judged == 0:
        if skipped:
            return CheckResult(None, "", f"no text's background could be determined.{skip}")
        return absent(check.when_absent, "no visible text")
    head = (
        f"{judged} text(s) checked at {_px(check.widths)} against {check.min_ratio}:1 "
        f"({check.large_ratio}:1 for large text)"
    )
    if not failing:
        return CheckResult(True, "", f"{head}: all reach it.{skip}")
    # One line per element, at the width where it does worst.
    by_element: dict[str, tuple[TextFact, float, int]] = {}
    for f in sorted(failing, key=lambda f: f[1]):
        by_element.setdefault(f[0].selector, f)
    worst = min(failing, key=lambda f: f[1])
    parts = [
        f"{t.selector} {t.text[:40]!r} {format_ratio(r)} at {w} px"
        + (" (large)" if is_large(t) else "")
        for t, r, w in by_element.values()
    ]
    return CheckResult(
        False,
        worst[0].text,
        f"{head}: {len(by_element)} element(s) below ({len(failing)} text-width pairs): "
        f"{_listed(parts)}.{skip}",
    )


# --------------------------------------------------------------------------- target size


def _gap(cx: float, cy: float, b: Box) -> float:
    """Distance from a point to a box (0 inside it)."""
    dx = max(b.x - cx, 0.0, cx - (b.x + b.w))
    dy = max(b.y - cy, 0.0, cy - (b.y + b.h))
    return math.hypot(dx, dy)


def _undersized(t: TargetFact, size: float) -> bool:
    return t.box.w < size or t.box.h < size


def target_failures(
    targets: list[TargetFact], size: float, spacing: bool = True
) -> list[tuple[TargetFact, str]]:
    """Targets failing 2.5.8 (`spacing` False: any undersized target fails, as in 2.5.5)."""
    judged = [t for t in targets if not (t.inline or t.ua_control)]
    out = []
    for t in judged:
        if not _undersized(t, size):
            continue
        if not spacing:
            out.append((t, "undersized"))
            continue
        r = size / 2
        for u in judged:
            if u is t:
                continue
            if _gap(t.box.cx, t.box.cy, u.box) < r:
                out.append((t, f"its {size:g} px circle meets {u.selector}"))
                break
            if (
                _undersized(u, size)
                and math.dist((t.box.cx, t.box.cy), (u.box.cx, u.box.cy)) < size
            ):
                out.append((t, f"its {size:g} px circle meets that of {u.selector}"))
                break
    return out


def _only(check: TargetSizeCheck, wf: WidthFacts) -> list[TargetFact] | CheckResult:
    """The targets the check is about: all, or those its `only` member finds."""
    if check.only is None:
        return wf.targets
    wanted = {wf.boxes[i].selector for i in find(check.only, wf.boxes)}
    # Targets an item names are its business even as a link inside a sentence.
    targets = [t for t in wf.targets if t.selector in wanted]
    targets = [t.model_copy(update={"inline": False}) if t.inline else t for t in targets]
    if not targets:
        what = check.only.selector + (
            f" holding {' or '.join(map(repr, check.only.text))}" if check.only.text else ""
        )
        return CheckResult(
            False, "", f"at {check.width} px {check.only.label} ({what}) was not found: not met"
        )
    return targets


def target_size(check: TargetSizeCheck, facts: RenderFacts) -> CheckResult:
    wf = _width(facts, check.width)
    if isinstance(wf, CheckResult):
        return wf
    targets = _only(check, wf)
    if isinstance(targets, CheckResult):
        return targets
    exempt = [t for t in targets if t.inline or t.ua_control]
    if not targets:
        return absent(check.when_absent, f"no pointer targets at {check.width} px")
    # Spacing is measured against every target on the page, judged or not.
    judged = {t.selector for t in targets}
    others = [t for t in wf.targets if t.selector not in judged]
    fails = [
        (t, why)
        for t, why in target_failures([*targets, *others], check.min_size, check.spacing_exception)
        if t.selector in judged
    ]
    which = f"{check.only.label}: " if check.only is not None else ""
    head = (
        f"{which}{len(targets)} target(s) at {check.width} px ({len(exempt)} exempt: inline "
        f"links, browser-drawn checkboxes and radios), minimum "
        f"{check.min_size:g}x{check.min_size:g} px"
    )
    if not fails:
        return CheckResult(True, "", f"{head}: every target is large enough or spaced enough.")
    parts = [
        f"{t.selector} {t.text[:30]!r} {t.box.w:.1f}x{t.box.h:.1f} px ({why})" for t, why in fails
    ]
    return CheckResult(
        False, fails[0][0].text, f"{head}: {len(fails)} too small: {_listed(parts)}."
    )


# --------------------------------------------------------------------------- overflow, clipping


def horizontal_overflow(check: NoHorizontalOverflowCheck, facts: RenderFacts) -> CheckResult:
    result = _fits(check, facts)
    if check.met_when == "fits" or result.verdict is None:
        return result
    wf = facts.at(check.width)
    if wf is None or wf.error is not None or not wf.texts or wf.overflow is None:
        return CheckResult(False, "", result.rationale)  # nothing measured overflows
    return CheckResult(not result.verdict, result.evidence, result.rationale)


def _fits(check: NoHorizontalOverflowCheck, facts: RenderFacts) -> CheckResult:
    wf = _width(facts, check.width)
    if isinstance(wf, CheckResult):
        return wf
    if not wf.texts or wf.overflow is None:
        return CheckResult(False, "", f"nothing visible rendered at {check.width} px: not met")
    ov = wf.overflow
    scrolls = ov.scroll_width > ov.viewport_width + 1 and not ov.root_clips
    # Wholly off-canvas boxes that do not make the page scroll are hidden drawers, not overflow.
    sticking = [o for o in ov.offenders if scrolls or not o.outside]
    if not scrolls and not sticking:
        return CheckResult(True, "", f"at {check.width} px nothing overflows the viewport.")
    parts = [f"{o.selector} reaches {o.box.x + o.box.w:.0f} px" for o in sticking]
    what = (
        f"the page is {ov.scroll_width:.0f} px wide in a {ov.viewport_width:.0f} px viewport"
        if scrolls
        else "content is cut off at the right edge"
    )
    return CheckResult(
        False, "", f"at {check.width} px {what}: {_listed(parts) or 'no single box found'}."
    )


def clipped_text(check: TextNotClippedCheck, facts: RenderFacts) -> CheckResult:
    if isinstance(error := _first_error(facts, check.widths), CheckResult):
        return error
    found = []
    for wf in _widths(facts, check.widths):
        for c in wf.clipped:
            if c.ellipsis and check.allow_ellipsis:
                continue
            found.append((c, wf.width))
    texts = sum(len(wf.texts) for wf in _widths(facts, check.widths))
    if texts == 0:
        return CheckResult(False, "", "no visible text rendered: not met")
    if not found:
        return CheckResult(True, "", f"no text is cut off at {_px(check.widths)}.")
    parts = [f"{c.selector} {c.text[:40]!r} cut by {c.by} at {w} px" for c, w in found]
    return CheckResult(False, found[0][0].text, f"{len(found)} text(s) cut off: {_listed(parts)}.")


# --------------------------------------------------------------------------- focus


_INVISIBLE_OUTLINE = ("none", "hidden")


def _outline_shows(style: dict[str, str]) -> bool:
    if style.get("outline-style", "none") in _INVISIBLE_OUTLINE:
        return False
    width = style.get("outline-width", "0px")
    colour = style.get("outline-color", "")
    return width not in ("0px", "") and not colour.startswith("rgba(0, 0, 0, 0)")


def focus_visible(stop: FocusStop) -> bool:
    """Focused, the element looks different: an outline shows, or another drawn property
    (shadow, border, background, colour, underline, transform...) changed."""
    if _outline_shows(stop.after):
        return True
    if stop.before is None:
        return False
    return any(
        stop.before.get(k) != v for k, v in stop.after.items() if not k.startswith("outline")
    )


def visible_focus(check: VisibleFocusCheck, facts: RenderFacts) -> CheckResult:
    result = _focus_shown(check, facts)
    if check.met_when == "all_visible" or result.verdict is None:
        return result
    if not facts.focus:  # nothing to focus: no focus is hidden
        return CheckResult(False, "", "no element takes keyboard focus, so none hides it")
    return CheckResult(not result.verdict, result.evidence, result.rationale)


def _focus_shown(check: VisibleFocusCheck, facts: RenderFacts) -> CheckResult:
    if facts.focus is None:
        return CheckResult(None, "", f"focus not measured: {facts.focus_error}")
    if not facts.focus:
        return absent(check.when_absent, "no element takes keyboard focus")
    hidden = [s for s in facts.focus if not focus_visible(s)]
    head = f"{len(facts.focus)} element(s) reached with Tab at {facts.focus_width} px"
    if not hidden:
        return CheckResult(True, "", f"{head}: each shows focus.")
    parts = [f"{s.selector} {s.text[:30]!r}" for s in hidden]
    return CheckResult(
        False, hidden[0].text, f"{head}: {len(hidden)} show no focus: {_listed(parts)}."
    )


# --------------------------------------------------------------------------- axe-core


def axe_rule(check: AxeRuleCheck, facts: RenderFacts) -> CheckResult:
    axe = facts.axe
    if axe is None:
        return CheckResult(None, "", f"axe-core not run: {facts.axe_error}")
    tag = f"axe-core {axe.version} rule {check.rule} at {axe.width} px"
    rule = next((v for v in axe.violations if v.id == check.rule), None)
    if rule is not None:
        parts = [
            f"{n.target} ({n.summary.splitlines()[-1].strip() if n.summary else ''})"
            for n in rule.nodes
        ]
        return CheckResult(False, "", f"{tag} ({rule.help}) fails on: {_listed(parts)}.")
    if check.rule in axe.passes:
        return CheckResult(True, "", f"{tag}: passes.")
    if check.rule in axe.incomplete:
        return CheckResult(None, "", f"{tag}: axe-core could not decide (needs review).")
    return absent(check.when_absent, f"{tag}: nothing on the page the rule is about")


# --------------------------------------------------------------------------- helpers


def _px(widths: Sequence[int]) -> str:
    return ", ".join(str(w) for w in widths) + " px"


def _first_error(facts: RenderFacts, widths: Sequence[int]) -> CheckResult | None:
    for w in widths:
        r = _width(facts, w)
        if isinstance(r, CheckResult):
            return r
    return None


def _width(facts: RenderFacts, width: int) -> WidthFacts | CheckResult:
    wf = facts.at(width)
    if wf is None:
        return CheckResult(None, "", f"{width} px was not rendered")
    if wf.error is not None:
        # A page that never settles is the artefact's failure; a browser fault is ours.
        if "did not finish" in wf.error:
            return CheckResult(False, "", f"the page did not render: {wf.error}")
        return CheckResult(None, "", f"the page could not be measured: {wf.error}")
    return wf


def _widths(facts: RenderFacts, widths: Sequence[int]) -> list[WidthFacts]:
    out = []
    for w in widths:
        wf = facts.at(w)
        if wf is not None and wf.error is None:
            out.append(wf)
    return out
