"""The elements a rubric item names on the rendered page (an alignment member, a target_size
`only`): the recorded elements a selector matches (select.py), kept to the innermost holders of
the item's phrases, and each one's card. Shared by align.py and decide.py."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ...analysis.selectors import ancestors, select
from ...records.check_models_rendered import AlignMember
from .records import ElementBox


def find(member: AlignMember, boxes: Sequence[ElementBox]) -> dict[int, str]:
    """The elements `member` names, selector matches kept to the innermost holders of a phrase,
    each with the key of the thing it stands for: with several phrases, one thing per phrase
    (its phrase: two holders of "$12,480" are one KPI card); else each element is its own
    (its index: eight "Add to basket" buttons are eight)."""
    found = select(member.selector, boxes)
    if member.text is None:
        return {i: f"#{i}" for i in found}
    # Whole words: "5 min" is not found in "15 minutes", nor "$8" in "$80".
    phrases = [(p, re.compile(rf"(?<!\w){re.escape(p)}(?!\w)", re.IGNORECASE)) for p in member.text]
    holders: dict[int, str] = {}
    for i in found:
        phrase = next((p for p, rx in phrases if rx.search(boxes[i].text)), None)
        if phrase is not None:
            holders[i] = phrase
    outer = {a for i in holders for a in ancestors(i, boxes)}
    one_each = len(phrases) == 1
    return {i: f"#{i}" if one_each else p for i, p in holders.items() if i not in outer}


def card_of(i: int, others: set[int], boxes: Sequence[ElementBox]) -> int:
    """The outermost ancestor of `i` (or `i`) holding none of `others`."""
    card = i
    for a in ancestors(i, boxes):
        if any(a == j or a in ancestors(j, boxes) for j in others):
            break
        card = a
    return card


def cards(per_member: list[dict[int, str]], boxes: Sequence[ElementBox]) -> dict[int, int]:
    """Each found element's card: its outermost ancestor holding no element found for another
    thing (find's keys) or member."""
    keyed = {i: (n, key) for n, found in enumerate(per_member) for i, key in found.items()}
    return {
        i: card_of(i, {j for j, k in keyed.items() if k != ik}, boxes) for i, ik in keyed.items()
    }
