"""The in-process mock provider (`mock/...`): spec grammar, determinism, schema-complete judge
answers with grounded quotes, faults, usage, and the quality knob end to end on the mini suite."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import jsonschema
import pytest

from benchmark.cli import main
from benchmark.engine.judging.parse import UNGROUNDED, parse_judge_completion
from benchmark.engine.judging.prompt import build_judge_request
from benchmark.engine.providers import make_provider, parse_spec, temperature_range
from benchmark.engine.providers.base import Completion, GenerateRequest, GenerationParams
from benchmark.engine.providers.mock_answers import POOR_REPLY
from benchmark.engine.providers.mock_provider import (
    LOG_ENV,
    MockProvider,
    MockSettings,
    parse_mock_spec,
)
from benchmark.engine.providers.stop import stop_kind
from benchmark.errors import ProviderError, SpecError
from benchmark.records.schemas import Message, ResponseRecord
from benchmark.suite import load_suite

MINI = Path(__file__).parents[1] / "data" / "mini_suite"
STORY = "Write a very short story about a lighthouse."


def _ask(provider: MockProvider, request: GenerateRequest) -> Completion:
    return asyncio.run(provider.generate(request))


def _prompt(text: str = STORY, *, sample: int = 0, max_tokens: int = 1024) -> GenerateRequest:
    return GenerateRequest(
        messages=[Message(role="user", content=text)],
        params=GenerationParams(max_tokens=max_tokens),
        task_id="story",
        sample=sample,
    )


# ------------------------------------------------------------------ spec grammar


@pytest.mark.parametrize(
    ("name", "settings"),
    [
        ("good", MockSettings(quality=1.0)),
        ("bad", MockSettings(quality=0.0)),
        ("q0.7", MockSettings(quality=0.7)),
        ("q1", MockSettings(quality=1.0)),
        ("q.25,err=0.1", MockSettings(quality=0.25, err=0.1)),
        (
            "good,flaky=2,trunc=0.5,malformed=1,ungrounded=0.3,latency=0.01",
            MockSettings(1.0, flaky=2, trunc=0.5, malformed=1.0, ungrounded=0.3, latency=0.01),
        ),
    ],
)
def test_spec_grammar(name: str, settings: MockSettings) -> None:
    assert parse_mock_spec(name) == settings
    provider = make_provider(f"mock/{name}")
    assert isinstance(provider, MockProvider)
    assert provider.spec == f"mock/{name}" and provider.endpoint is None
    assert parse_spec(f"mock/{name}") == ("mock", name)


@pytest.mark.parametrize(
    ("name", "names"),
    [
        ("great", "quality 'great'"),
        ("q1.5", "quality 'q1.5'"),
        ("q-0.1", "quality 'q-0.1'"),
        ("good,err=2", "err='2'"),
        ("good,err=nan", "err='nan'"),
        ("good,flaky=1.5", "flaky='1.5'"),
        ("good,latency=-1", "latency='-1'"),
        ("good,latency=inf", "latency='inf'"),
        ("good,speed=1", "option 'speed=1'"),
        ("good,err", "option 'err'"),
        ("good,err=0.1,err=0.2", "'err' given twice"),
    ],
)
def test_bad_specs_name_the_part(name: str, names: str) -> None:
    with pytest.raises(SpecError, match="mock/") as err:
        make_provider(f"mock/{name}")
    assert names in str(err.value)
    with pytest.raises(SpecError, match="mock/"):
        parse_spec(f"mock/{name}")  # what the run's checks before any work call


def test_bad_spec_leaves_no_run_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    argv = ["run", "--model", "mock/great", "--judge", "mock/good", "--out", str(out)]
    assert main([*argv, "--suite", str(MINI), "--no-progress"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "musebench: error: model spec 'mock/great': quality 'great' is not good, bad or q<number in 0..1>"
    ]
    assert not out.exists()


def test_any_non_negative_temperature() -> None:
    assert temperature_range("mock/good") == (0.0, float("inf"))


# ------------------------------------------------------------------ as a model


def test_same_request_same_answer_samples_differ() -> None:
    first = _ask(MockProvider("q0.5"), _prompt())
    again = _ask(MockProvider("q0.5"), _prompt())  # a new instance: nothing kept in memory
    assert first == again
    texts = {_ask(MockProvider("good"), _prompt(sample=s)).text for s in range(12)}
    assert len(texts) > 1  # repeated samples are distinct calls with distinct answers


def test_good_reply_is_on_topic_short_and_asks_little() -> None:
    for s in range(10):
        text = _ask(MockProvider("good"), _prompt(sample=s)).text
        assert "lighthouse" in text and "story" in text
        assert len(text.split()) <= 60 and text.count("?") <= 1


def test_good_reply_writes_html_when_asked() -> None:
    text = _ask(MockProvider("good"), _prompt("Make a sign-up form in one HTML file.")).text
    for tag in ("<form", "<input", "<button", "<label"):
        assert tag in text


def test_poor_reply_is_one_template() -> None:
    for text in (STORY, "Make a sign-up form in one HTML file.", "My exam is tomorrow."):
        completion = _ask(MockProvider("bad"), _prompt(text))
        assert completion.text == POOR_REPLY
    assert len(POOR_REPLY.split()) > 60 and POOR_REPLY.count("?") == 3


def test_quality_is_the_share_of_good_replies_and_monotone() -> None:
    """The draws ignore the spec, so a higher quality only turns replies good."""
    n = 200
    good = {
        q: {
            s for s in range(n) if _ask(MockProvider(f"q{q}"), _prompt(sample=s)).text != POOR_REPLY
        }
        for q in (0.2, 0.7)
    }
    assert good[0.2] <= good[0.7]
    assert 0.1 * n < len(good[0.2]) < 0.3 * n and 0.6 * n < len(good[0.7]) < 0.8 * n


def test_usage_counts_four_characters_a_token() -> None:
    request = _prompt()
    completion = _ask(MockProvider("good"), request)
    assert completion.usage.input_tokens == -(-len(STORY) // 4)  # ceil(44 / 4) = 11
    assert completion.usage.output_tokens == -(-len(completion.text) // 4)
    assert completion.usage.cache_read_tokens == 0
    assert stop_kind(completion.stop_reason) == "end" and completion.model == "good"


def test_max_tokens_cuts_the_answer() -> None:
    completion = _ask(MockProvider("bad"), _prompt(max_tokens=5))
    assert completion.text == POOR_REPLY[:20]
    assert stop_kind(completion.stop_reason) == "max_tokens"
    assert completion.usage.output_tokens == 5


def test_trunc_cuts_answers_in_half() -> None:
    completion = _ask(MockProvider("bad,trunc=1"), _prompt())
    assert completion.text == POOR_REPLY[: len(POOR_REPLY) // 2]
    assert stop_kind(completion.stop_reason) == "max_tokens"


def test_err_fails_for_good_and_flaky_fails_then_answers() -> None:
    with pytest.raises(ProviderError) as err:
        _ask(MockProvider("good,err=1"), _prompt())
    assert not err.value.retryable and err.value.status == 400
    flaky = MockProvider("good,flaky=2")
    for _ in range(2):
        with pytest.raises(ProviderError) as err:
            _ask(flaky, _prompt())
        assert err.value.retryable and err.value.status == 503
    assert _ask(flaky, _prompt()).text == _ask(MockProvider("good"), _prompt()).text
    assert len(flaky.requests) == 3


def test_latency_is_slept_per_call_and_zero_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("benchmark.engine.providers.mock_provider.asyncio.sleep", sleep)
    _ask(MockProvider("good"), _prompt())
    assert slept == []
    provider = MockProvider("good,latency=0.25")
    _ask(provider, _prompt())
    _ask(provider, _prompt(sample=1))
    assert slept == [0.25, 0.25]


def test_log_env_records_every_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv(LOG_ENV, str(log))
    _ask(MockProvider("good"), _prompt(sample=3))
    with pytest.raises(ProviderError):
        _ask(MockProvider("good,err=1"), _prompt())
    lines = [json.loads(x) for x in log.read_text().splitlines()]
    assert lines == [
        {
            "spec": "mock/good",
            "task_id": "story",
            "sample": 3,
            "response_sample": None,
            "kind": "model",
            "outcome": "ok",
        },
        {
            "spec": "mock/good,err=1",
            "task_id": "story",
            "sample": 0,
            "response_sample": None,
            "kind": "model",
            "outcome": "error",
        },
    ]


# ------------------------------------------------------------------ as a judge


def _story_judge_request(text: str, *, judge_sample: int = 0) -> tuple[GenerateRequest, list]:
    suite = load_suite(MINI)
    task = next(t for t in suite.tasks if t.id == "story")
    items = [it for it in task.items if it.check is None]
    dimension = suite.dimensions[items[0].dimension]
    response = ResponseRecord(
        task_id="story",
        sample=0,
        model="m",
        transcript=[
            Message(role="user", content=task.prompt),
            Message(role="assistant", content=text),
        ],
        text=text,
    )
    request = build_judge_request(
        task,
        response,
        items,
        dimension,
        GenerationParams(temperature=0.0),
        judge_sample=judge_sample,
    )
    return request, items


ON_TOPIC = (
    "The lighthouse keeper wrote one last short story. Then she changed her mind, and lit the "
    "lamp again."
)


def test_judge_answer_fills_the_schema_exactly() -> None:
    request, items = _story_judge_request(ON_TOPIC)
    assert request.structured is not None
    completion = _ask(MockProvider("q0.5"), request)
    answer = completion.structured
    schema = request.structured.schema
    assert answer is not None and json.loads(completion.text) == answer
    jsonschema.validate(answer, schema)  # every id, every field, nothing else
    assert list(answer) == schema["required"] == [it.id for it in items]
    for item_id, entry in answer.items():
        assert schema["properties"][item_id] == {"$ref": "#/$defs/verdict"}
        assert list(entry) == schema["$defs"]["verdict"]["required"]
        assert isinstance(entry["verdict"], bool) and isinstance(entry["evidence"], str)
    assert stop_kind(completion.stop_reason) == "end"
    assert completion.usage.cache_read_tokens > 0  # the system blocks are marked for caching


def test_good_judge_on_an_on_topic_response_meets_positives_with_grounded_quotes() -> None:
    request, items = _story_judge_request(ON_TOPIC)
    completion = _ask(MockProvider("good"), request)
    verdicts = {v.item_id: v for v in parse_judge_completion(completion, items, ON_TOPIC)}
    # q = 1 and every task word repeated: positives met, the negative (cliche) not met.
    assert {i: v.verdict for i, v in verdicts.items()} == {
        "has_lighthouse": True,
        "has_change": True,
        "cliche": False,
    }
    for item_id in ("has_lighthouse", "has_change"):
        assert verdicts[item_id].grounded is True and verdicts[item_id].evidence in ON_TOPIC
    assert verdicts["cliche"].evidence == "" and verdicts["cliche"].grounded is None


def test_off_topic_response_fails_even_with_a_good_judge() -> None:
    request, items = _story_judge_request(POOR_REPLY)
    verdicts = parse_judge_completion(_ask(MockProvider("good"), request), items, POOR_REPLY)
    assert {v.item_id: v.verdict for v in verdicts} == {
        "has_lighthouse": False,
        "has_change": False,
        "cliche": True,
    }
    cliche = next(v for v in verdicts if v.item_id == "cliche")
    assert cliche.grounded is True and cliche.evidence in POOR_REPLY


def test_bad_judge_meets_no_positive_item() -> None:
    request, items = _story_judge_request(ON_TOPIC)
    verdicts = parse_judge_completion(_ask(MockProvider("bad"), request), items, ON_TOPIC)
    assert [v.verdict for v in verdicts] == [False, False, True]


def test_judge_samples_draw_independently() -> None:
    votes = set()
    for k in range(20):
        request, items = _story_judge_request(ON_TOPIC, judge_sample=k)
        answer = _ask(MockProvider("q0.5"), request).structured
        assert answer is not None
        votes.add(tuple(answer[it.id]["verdict"] for it in items))
    assert len(votes) > 1


def test_ungrounded_quotes_are_not_trusted() -> None:
    request, items = _story_judge_request(ON_TOPIC)
    completion = _ask(MockProvider("good,ungrounded=1"), request)
    verdicts = {v.item_id: v for v in parse_judge_completion(completion, items, ON_TOPIC)}
    assert verdicts["has_lighthouse"].verdict is None
    assert verdicts["has_lighthouse"].error == UNGROUNDED
    assert verdicts["cliche"].verdict is False  # a verdict that rests on an absence stays


def test_malformed_leaves_out_the_last_item() -> None:
    request, items = _story_judge_request(ON_TOPIC)
    completion = _ask(MockProvider("good,malformed=1"), request)
    verdicts = parse_judge_completion(completion, items, ON_TOPIC)
    assert [v.malformed for v in verdicts] == [False, False, True]
    assert verdicts[-1].error == "item missing from the judge's answer"


def test_truncated_judge_answer_has_no_structured_value() -> None:
    request, items = _story_judge_request(ON_TOPIC)
    completion = _ask(MockProvider("good,trunc=1"), request)
    assert completion.structured is None and stop_kind(completion.stop_reason) == "max_tokens"
    verdicts = parse_judge_completion(completion, items, ON_TOPIC)
    assert all(v.malformed and v.verdict is None for v in verdicts)


def test_multi_turn_quotes_come_from_assistant_turns() -> None:
    suite = load_suite(MINI)
    task = next(t for t in suite.tasks if t.id == "talk")
    items = [it for it in task.items if it.check is None]
    turns = [
        "An exam tomorrow and no sleep is hard. What worries you?",
        "Chemistry mocks are practice.",
        "Sleep well.",
    ]
    transcript = []
    for user, reply in zip([task.prompt, *task.turns], turns, strict=True):
        transcript += [Message(role="user", content=user), Message(role="assistant", content=reply)]
    text = "\n\n".join(turns)
    response = ResponseRecord(task_id="talk", sample=0, model="m", transcript=transcript, text=text)
    request = build_judge_request(
        task, response, items, suite.dimensions["listening"], GenerationParams(temperature=0.0)
    )
    completion = _ask(MockProvider("good"), request)
    quoted = [v for v in parse_judge_completion(completion, items, text) if v.evidence]
    assert quoted  # the positive item is met (every task word repeated), so it quotes
    for v in quoted:
        assert v.grounded is True and any(v.evidence in turn for turn in turns)


# ------------------------------------------------------------------ the knob, end to end


def _run(out: Path, model: str, judge: str = "mock/good") -> dict:
    code = main(
        [
            "run",
            "--model",
            model,
            "--judge",
            judge,
            "--out",
            str(out),
            "--suite",
            str(MINI),
            "--samples",
            "2",
            "--no-progress",
        ]
    )
    assert code == 0
    return json.loads((out / "scores.json").read_text())


def test_the_knob_orders_models_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv(LOG_ENV, str(log))
    scores = {m: _run(tmp_path / m, f"mock/{m}") for m in ("good", "q0.5", "bad")}
    # Hand-computed: a good reply meets every check and the good judge meets every positive
    # item and no negative one (score 1 per response); the template fails every check and the
    # good judge finds it off topic (every positive unmet, every negative met: clipped to 0).
    assert scores["good"]["overall"]["score"] == 100.0
    assert scores["bad"]["overall"]["score"] == 0.0
    assert 0.0 < scores["q0.5"]["overall"]["score"] < 100.0
    assert all(s["coverage"]["judged"] == s["coverage"]["expected"] == 18 for s in scores.values())
    # 2 samples x (1 + 3 + 1 turns) model calls and 2 x 3 judge calls per run.
    calls = [json.loads(x) for x in log.read_text().splitlines()]
    assert len(calls) == 3 * (10 + 6)
    # The same command again is served from the run dir: no call, same scores.
    assert _run(tmp_path / "good", "mock/good") == scores["good"]
    assert len(log.read_text().splitlines()) == len(calls)


def test_a_harsher_judge_scores_the_same_responses_lower(tmp_path: Path) -> None:
    lenient = _run(tmp_path / "a", "mock/good", judge="mock/q0.8")
    harsh = _run(tmp_path / "b", "mock/good", judge="mock/q0.2")
    assert harsh["overall"]["score"] < lenient["overall"]["score"]
    # Same model, same requests: identical responses in both runs.
    a = (tmp_path / "a" / "responses.jsonl").read_text().splitlines()
    b = (tmp_path / "b" / "responses.jsonl").read_text().splitlines()
    assert sorted(a) == sorted(b)
