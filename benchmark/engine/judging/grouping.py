"""Which LLM-judged items go into one judge call.

- "response" (the default): one call per response with all its LLM-judged items, grouped by
  dimension inside the prompt. The instructions, task and response are sent once per response.
- "dimension": one call per rubric dimension of a task. The instructions, task and response are
  re-sent for each dimension; a dimension's verdicts cannot sway another's.
- "item": one call per item. More calls and tokens (the task and response are re-sent for each
  item), but no item's verdict can sway another's.
docs/JUDGING.md discusses the trade-off."""

from __future__ import annotations

from ...errors import UsageError
from ...records.runspec import JUDGE_MODES, JudgeMode
from ...records.schemas import RubricItem

__all__ = ["JUDGE_MODES", "JudgeMode", "judge_groups"]


def judge_groups(items: list[RubricItem], mode: JudgeMode) -> list[tuple[str, list[RubricItem]]]:
    """LLM-judged items (check is None) grouped for judging: ("response", items) for all of
    them, (dimension id, items) per dimension in order of first appearance, or (item id, [item])
    per item. A group's items all see the same inputs (judge_sees)."""
    if mode not in JUDGE_MODES:
        raise UsageError(f"judge mode must be one of {', '.join(JUDGE_MODES)}, not {mode!r}")
    judged = [it for it in items if it.check is None]
    if mode == "item":
        return [(it.id, [it]) for it in judged]
    # Items judged from the screenshots go in a call of their own (named "<group>+screenshots"),
    # so the items judged from the source alone are asked without images.
    groups: dict[str, list[RubricItem]] = {}
    for it in judged:
        base = "response" if mode == "response" else it.dimension
        name = f"{base}+screenshots" if it.sees_screenshots else base
        groups.setdefault(name, []).append(it)
    return list(groups.items())
