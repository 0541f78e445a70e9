"""`musebench audit judge`: the bias card on fake judges with known biases (loopback server)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmark.cli import main
from benchmark.engine.pairwise.bias_card import family_of
from benchmark.engine.pairwise.padding import pad_text
from benchmark.records.rundir import RunDir
from benchmark.records.schemas import Coverage, ScoreCI, Scores
from tests.fakes import FakeAnthropic
from tests.fakes.pairwise_judge import PairwiseJudge, shown_responses
from tests.pairwise_support import make_run, make_suite

JUDGE = "anthropic/claude-judge"


@pytest.fixture
def runs(tmp_path: Path) -> tuple[Path, list[Path]]:
    suite = make_suite(tmp_path / "suite", 12)
    return suite, [
        make_run(tmp_path / "a", suite, "anthropic/claude-a", 1),
        make_run(tmp_path / "b", suite, "openai/gpt-b", 1),
        make_run(tmp_path / "c", suite, "openai/llama-3.1-8b", 2),
    ]


def _audit(suite: Path, runs: list[Path], out: Path, *extra: str) -> list[str]:
    return [
        "audit", "judge", *map(str, runs), "--judge", JUDGE, "--out", str(out),
        "--suite", str(suite), "--bootstrap", "200", *extra,
    ]  # fmt: skip


def test_bias_card_of_a_biased_judge(
    fake_anthropic: FakeAnthropic,
    runs: tuple[Path, list[Path]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    suite, dirs = runs
    fake_anthropic.responder = PairwiseJudge(first_seat_bias=0.5, length_bias=10.0, tie_band=0.3)
    out = tmp_path / "card"
    assert main(_audit(suite, dirs, out, "--json")) == 0
    card = json.loads(capsys.readouterr().out)
    assert card == json.loads((out / "bias_card.json").read_text())
    assert card["judge_family"] == "claude"
    assert card["position"]["flip_rate"] > 0.3
    assert card["position"]["first_seat_ci_low"] > 0.5
    assert card["length"]["padded_win_rate"]["ci_low"] > 0.5
    fam = card["family"]
    assert (
        fam["family_runs"] == ["anthropic/claude-a"] and fam["win_rate"]["n"] == 2 * 12 * 2
    )  # x K samples
    assert fam["rubric_win_rate"] is None  # the runs have no scores.json
    assert card["retest_samples"] == 2
    assert card["retest_agreement"]["rate"] == 1.0  # the fake answers one request one way
    # Every ordered call of the pairs was asked K=2 times, of the length test once.
    bodies = [r.body for r in fake_anthropic.requests_to("/v1/messages", "POST")]
    assert len(bodies) == 3 * 12 * 2 * 2 + 3 * 12 * 2
    assert all(b["temperature"] == 0.0 for b in bodies)
    # Resume, with the runs in any order: nothing asked again, the same card.
    assert main(_audit(suite, dirs, out)) == 0
    assert main(_audit(suite, dirs[::-1], out)) == 0
    assert len(fake_anthropic.requests_to("/v1/messages", "POST")) == len(bodies)
    again = json.loads((out / "bias_card.json").read_text())
    assert again["position"] == card["position"] and again["length"] == card["length"]


def test_fair_judge_ties_a_response_with_its_padded_copy(
    fake_anthropic: FakeAnthropic, runs: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    suite, dirs = runs
    fake_anthropic.responder = PairwiseJudge(tie_band=0.3)
    out = tmp_path / "card"
    assert main(_audit(suite, dirs[:1], out)) == 0  # one run: no pairs, the length test only
    card = json.loads((out / "bias_card.json").read_text())
    assert card["length"]["tie_rate"] == 1.0
    assert card["length"]["padded_win_rate"] == {
        "rate": None,
        "ci_low": None,
        "ci_high": None,
        "n": 0,
    }
    assert card["family"] is None and card["retest_agreement"] is None
    bodies = [r.body for r in fake_anthropic.requests_to("/v1/messages", "POST")]
    assert len(bodies) == 12 * 2
    for body in bodies:  # the same response, once with filler, in both seats
        a, b = shown_responses(body).values()
        short, long = sorted((a, b), key=len)
        assert long.startswith(short) and long != short


def test_dry_run_writes_nothing(
    fake_anthropic: FakeAnthropic,
    runs: tuple[Path, list[Path]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    suite, dirs = runs
    out = tmp_path / "card"
    assert main(_audit(suite, dirs, out, "--dry-run")) == 0
    err = capsys.readouterr().err
    assert "audit judge (pairs): 144 judge calls" in err
    assert "audit judge (length): 72 judge calls" in err
    assert not out.exists() and fake_anthropic.requests_to("/v1/messages", "POST") == []


def test_families_and_padding() -> None:
    assert family_of("anthropic/claude-sonnet-4-5") == "claude"
    assert family_of("openai/gpt-4o") == family_of("openai/o3-mini") == "gpt"
    assert family_of("openai/meta-llama/Llama-3.1-8B-Instruct") == "llama"
    assert family_of("openai/some-new-model") == "some"
    text = "one two three"
    padded = pad_text(text)
    assert padded.startswith(text + "\n\n") and len(padded.split()) - 3 >= 40
    assert len(pad_text(" ".join(["w"] * 400)).split()) - 400 >= 200


def test_flaky_judge_shows_in_test_retest(
    fake_anthropic: FakeAnthropic, runs: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    suite, dirs = runs
    fake_anthropic.responder = PairwiseJudge(flaky=0.5)
    out = tmp_path / "card"
    assert main(_audit(suite, dirs[:2], out, "--judge-samples", "3")) == 0
    retest = json.loads((out / "bias_card.json").read_text())["retest_agreement"]
    # Half the answers drawn afresh at random: three draws of one call seldom all agree.
    assert retest["n"] == 12 * 2 and retest["ci_high"] < 0.9


def test_family_win_rate_beside_the_rubric(
    fake_anthropic: FakeAnthropic, runs: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    suite, dirs = runs
    for path, score in ((dirs[0], 0.2), (dirs[1], 0.8)):  # the claude run scores lower
        tasks = {f"t{k:02d}": ScoreCI(score=score) for k in range(12)}
        RunDir(path).write_scores(
            Scores(
                model="m/m",
                overall=ScoreCI(score=score * 100),
                dimensions={},
                categories={},
                tasks=tasks,
                coverage=Coverage(expected=24, judged=24, failed=0),
            )
        )
    fake_anthropic.responder = PairwiseJudge(tie_band=0.3)  # equal quality: always a tie
    out = tmp_path / "card"
    assert main(_audit(suite, dirs[:2], out, "--judge-samples", "1")) == 0
    fam = json.loads((out / "bias_card.json").read_text())["family"]
    assert fam["win_rate"]["rate"] == 0.5 and fam["win_rate"]["n"] == 12
    assert fam["rubric_win_rate"] == 0.0
