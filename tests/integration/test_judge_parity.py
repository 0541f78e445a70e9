"""Same verdicts, same scores: judge prompt 2.0.0 and one call per response change what is sent,
not how a verdict becomes a score. A judge that answers each item from the response alone (the
fake Anthropic server seeded by the text inside <response>, not by the rest of the request)
gives the demo's illustrative-careful run exactly the scores it gave under prompt 1.1.0 with one
call per dimension (main at 45458d9, measured with the same responder), per response and
per dimension alike.

What this cannot show: that a real judge answers the same to the new layout, and the mock
judge's verdicts are draws seeded by the whole request, so they are redrawn whenever the
request changes (docs/JUDGING.md, "Verdict parity")."""

from __future__ import annotations

import zlib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from benchmark.engine.providers.replay import ReplayProvider
from benchmark.engine.runner import RunConfig, Runner
from benchmark.records.schemas import Scores
from tests.fakes import FakeAnthropic, fill_schema
from tests.fakes.responders import last_user_text, structured_schema

DEMO = Path(str(resources.files("benchmark").joinpath("data/demo/illustrative-careful.jsonl")))
# scores.json of that run on main at 45458d9 (judge prompt 1.1.0, --judge-mode dimension),
# judged by anthropic/judge-x on the fake with `by_response`.
MAIN_OVERALL = 46.2775
MAIN_DIMENSIONS = {
    "character_development": 28.2436,
    "craft": 54.0431,
    "design_principles": 63.9634,
    "empathetic_followups": 36.1016,
    "kind_refusal": 59.7431,
    "world_consistency": 30.8562,
}


def by_response(body: dict[str, Any]) -> dict[str, Any]:
    """Every item's answer from (the judged response's text, the item id) alone."""
    text = last_user_text(body)
    shown = text[text.rfind("<response>") : text.rfind("</response>")]
    schema = structured_schema(body)
    assert schema is not None
    answer: dict[str, Any] = fill_schema(schema, seed=zlib.crc32(shown.encode()))
    return answer


@pytest.fixture(scope="module")
def server() -> Any:
    with FakeAnthropic(by_response) as fake:
        yield fake


def _scores(server: FakeAnthropic, out: Path, mode: str, monkeypatch: pytest.MonkeyPatch) -> Scores:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    config = RunConfig(
        model="replay/careful",
        judge="anthropic/judge-x",
        judge_mode=mode,  # type: ignore[arg-type]
        progress=False,
        concurrency=16,
    )
    replay = ReplayProvider(DEMO, spec="replay/careful")
    return Runner(config, out, model_provider=replay).execute()


@pytest.mark.parametrize("mode", ["response", "dimension"])
def test_demo_scores_match_prompt_1_1_0_when_the_answers_are_the_same(
    server: FakeAnthropic, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    scores = _scores(server, tmp_path / mode, mode, monkeypatch)
    assert scores.coverage.judged == 1068 and scores.coverage.failed == 0
    assert scores.overall.score == MAIN_OVERALL
    assert {k: v.score for k, v in scores.dimensions.items()} == MAIN_DIMENSIONS
