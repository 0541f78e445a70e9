"""`report` (one or several runs) and `compare` (paired differences with CIs), as a user runs
them: tables inside 80 columns, names never cut, CIs from too few tasks flagged, nothing printed
before an error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmark.cli import main
from benchmark.engine.providers.replay import ReplayProvider
from benchmark.engine.runner import RunConfig, Runner
from benchmark.measure.compare import dimension_task_scores, paired
from benchmark.measure.tables import MIN_CI_TASKS
from benchmark.records.schemas import JudgmentRecord

MINI = Path(__file__).parents[1] / "data" / "mini_suite"
SHORT = "The lighthouse keeper climbed the stairs and lit the lamp for the last time."
LONG = " ".join(["word"] * 80)  # over the story task's 60-word limit


def _run(tmp_path: Path, name: str, spec: str, text: str, task: str = "story") -> Path:
    """A run of the mini suite's story task replayed from `text`, without a judge: its one
    programmatic item (at most 60 words, +1 point) decides the score, 100 or 0."""
    src = tmp_path / f"{name}.jsonl"
    record = {
        "task_id": task,
        "sample": 0,
        "model": spec,
        "transcript": [{"role": "user", "content": "q"}, {"role": "assistant", "content": text}],
        "text": text,
    }
    src.write_text(json.dumps(record) + "\n", encoding="utf-8")
    config = RunConfig(model=spec, judge=None, tasks=task, suite_dir=MINI, progress=False)
    out = tmp_path / name
    Runner(config, out, model_provider=ReplayProvider(src, spec=spec)).execute()
    return out


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_paired_difference_by_hand() -> None:
    a = {f"t{i}": 50.0 for i in range(MIN_CI_TASKS)}
    b = {f"t{i}": 55.0 for i in range(MIN_CI_TASKS)}  # every task +5: the CI is [5, 5]
    d = paired("overall", a, b, seed=1)
    assert (d.n, d.diff, d.ci_low, d.ci_high, d.significant) == (MIN_CI_TASKS, 5.0, 5.0, 5.0, True)
    few = paired("x", {"t1": 10.0, "t2": 20.0}, {"t1": 30.0, "t2": 20.0, "t3": 0.0}, seed=1)
    # Shared t1, t2: differences +20 and 0, mean +10; too few tasks to call it.
    assert (few.n, few.a, few.b, few.diff, few.significant) == (2, 15.0, 25.0, 10.0, None)
    one = paired("t1", {"t1": 10.0}, {"t1": 30.0}, seed=1)
    assert (one.diff, one.ci_low, one.ci_high, one.significant) == (20.0, None, None, None)


def test_dimension_scores_from_judgments_by_hand() -> None:
    def j(item: str, points: int, verdict: bool | None, dim: str = "d") -> JudgmentRecord:
        return JudgmentRecord(
            task_id="t", sample=0, model="m", item_id=item, dimension=dim,
            points=points, verdict=verdict, judge="check",
        )  # fmt: skip

    # Met +3 and -1, missed +2: (3 - 1) / (3 + 2) = 40%; the null verdict drops out.
    records = [j("a", 3, True), j("b", 2, False), j("c", -1, True), j("e", 4, None)]
    records.append(j("x", 1, True, dim="other"))
    assert dimension_task_scores(records) == {"d": {"t": 40.0}, "other": {"t": 100.0}}


def test_single_task_run_shows_no_zero_width_ci(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = _run(tmp_path, "one", "anthropic/claude-x", SHORT)
    capsys.readouterr()
    assert main(["report", str(run)]) == 0
    out = capsys.readouterr().out
    assert "100.0 [no CI]" in out
    assert "[100.0, 100.0]" not in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_several_runs_one_table_with_full_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    x, y = "anthropic/claude-x-2025-10-01-long-name", "anthropic/claude-y-2025-10-01-long-name"
    a, b = _run(tmp_path, "a", x, SHORT), _run(tmp_path, "b", y, LONG)
    capsys.readouterr()
    assert main(["report", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 80
    flat = _flat(out)
    assert f"A = {x}, no judge" in flat and f"B = {y}, no judge" in flat  # never cut
    assert "story 100.0 0.0" in flat  # one per-task table, a column per run
    assert main(["report", str(a), str(b), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [r["scores"]["model"] for r in doc["runs"]] == [x, y]
    assert doc["runs"][1]["tasks_worst_first"] == [{"task_id": "story", "score": 0.0}]


def test_report_warns_of_mode_collapse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = _run(tmp_path, "c", "anthropic/claude-x", SHORT)
    scores = json.loads((run / "scores.json").read_text())
    scores["diversity"]["compression_ratio"] = 6.2  # past the project's 5.0 rule
    (run / "scores.json").write_text(json.dumps(scores))
    capsys.readouterr()
    assert main(["report", str(run)]) == 0
    assert "mode collapse: repetitive text: compression_ratio = 6.2" in _flat(
        capsys.readouterr().out
    )


def test_report_prints_nothing_before_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _run(tmp_path, "g", "anthropic/claude-x", SHORT)
    bad_prices = tmp_path / "p.yaml"
    bad_prices.write_text("models:\n  - {pattern: x, input: cheap, output: 1}\n")
    capsys.readouterr()
    assert main(["report", str(good), "--prices", str(bad_prices)]) == 2
    cap = capsys.readouterr()
    assert cap.out == ""
    assert cap.err.count("\n") == 1 and "models.0.input" in cap.err
    # A second run directory that is not a run: still nothing printed for the first.
    assert main(["report", str(good), str(tmp_path)]) == 2
    cap = capsys.readouterr()
    assert cap.out == "" and "not a run directory" in cap.err


def test_compare_two_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = _run(tmp_path, "a", "anthropic/claude-x", SHORT)
    b = _run(tmp_path, "b", "anthropic/claude-y", LONG)
    capsys.readouterr()
    assert main(["compare", str(a), str(b), "--suite", str(MINI), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    overall = doc["overall"]
    # One shared task, 100 -> 0: a difference of -100 with no CI and no call either way.
    assert (overall["n"], overall["diff"], overall["ci_low"], overall["significant"]) == (
        1, -100.0, None, None,
    )  # fmt: skip
    assert [c["scope"] for c in doc["categories"]] == ["creative_writing"]
    assert main(["compare", str(a), str(b), "--suite", str(MINI)]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "-100.0 [no CI]" in out and "anthropic/claude-y" in out


def test_compare_refuses_runs_with_no_task_in_common(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Empty tables would read as "no difference": two runs of different tasks are refused."""
    a = _run(tmp_path, "a", "anthropic/claude-x", SHORT)
    b = _run(tmp_path, "b", "anthropic/claude-y", SHORT, task="page")
    capsys.readouterr()
    assert main(["compare", str(a), str(b), "--suite", str(MINI)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "share no scored task (A 1, B 1)" in captured.err
    assert len(captured.err.strip().splitlines()) == 1


def test_judge_sample_agreement_by_hand() -> None:
    from benchmark.measure.report import judge_agreement

    def j(votes: list[bool | None] | None, agreement: float | None) -> JudgmentRecord:
        return JudgmentRecord(
            task_id="t", sample=0, model="m", item_id="i", dimension="d", points=1,
            verdict=True, judge="j", votes=votes, vote_agreement=agreement,
        )  # fmt: skip

    # Three items with K=3 votes: unanimous, 2 of 3, 2 of 3; a check (no votes) is left out.
    records = [j([True] * 3, 1.0), j([True, False, True], 2 / 3), j([False, False, True], 2 / 3)]
    records.append(j(None, None))
    assert judge_agreement(records) == {
        "items": 3,
        "mean_vote_agreement": round((1 + 2 / 3 + 2 / 3) / 3, 4),
        "unanimous_share": round(1 / 3, 4),
    }
    assert judge_agreement([j(None, None)]) is None  # one verdict per item: nothing to show
