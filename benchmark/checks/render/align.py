"""The `alignment` check (check_models_rendered.AlignmentCheck) on the rendered element boxes.

At each width: every member's elements are found (select.py, then the innermost ones holding one
of its phrases), each widened to its card when asked. The compared boxes ("units") are those
elements when the check has one member, else each member's elements taken together. With
`rows`, units are grouped into rows (their cards overlap vertically) and compared within a row.
A shared line holds when its values in a row spread over at most `tolerance` px; equal gaps
when the gaps between neighbours (across: left to right within a row; down: top to bottom)
differ by at most `tolerance` px. A member found nowhere, or fewer than `min_count` units, is
not met: the page lacks what the item is about."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from ...records.check_models_rendered import AlignMember, AlignmentCheck, Line
from .._check_base import CheckResult
from . import members
from .decide import MAX_LISTED, _first_error, _widths
from .records import Box, ElementBox, RenderFacts

LINE_WORDS: dict[str, str] = {
    "left": "left edges",
    "right": "right edges",
    "top": "top edges",
    "bottom": "bottom edges",
    "centre_x": "horizontal centres",
    "centre_y": "vertical centres",
    "width": "widths",
    "height": "heights",
}
# How a value above the others reads: (above, below).
WAYS: dict[str, tuple[str, str]] = {
    "left": ("further right", "further left"),
    "right": ("further right", "further left"),
    "centre_x": ("further right", "further left"),
    "top": ("lower", "higher"),
    "bottom": ("lower", "higher"),
    "centre_y": ("lower", "higher"),
    "width": ("wider", "narrower"),
    "height": ("taller", "shorter"),
}


@dataclass(frozen=True)
class Unit:
    name: str  # in words: "the sign-up buttons: 'Choose Pro' (div.card > a)"
    text: str  # a candidate quote for the evidence
    selector: str  # where it is on the page
    box: Box  # what is compared
    row_box: Box  # what decides its row (its card)


def line_value(box: Box, line: Line) -> float:
    return {
        "left": box.x,
        "right": box.x + box.w,
        "top": box.y,
        "bottom": box.y + box.h,
        "centre_x": box.cx,
        "centre_y": box.cy,
        "width": box.w,
        "height": box.h,
    }[line]


def union(boxes: Sequence[Box]) -> Box:
    x, y = min(b.x for b in boxes), min(b.y for b in boxes)
    right = max(b.x + b.w for b in boxes)
    bottom = max(b.y + b.h for b in boxes)
    return Box(x=x, y=y, w=right - x, h=bottom - y)


# --------------------------------------------------------------------------- finding


def _name(el: ElementBox) -> str:
    return (f"{el.text[:40]!r} " if el.text else "") + f"({el.selector})"


def _member_units(
    member: AlignMember, found: dict[int, str], cards: dict[int, int], boxes: Sequence[ElementBox]
) -> list[Unit]:
    """One unit per element found (per card with `card`: holders in one card are one unit)."""
    shown: dict[int, int] = {}
    for i in found:
        shown.setdefault(cards[i] if member.card else i, i)
    return [
        Unit(_name(boxes[s]), boxes[i].text, boxes[s].selector, boxes[s].box, boxes[cards[i]].box)
        for s, i in shown.items()
    ]


def units(check: AlignmentCheck, boxes: Sequence[ElementBox], width: int) -> list[Unit] | str:
    """The compared boxes at one width, or (a string) why the page lacks them."""
    per_member = [members.find(m, boxes) for m in check.members]
    for m, found in zip(check.members, per_member, strict=True):
        if not found:
            what = m.selector + (f" holding {' or '.join(map(repr, m.text))}" if m.text else "")
            return f"at {width} px {m.label} ({what}) was not found on the page"
    cards = members.cards(per_member, boxes)
    out: list[Unit] = []
    for m, found in zip(check.members, per_member, strict=True):
        each = _member_units(m, found, cards, boxes)
        if len(check.members) == 1:
            out += each
            continue
        more = f" and {len(each) - 1} more" if len(each) > 1 else ""
        out.append(
            Unit(
                f"{m.label} ({each[0].selector}{more})",
                each[0].text,
                each[0].selector,
                union([u.box for u in each]),
                union([u.row_box for u in each]),
            )
        )
    if len(out) < check.min_count:
        label = check.members[0].label if len(check.members) == 1 else "the groups"
        return (
            f"at {width} px only {len(out)} of {label} found; the check compares at least "
            f"{check.min_count}"
        )
    return out


def rows_of(units_: list[Unit]) -> list[list[Unit]]:
    """Units grouped into rows: a unit joins the row whose first card it overlaps vertically."""
    rows: list[list[Unit]] = []
    for u in sorted(units_, key=lambda u: (u.row_box.y, u.row_box.x)):
        for row in rows:
            head = row[0].row_box
            if min(head.y + head.h, u.row_box.y + u.row_box.h) - max(head.y, u.row_box.y) > 1:
                row.append(u)
                break
        else:
            rows.append([u])
    return rows


# --------------------------------------------------------------------------- deciding


@dataclass(frozen=True)
class Miss:
    """One failed comparison, in words, with the unit to quote."""

    words: str
    quote: str


def _px(v: float) -> str:
    return f"{v:.1f} px"


def line_miss(row: list[Unit], line: Line, tolerance: float, width: int) -> Miss | None:
    values = sorted(((line_value(u.box, line), u) for u in row), key=lambda p: p[0])
    spread = values[-1][0] - values[0][0]
    if spread <= tolerance:
        return None
    listed = ", ".join(f"{u.name} at {_px(v)}" for v, u in values[:MAX_LISTED])
    more = f" and {len(values) - MAX_LISTED} more" if len(values) > MAX_LISTED else ""
    # The odd one out: the furthest from the median, told against the median one.
    mid_value, mid = values[(len(values) - 1) // 2]
    odd_value, odd = max(values, key=lambda p: abs(p[0] - mid_value))
    way = WAYS[line][0 if odd_value > mid_value else 1]
    return Miss(
        f"at {width} px the {LINE_WORDS[line]} are {_px(spread)} apart (at most "
        f"{tolerance:g} px allowed), {odd.name} {_px(abs(odd_value - mid_value))} {way} than "
        f"{mid.name}" + (f": {listed}{more}" if len(values) > 2 else ""),
        odd.text,
    )


def gap_miss(row: list[Unit], direction: str, tolerance: float, width: int) -> Miss | None:
    across = direction == "across"
    order = sorted(row, key=lambda u: u.box.x if across else u.box.y)
    gaps = []
    for a, b in itertools.pairwise(order):
        gap = b.box.x - (a.box.x + a.box.w) if across else b.box.y - (a.box.y + a.box.h)
        gaps.append((gap, a, b))
    if len(gaps) < 2:
        return None
    sizes = [g for g, _, _ in gaps]
    if max(sizes) - min(sizes) <= tolerance:
        return None
    listed = "; ".join(f"{_px(g)} between {a.name} and {b.name}" for g, a, b in gaps[:MAX_LISTED])
    return Miss(
        f"at {width} px the gaps {'across' if across else 'down'} are unequal, "
        f"{_px(min(sizes))} to {_px(max(sizes))} (at most {tolerance:g} px difference "
        f"allowed): {listed}",
        max(gaps, key=lambda g: g[0])[2].text,
    )


def layout_miss(found: list[Unit], layout: str, tolerance: float, width: int) -> Miss | None:
    """one_row: left to right, each overlapping the previous one's rows and starting at or
    after its right edge; one_column: each starting at or below the previous one's bottom."""
    across = layout == "one_row"
    order = sorted(found, key=lambda u: (u.box.x, u.box.y) if across else (u.box.y, u.box.x))
    for a, b in itertools.pairwise(order):
        if across:
            beside = min(a.box.y + a.box.h, b.box.y + b.box.h) - max(a.box.y, b.box.y) > 0
            ok = beside and b.box.x >= a.box.x + a.box.w - tolerance
            why = "is not beside" if not beside else "overlaps"
        else:
            ok = b.box.y >= a.box.y + a.box.h - tolerance
            why = "sits beside" if b.box.x >= a.box.x + a.box.w - tolerance else "overlaps"
        if not ok:
            shape = "side by side in one row" if across else "stacked in one column"
            return Miss(f"at {width} px they are not {shape}: {b.name} {why} {a.name}", b.text)
    return None


