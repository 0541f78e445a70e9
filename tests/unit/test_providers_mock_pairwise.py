"""The mock provider as a pairwise judge: it recognises the pairwise schema, prefers the more
relevant response (the good mock reply over the poor template) and, with `bias=first`, sends
its unreliable verdicts to the first seat."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from benchmark.cli import main
from benchmark.engine.pairwise.parse import parse_comparison
from benchmark.engine.pairwise.prompt import build_pairwise_request, task_criteria
from benchmark.engine.providers.base import GenerationParams
from benchmark.engine.providers.mock_answers import POOR_REPLY, model_reply
from benchmark.engine.providers.mock_provider import MockProvider, MockSettings, parse_mock_spec
from benchmark.errors import SpecError
from benchmark.records.schemas import Message, ResponseRecord
from benchmark.suite import load_suite
from tests.pairwise_support import make_suite

MINI = Path(__file__).parents[1] / "data" / "mini_suite"


def _response(task_id: str, text: str, sample: int = 0) -> ResponseRecord:
    return ResponseRecord(
        task_id=task_id,
        sample=sample,
        model="m",
        transcript=[Message(role="assistant", content=text)],
        text=text,
    )


def _winners(spec: str, first: str, second: str, judge_sample: int = 0) -> dict[str, str]:
    suite = load_suite(MINI)
    task = suite.task("story")
    criteria = task_criteria(task)
    request = build_pairwise_request(
        task,
        _response(task.id, first),
        _response(task.id, second, 1),
        criteria,
        suite.dimensions,
        GenerationParams(temperature=0.0, max_tokens=2048),
        judge_sample=judge_sample,
    )
    completion = asyncio.run(MockProvider(spec.removeprefix("mock/")).generate(request))
    verdicts = parse_comparison(completion, criteria)
    assert all(v.error is None for v in verdicts), verdicts  # the schema, filled exactly
    assert set(completion.structured or {}) == set(criteria)
    return {v.criterion: str(v.winner) for v in verdicts}


def _good_reply() -> str:
    task = load_suite(MINI).task("story")
    return model_reply(task.prompt, good=True, draw=lambda label: 0.0)


def test_a_good_judge_prefers_the_good_reply_in_both_seats() -> None:
    good = _good_reply()
    assert set(_winners("mock/good", good, POOR_REPLY).values()) == {"A"}
    assert set(_winners("mock/good", POOR_REPLY, good).values()) == {"B"}
    assert set(_winners("mock/good", good, good).values()) == {"tie"}


def test_margin_grows_with_the_relevance_gap() -> None:
    suite = load_suite(MINI)
    task = suite.task("story")
    request = build_pairwise_request(
        task,
        _response(task.id, _good_reply()),
        _response(task.id, POOR_REPLY, 1),
        ["overall"],
        suite.dimensions,
        GenerationParams(temperature=0.0, max_tokens=2048),
    )
    answer = asyncio.run(MockProvider("good").generate(request)).structured
    assert answer is not None and answer["overall"]["margin"] == 3  # relevance 1 against 0


def test_bias_first_sends_every_unreliable_verdict_to_seat_a() -> None:
    good = _good_reply()
    # mock/bad is never right: with bias=first every verdict is A, whatever the order.
    assert set(_winners("mock/bad,bias=first", POOR_REPLY, good).values()) == {"A"}
    assert set(_winners("mock/bad,bias=first", good, POOR_REPLY).values()) == {"A"}
    assert set(_winners("mock/bad,bias=second", good, POOR_REPLY).values()) == {"B"}
    # Without a bias the wrong verdicts fall on both seats (over a few draws).
    seen = {w for k in range(8) for w in _winners("mock/bad", good, good, k).values()}
    assert seen == {"A", "B"}


def test_bias_spec_grammar() -> None:
    assert parse_mock_spec("q0.5,bias=first") == MockSettings(quality=0.5, bias="first")
    assert parse_mock_spec("good").bias == "none"
    with pytest.raises(SpecError, match="bias='left' must be first, second or none"):
        parse_mock_spec("good,bias=left")


def test_a_rubric_request_is_still_answered_as_a_rubric_judge() -> None:
    from benchmark.engine.providers.mock_answers import is_pairwise_schema

    rubric = {
        "type": "object",
        "properties": {"x": {"type": "object", "properties": {"verdict": {}, "evidence": {}}}},
        "required": ["x"],
    }
    assert not is_pairwise_schema(rubric)
    assert not is_pairwise_schema({"type": "object", "properties": {}, "required": []})


# ------------------------------------------------------------------ end to end


def _run(suite: Path, out: Path, model: str) -> Path:
    argv = ["run", "--model", model, "--judge", "mock/good", "--out", str(out)]
    assert main([*argv, "--suite", str(suite), "--no-progress"]) == 0
    return out


def _pairwise(suite: Path, runs: list[Path], out: Path, judge: str) -> dict:
    argv = ["pairwise", *map(str, runs), "--judge", judge, "--out", str(out)]
    assert main([*argv, "--suite", str(suite), "--bootstrap", "200"]) == 0
    return json.loads((out / "ratings.json").read_text())


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    root = tmp_path_factory.mktemp("mockpw")
    suite = make_suite(root / "suite", 12)
    return suite, [_run(suite, root / m, f"mock/{m}") for m in ("bad", "q0.5", "good")]


def test_mock_judge_ranks_mock_models_of_known_quality(runs, tmp_path: Path) -> None:
    suite, dirs = runs
    ratings = _pairwise(suite, dirs, tmp_path / "pw", "mock/good")
    by_model = {r["model"]: r for r in ratings["runs"]}
    assert [r["model"] for r in ratings["runs"]] == ["mock/good", "mock/q0.5", "mock/bad"]
    assert by_model["mock/good"]["ci_low"] > by_model["mock/bad"]["ci_high"]
    # A judge that is always right never changes its verdict with the order.
    assert ratings["position"]["flip_rate"] == 0.0


def test_a_first_seat_biased_mock_judge_shows_in_the_flip_rate(runs, tmp_path: Path) -> None:
    suite, dirs = runs
    ratings = _pairwise(suite, dirs, tmp_path / "pw", "mock/q0.5,bias=first")
    position = ratings["position"]
    assert position["flip_rate"] > 0.2 and position["flip_ci_low"] > 0.0
    assert position["first_seat_win_rate"] > 0.6 and position["first_seat_ci_low"] > 0.5
    # The same unreliability without a bias flips as often but favours neither seat.
    fair = _pairwise(suite, dirs, tmp_path / "fair", "mock/q0.5")["position"]
    assert fair["first_seat_ci_low"] < 0.5 < fair["first_seat_ci_high"]
    assert fair["first_seat_win_rate"] < position["first_seat_win_rate"]
