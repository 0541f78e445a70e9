"""A judge call's usage is summed over its lines (the runner puts it on the call's first line,
but a bundle may spread it): the check and its message use the sums."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest

from benchmark.records.schemas import JudgmentRecord, Manifest, ResponseRecord, Usage
from leaderboard.errors import BundleRejected
from leaderboard.rederive import check_judge_usage
from leaderboard.rules import packaged_rules

MANIFEST = cast(Manifest, SimpleNamespace(judge="judge-model"))


def _line(usage: Usage | None, verdict: bool | None = True) -> JudgmentRecord:
    return JudgmentRecord.model_construct(judge="judge-model", verdict=verdict, usage=usage)


def _response(chars: int) -> ResponseRecord:
    return ResponseRecord.model_construct(task_id="t", sample=0, text="x" * chars)


def _check(chars: int, *usages: Any) -> None:
    lines = [_line(u) for u in usages]
    check_judge_usage(MANIFEST, _response(chars), {"group": lines}, packaged_rules())


def test_usage_spread_over_a_calls_lines_is_summed() -> None:
    need = -(-400 // packaged_rules().max_chars_per_token)  # ceil: tokens 400 characters need
    half = Usage(input_tokens=need // 2, cache_read_tokens=1, output_tokens=1)
    rest = Usage(input_tokens=need - need // 2 - 2, cache_write_tokens=1)
    _check(400, half, None, rest)  # exactly enough, over three lines
    with pytest.raises(BundleRejected) as info:
        _check(400, half, Usage(input_tokens=need - need // 2 - 2))
    assert info.value.code == "usage_implausible"
    assert f"records {need - 1} input and 1 output tokens" in info.value.reason
    with pytest.raises(BundleRejected) as info:
        _check(400, Usage(input_tokens=need), Usage(cache_read_tokens=1))
    assert f"records {need + 1} input and 0 output tokens" in info.value.reason