def misses(check: AlignmentCheck, found: list[Unit], width: int) -> list[Miss]:
    rows = rows_of(found) if check.rows else [found]
    out = []
    for row in rows:
        for line in check.share:
            if (m := line_miss(row, line, check.tolerance, width)) is not None:
                out.append(m)
        if check.equal_gaps == "across" and (m := gap_miss(row, "across", check.tolerance, width)):
            out.append(m)
    if check.equal_gaps == "down" and (m := gap_miss(found, "down", check.tolerance, width)):
        out.append(m)
    if check.layout and (m := layout_miss(found, check.layout, check.tolerance, width)):
        out.append(m)
    return out


def _asked(check: AlignmentCheck) -> str:
    parts = [LINE_WORDS[line] for line in check.share]
    if check.equal_gaps:
        parts.append(f"equal gaps {check.equal_gaps}")
    if check.layout:
        parts.append("one row" if check.layout == "one_row" else "one column")
    return " and ".join(parts)


def alignment(check: AlignmentCheck, facts: RenderFacts) -> CheckResult:
    if isinstance(error := _first_error(facts, check.widths), CheckResult):
        return error
    found_any: list[Miss] = []
    counts = []
    for wf in _widths(facts, check.widths):
        found = units(check, wf.boxes, wf.width)
        if isinstance(found, str):
            return CheckResult(False, "", f"{found}: not met")
        counts.append(f"{len(found)} compared at {wf.width} px")
        found_any += misses(check, found, wf.width)
    head = (
        f"The {_asked(check)} of {' and '.join(m.label for m in check.members)} "
        f"({'; '.join(counts)}{', row by row' if check.rows else ''})"
    )
    if not found_any:
        return CheckResult(True, "", f"{head}: aligned within {check.tolerance:g} px.")
    return CheckResult(
        False, found_any[0].quote, f"{head}: not aligned; " + "; ".join(m.words for m in found_any)
    )
