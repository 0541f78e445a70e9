"""Which LLM-judged items go into one judge call.

- "dimension" (the default): one call per rubric dimension of a task. Fewer calls and one shared
  reading of the response; the judge sees related items side by side.
- "item": one call per item. More calls and tokens (the task and response are re-sent for each
  item), but no item's verdict can sway another's.
docs/JUDGING.md discusses the trade-off."""

from __future__ import annotations

from ...errors import UsageError
from ...records.runspec import JUDGE_MODES, JudgeMode
from ...records.schemas import RubricItem

__all__ = ["JUDGE_MODES", "JudgeMode", "judge_groups"]


def judge_groups(items: list[RubricItem], mode: JudgeMode) -> list[tuple[str, list[RubricItem]]]:
    """LLM-judged items (check is None) grouped for judging: (dimension id, items) per
    dimension in order of first appearance, or (item id, [item]) per item. A group's items
    all see the same inputs (judge_sees)."""
    if mode not in JUDGE_MODES:
        raise UsageError(f"judge mode must be one of {', '.join(JUDGE_MODES)}, not {mode!r}")
    judged = [it for it in items if it.check is None]
    if mode == "item":
        return [(it.id, [it]) for it in judged]
    # Items judged from the screenshots go in a call of their own (named "<dimension>+screenshots"),
    # so the items judged from the source alone are asked exactly as before, without images.
    groups: dict[str, list[RubricItem]] = {}
    for it in judged:
        name = f"{it.dimension}+screenshots" if it.sees_screenshots else it.dimension
        groups.setdefault(name, []).append(it)
    return list(groups.items())
