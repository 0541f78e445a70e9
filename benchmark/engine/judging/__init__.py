"""Structured LLM judging of rubric items, and records for the programmatic ones.

The runner uses, per task and response:

    for name, group in judge_groups(task.items, mode):          # LLM-judged items only
        records += await judge_items(call, task, response, group, suite.dimensions, ...)
    records += check_judgments(task, response)                  # programmatic items

See docs/JUDGING.md for the prompt design, grounding rule and re-ask policy."""

from .check_records import check_judgments
from .grouping import JUDGE_MODES, JudgeMode, judge_groups
from .judge import TIED, JudgeCall, item_record, judge_group, judge_items
from .parse import UNGROUNDED, ItemVerdict, parse_judge_completion
from .plan import SAMPLE_STRIDE, JudgeGroup, JudgePlan, ask, judge_sample_id, pending_groups
from .prompt import build_judge_request, neutralize, prompt_fingerprint, verdict_schema

__all__ = [
    "JUDGE_MODES",
    "SAMPLE_STRIDE",
    "TIED",
    "UNGROUNDED",
    "ItemVerdict",
    "JudgeCall",
    "JudgeGroup",
    "JudgeMode",
    "JudgePlan",
    "ask",
    "build_judge_request",
    "check_judgments",
    "item_record",
    "judge_group",
    "judge_groups",
    "judge_items",
    "judge_sample_id",
    "neutralize",
    "parse_judge_completion",
    "pending_groups",
    "prompt_fingerprint",
    "verdict_schema",
]
