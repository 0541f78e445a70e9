"""scores.json does not depend on the order lines were written: concurrency appends responses
and judgments in completion order, which varies from run to run."""

from __future__ import annotations

import shutil
from pathlib import Path

from benchmark import score
from benchmark.engine.retry import RetryPolicy
from benchmark.engine.runner import RunConfig, Runner

MINI = Path(__file__).parents[1] / "data" / "mini_suite"


def _reverse_lines(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(reversed(lines)), encoding="utf-8")


def test_same_records_in_two_orders_give_identical_scores_json(tmp_path: Path) -> None:
    first = tmp_path / "first"
    cfg = RunConfig(
        model="mock/q0.5",  # some good, some templated replies: diversity has texts to order
        judge="mock/q0.7",
        suite_dir=MINI,
        samples=3,
        progress=False,
        retry=RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.01),
    )
    Runner(cfg, first).execute()
    second = tmp_path / "second"
    shutil.copytree(first, second)
    for name in ("responses.jsonl", "judgments.jsonl"):
        _reverse_lines(second / name)
    assert (first / "responses.jsonl").read_bytes() != (second / "responses.jsonl").read_bytes()

    score(first, suite_dir=MINI)
    score(second, suite_dir=MINI)
    a = (first / "scores.json").read_bytes()
    b = (second / "scores.json").read_bytes()
    assert b'"diversity"' in a
    assert a == b
