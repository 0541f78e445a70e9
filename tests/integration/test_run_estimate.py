"""`--dry-run` and `--max-cost` (benchmark.engine.run_estimate, benchmark.engine._budget) on the mini suite
with the in-process mock provider: the estimate against values computed by hand from the task
files, no call and no run directory for a dry run, and a capped run that stops before its cap
and resumes."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from benchmark.cli import main
from benchmark.engine._budget import call_usage
from benchmark.engine.judging import JudgePlan
from benchmark.measure.cost import load_prices, price_usage
from benchmark.records.rundir import RunDir
from benchmark.records.runspec import GenerationParams
from benchmark.records.schemas import Usage
from benchmark.suite import load_suite
from tests.fakes import FakeAnthropic
from tests.mock_calls import MockCalls

MINI = Path(__file__).parents[1] / "data" / "mini_suite"
# The mini suite's prompts (tests/data/mini_suite/tasks), as sent.
STORY = "Write a very short story about a lighthouse."
PAGE = "Make a sign-up form in one HTML file."
TALK = "My exam is tomorrow and I can't sleep."
TALK_TURNS = ("It's chemistry. I failed the mock.", "Thanks. I think I just needed to say it.")
REPLY = 2048 * 4  # an answer at the default --max-tokens, in characters (4 a token)


def _tokens(chars: int) -> int:
    return math.ceil(chars / 4)


def _prices(tmp_path: Path) -> Path:
    path = tmp_path / "prices.yaml"
    path.write_text('models:\n  - {pattern: "mock/*", input: 1.0, output: 2.0}\n')
    return path


def _cli(cmd: str, out: Path, *extra: str) -> int:
    where = ["--out", str(out)] if cmd == "run" else [str(out)]
    return main(
        [cmd, *where, "--model", "mock/good", "--suite", str(MINI), "--no-progress", *extra]
    )


def test_model_estimate_is_the_hand_computed_one(
    mock_calls: MockCalls, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    args = ["--judge", "mock/good", "--prices", str(_prices(tmp_path)), "--dry-run"]
    assert _cli("run", out, *args) == 0
    # Each turn of `talk` sends the earlier turns and replies again.
    talk_inputs = [
        len(TALK),
        len(TALK) + REPLY + len(TALK_TURNS[0]),
        len(TALK) + 2 * REPLY + len(TALK_TURNS[0]) + len(TALK_TURNS[1]),
    ]
    tokens_in = _tokens(len(STORY)) + _tokens(len(PAGE)) + sum(_tokens(c) for c in talk_inputs)
    assert tokens_in == 6221
    text = capsys.readouterr().out
    assert f"5 calls, {tokens_in:,} input + {5 * 2048:,} output tokens" in text
    dollars = (tokens_in * 1.0 + 5 * 2048 * 2.0) / 1e6  # $1 / $2 per million
    assert f"${dollars:.4f}" in text  # 0.0267
    assert "no prompt-cache reads" in text
    assert mock_calls() == [] and not out.exists()


def test_judge_estimate_counts_groups_and_the_real_judge_prompt(
    mock_calls: MockCalls, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prices = str(_prices(tmp_path))
    out = tmp_path / "run"
    # Responses first (paid), then a dry run of the judging left: no model calls.
    assert _cli("generate", out, "--prices", prices) == 0
    capsys.readouterr()
    n_model = len(mock_calls())
    flags = ["--judge", "mock/good", "--judge-samples", "2", "--prices", prices, "--dry-run"]
    assert _cli("run", out, *flags) == 0
    text = capsys.readouterr().out
    assert "    0 calls, 0 input" in text  # the model part: every response is there
    # One call per (response, dimension with a judged item) x 2 judge samples: story's writing,
    # talk's listening, page's design.
    suite = load_suite(MINI)
    run = RunDir(out)
    plan = JudgePlan(suite.dimensions, "dimension", 2, GenerationParams(1.0, 2048))
    tasks = {t.id: t for t in suite.tasks}
    requests = [
        r
        for resp in run.responses()
        for g in plan.pending(tasks[resp.task_id], resp, set())
        for r in plan.first_asks(g)
    ]
    assert len(requests) == 6
    # Each: its system blocks, messages and verdict schema as sent, 4 characters a token.
    tokens_in = sum(
        _tokens(
            sum(len(b.text) for b in r.system)
            + sum(len(m.content) for m in r.messages)
            + (len(str(r.structured.schema)) if r.structured else 0)
        )
        for r in requests
    )
    # Judge answers: 80 tokens an item (writing 3, listening 2, design 1 judged items), x 2.
    assert f"6 calls, {tokens_in:,} input + {2 * 80 * (3 + 2 + 1):,} output tokens" in text
    assert len(mock_calls()) == n_model  # the dry run called nothing


def test_batch_halves_the_judge_estimate(
    mock_calls: MockCalls,
    fake_anthropic: FakeAnthropic,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    usage = Usage(input_tokens=1000, output_tokens=100)
    table = load_prices(_prices(tmp_path))
    assert price_usage("mock/j", usage, table, batch=True) == pytest.approx(0.0006)  # 1.2e-3 / 2
    # A judge with a batch API (the mock has none: --batch with it is refused).
    prices = tmp_path / "prices.yaml"
    prices.write_text(
        'models:\n  - {pattern: "mock/*", input: 1.0, output: 2.0}\n'
        '  - {pattern: "anthropic/*", input: 1.0, output: 2.0}\n'
    )
    args = ["--judge", "anthropic/judge-x", "--prices", str(prices), "--dry-run"]
    assert _cli("run", tmp_path / "a", *args, "--batch") == 0
    assert "batch x0.5" in capsys.readouterr().out
    assert fake_anthropic.requests == [] and mock_calls() == []


def test_max_cost_stops_before_the_cap_and_the_same_command_resumes(
    mock_calls: MockCalls, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prices = str(_prices(tmp_path))
    out = tmp_path / "run"
    # One call at a time. The story's call can cost at most (11 + 2048 x 2) / 1e6 = $0.004107;
    # its judge call (a 2048-token response read, 2048 tokens out) more than the rest of $0.005.
    flags = ["--judge", "mock/good", "--prices", prices, "--concurrency", "1", "--tasks", "story"]
    assert _cli("run", out, *flags, "--max-cost", "0.005") == 4
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("musebench: --max-cost $0.005: stopped before")
    made = mock_calls()
    assert [c["kind"] for c in made] == ["model"]
    table = load_prices(prices)
    responses = RunDir(out).responses()
    spent = sum(price_usage("mock/good", r.usage, table) or 0.0 for r in responses)
    assert len(responses) == 1 and spent <= 0.005
    # No process works on it any more: the manifest says so, with what the run holds.
    manifest = RunDir(out).read_manifest()
    assert manifest.status == "stopped" and not (out / "scores.json").exists()
    judged = [j.judge for j in RunDir(out).judgments()]
    assert judged == ["check"]  # the response's programmatic check, which costs nothing
    assert (manifest.counts.responses_done, manifest.counts.judgments_done) == (1, 1)
    assert main(["report", str(out)]) == 2
    assert "stopped early and not scored" in capsys.readouterr().err
    # The same command with a higher cap goes on from there; the paid response is not asked again.
    assert _cli("run", out, *flags, "--max-cost", "1") == 0
    assert [c["kind"] for c in mock_calls()] == ["model", "judge"]
    assert RunDir(out).read_manifest().status == "complete"


def test_call_usage_is_input_characters_and_max_tokens() -> None:
    from benchmark.engine.providers.base import GenerateRequest, SystemBlock
    from benchmark.records.schemas import Message

    request = GenerateRequest(
        messages=[Message(role="user", content="x" * 9)],
        params=GenerationParams(max_tokens=50),
        system=(SystemBlock("y" * 3),),
    )
    assert call_usage(request) == Usage(input_tokens=3, output_tokens=50)  # ceil(12 / 4)


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--max-cost", "0"], "--max-cost must be above 0, not 0"),
        (["--max-cost", "nan"], "--max-cost must be a finite number, not nan"),
        (["--max-cost", "5"], "--max-cost: no price for mock/good"),
    ],
)
def test_bad_max_cost_is_refused_before_any_call(
    mock_calls: MockCalls,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    flags: list[str],
    message: str,
) -> None:
    out = tmp_path / "run"
    assert _cli("run", out, "--judge", "mock/good", *flags) == 2
    assert message in capsys.readouterr().err
    assert mock_calls() == [] and not out.exists()


def test_demo_prints_the_judge_estimate_before_suggesting_a_judged_run(tmp_path: Path) -> None:
    from rich.console import Console

    from benchmark.engine.demo import run_demo

    console = Console(record=True, width=400)
    run_demo(tmp_path / "demo", console=console)
    text = console.export_text()
    estimate = text.index("Judging these runs with anthropic/claude-sonnet-4-5: ")
    assert estimate < text.index("--judge anthropic/claude-sonnet-4-5")
    assert "no prompt-cache reads" in text[estimate:] and "batch API" in text[estimate:]
    # One judge call per response (two when some items are judged from screenshots) with an
    # item the demo left "not judged".
    items = {it.id: it for t in load_suite().tasks for it in t.items}
    groups = {
        (run.name, j.task_id, j.sample, items[j.item_id].sees_screenshots)
        for run in (tmp_path / "demo").iterdir()
        if run.is_dir()
        for j in RunDir(run).judgments()
        if j.error_kind == "not_judged"
    }
    assert f": {len(groups):,} judge calls, about $" in text


def test_max_cost_needs_prices_only_for_the_calls_the_command_makes(
    mock_calls: MockCalls, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prices = tmp_path / "judge_only.yaml"
    prices.write_text('models:\n  - {pattern: "mock/good", input: 1.0, output: 2.0}\n')
    out = tmp_path / "run"
    base = ["--suite", str(MINI), "--no-progress"]
    story = [*base, "--tasks", "story"]
    assert main(["generate", str(out), "--model", "mock/bad", *story]) == 0
    # Judging only: the unpriced model is not called, so the cap needs the judge's price alone.
    judge = ["--judge", "mock/good", "--prices", str(prices), "--max-cost", "1"]
    assert main(["judge", str(out), *judge, *base]) == 0
    assert [c["kind"] for c in mock_calls()] == ["model", "judge"]
    # A new run would pay the unpriced model: refused before any call.
    new = tmp_path / "new"
    assert main(["run", "--out", str(new), "--model", "mock/bad", *judge, *story]) == 2
    assert "--max-cost: no price for mock/bad" in capsys.readouterr().err
    assert len(mock_calls()) == 2 and not new.exists()


def test_max_cost_holds_a_whole_batch_before_sending_it(
    fake_anthropic: FakeAnthropic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_anthropic.batch_polls = 0
    prices = tmp_path / "prices.yaml"
    prices.write_text(
        "models:\n"
        '  - {pattern: "anthropic/model-under-test", input: 0, output: 0}\n'
        '  - {pattern: "anthropic/judge-x", input: 100.0, output: 100.0}\n'
    )
    out = tmp_path / "r"
    argv = ["run", "--model", "anthropic/model-under-test", "--judge", "anthropic/judge-x"]
    argv += ["--out", str(out), "--suite", str(MINI), "--batch", "--no-progress"]
    argv += ["--prices", str(prices)]
    # Three judge calls of over 1,000 tokens each at $100 per million x 0.5: over $0.15.
    assert main([*argv, "--max-cost", "0.1"]) == 4
    assert "musebench: --max-cost $0.1: stopped before" in capsys.readouterr().err
    assert fake_anthropic.batches == {}  # nothing sent
    assert len(RunDir(out).responses()) == 3  # the free responses (one a task) are kept
    assert RunDir(out).read_manifest().status == "stopped"
    assert main([*argv, "--max-cost", "100"]) == 0
    assert len(fake_anthropic.batches) == 1
    assert RunDir(out).read_manifest().status == "complete"
