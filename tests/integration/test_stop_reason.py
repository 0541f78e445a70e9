"""Stop reasons: every response line records how the generation ended (Anthropic stop_reason,
OpenAI finish_reason, or the replayed line's), scores.json counts truncated responses, and
`report` prints the count beside the scores. Truncated responses are scored as is."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from benchmark.cli import main
from benchmark.engine.generation import generate_response
from benchmark.engine.providers import Completion, GenerateRequest, GenerationParams
from benchmark.engine.providers.stop import stop_kind, worst_stop
from benchmark.engine.retry import RetryPolicy
from benchmark.engine.runner import RunConfig, Runner
from benchmark.records.rundir import RunDir
from benchmark.records.schemas import ResponseRecord, Scores, StopCounts
from benchmark.suite import load_suite
from tests.fakes import FakeOpenAI

MINI = Path(__file__).parents[1] / "data" / "mini_suite"
FAST = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05)


def _config(**kw: object) -> RunConfig:
    base: dict[str, object] = dict(
        model="mock/good",
        judge="mock/good",
        suite_dir=MINI,
        progress=False,
        retry=FAST,
    )
    base.update(kw)
    return RunConfig(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("end_turn", "end"),
        ("stop_sequence", "end"),
        ("tool_use", "end"),
        ("max_tokens", "max_tokens"),
        ("model_context_window_exceeded", "max_tokens"),
        ("refusal", "other"),
        ("stop", "end"),
        ("length", "max_tokens"),
        ("content_filter", "other"),
        ("something_new", "other"),
        (None, None),
    ],
)
def test_stop_kind_maps_both_providers(raw: str | None, kind: str | None) -> None:
    assert stop_kind(raw) == kind


def test_worst_stop_of_a_multi_turn_response() -> None:
    assert worst_stop(["end", "max_tokens", "end"]) == "max_tokens"
    assert worst_stop(["end", "other"]) == "other"
    assert worst_stop(["end", None]) is None
    assert worst_stop(["end", "end"]) == "end"
    assert worst_stop([]) is None


def test_one_truncated_turn_marks_the_response() -> None:
    task = load_suite(MINI).task("talk")  # three user turns
    stops = iter(["end_turn", "max_tokens", "end_turn"])

    async def call(request: GenerateRequest) -> Completion:
        return Completion(text="reply", stop_reason=next(stops))

    rec = asyncio.run(generate_response(call, task, 0, "m", GenerationParams()))
    assert rec.stop_reason == "max_tokens"


def test_truncation_recorded_counted_and_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cut"
    # The mock cuts answers at 4 characters per token: 5 tokens cut every reply (the judge's
    # max_tokens is its own). Anthropic's and OpenAI's own words: tests/integration/test_providers.py and
    # test_openai_finish_reason_is_recorded below.
    scores = Runner(_config(max_tokens=5), out).execute()
    responses = RunDir(out).responses()
    assert [r.stop_reason for r in responses] == ["max_tokens"] * 3
    assert scores.stop_reasons == StopCounts(max_tokens=3)
    # Scored as is: truncated responses are judged and count toward the score.
    assert scores.coverage.expected == 9 and scores.overall.score is not None
    on_disk = json.loads((out / "scores.json").read_text())
    assert on_disk["stop_reasons"] == {"end": 0, "max_tokens": 3, "other": 0, "unknown": 0}

    capsys.readouterr()
    assert main(["report", str(out)]) == 0
    printed = " ".join(capsys.readouterr().out.split())
    assert "truncated: 3 of 3 responses stopped at max_tokens (scored as is" in printed

    full = Runner(_config(), tmp_path / "full").execute()
    assert full.stop_reasons == StopCounts(end=3)
    assert {r.stop_reason for r in RunDir(tmp_path / "full").responses()} == {"end"}


def test_openai_finish_reason_is_recorded(fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    # Through the SDK and the loopback server: OpenAI's own finish_reason words.
    cut = Runner(_config(model="openai/local", max_tokens=5, judge=None), tmp_path / "a")
    cut.execute(judge=False)
    assert {r.stop_reason for r in RunDir(tmp_path / "a").responses()} == {"max_tokens"}
    whole = Runner(_config(model="openai/local", judge=None), tmp_path / "b")
    whole.execute(judge=False)
    assert {r.stop_reason for r in RunDir(tmp_path / "b").responses()} == {"end"}


def test_replay_keeps_the_recorded_stop_reason(tmp_path: Path) -> None:
    """A replayed line ends the way the original did; an old line without one stays unknown."""
    src = tmp_path / "elsewhere.jsonl"
    lines = [
        ResponseRecord(
            task_id="story",
            sample=0,
            model="m",
            transcript=[{"role": "user", "content": "p"}, {"role": "assistant", "content": "a"}],  # type: ignore[list-item]
            text="a",
            stop_reason="max_tokens",
        ).model_dump_json(),
        # written before stop reasons existed: no stop_reason key at all
        json.dumps(
            {
                "task_id": "page",
                "sample": 0,
                "model": "m",
                "transcript": [
                    {"role": "user", "content": "p"},
                    {"role": "assistant", "content": "<form></form>"},
                ],
                "text": "<form></form>",
                "usage": {},
                "error": None,
            }
        ),
    ]
    src.write_text("\n".join(lines) + "\n")
    out = tmp_path / "r"
    cfg = _config(model=f"replay/{src}", judge=None, tasks="story,page")
    scores = Runner(cfg, out).execute(judge=False)
    by_task = {r.task_id: r.stop_reason for r in RunDir(out).responses()}
    assert by_task == {"story": "max_tokens", "page": None}
    assert scores.stop_reasons == StopCounts(max_tokens=1, unknown=1)


def test_old_run_dirs_stay_readable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """responses.jsonl lines without stop_reason and a scores.json without stop_reasons (both
    written before this field existed) load, report, and rescore."""
    out = tmp_path / "old"
    Runner(_config(), out).execute()
    run = RunDir(out)
    rows = [json.loads(line) for line in run.responses_path.read_text().splitlines()]
    for row in rows:
        del row["stop_reason"]
    run.responses_path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    doc = json.loads(run.scores_path.read_text())
    del doc["stop_reasons"]
    run.scores_path.write_text(json.dumps(doc))
    assert Scores.model_validate(doc).stop_reasons is None
    assert {r.stop_reason for r in run.responses()} == {None}

    capsys.readouterr()
    assert main(["report", str(out)]) == 0
    assert "truncated" not in capsys.readouterr().out  # nothing known, nothing claimed
    assert main(["score", str(out), "--suite", str(MINI)]) == 0
    assert run.read_scores().stop_reasons == StopCounts(unknown=3)
