"""Cache keys (repeated samples never collapse; every parameter counts) and the run dir's
append-only files (partial last line after a kill, error lines dropped on resume)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmark.engine.cache import ResponseCache, cache_key
from benchmark.engine.providers.base import (
    Completion,
    GenerateRequest,
    GenerationParams,
    StructuredOutput,
    SystemBlock,
)
from benchmark.errors import RunDirError
from benchmark.records.rundir import JsonlAppender, RunDir
from benchmark.records.schemas import JudgmentRecord, Message, ResponseRecord, Usage

BASE = GenerateRequest(
    messages=[Message(role="user", content="hi")],
    params=GenerationParams(temperature=0.0, max_tokens=100),
    task_id="t",
    sample=0,
)


@pytest.mark.parametrize(
    "variant",
    [
        GenerateRequest(messages=BASE.messages, params=BASE.params, task_id="t", sample=1),
        GenerateRequest(
            messages=BASE.messages,
            params=GenerationParams(temperature=0.5, max_tokens=100),
            task_id="t",
            sample=0,
        ),
        GenerateRequest(
            messages=BASE.messages,
            params=GenerationParams(temperature=0.0, max_tokens=101),
            task_id="t",
            sample=0,
        ),
        GenerateRequest(
            messages=BASE.messages,
            params=GenerationParams(temperature=0.0, max_tokens=100, top_p=0.9),
            task_id="t",
            sample=0,
        ),
        GenerateRequest(
            messages=BASE.messages,
            params=GenerationParams(temperature=0.0, max_tokens=100, seed=3),
            task_id="t",
            sample=0,
        ),
        GenerateRequest(
            messages=[Message(role="user", content="hi!")],
            params=BASE.params,
            task_id="t",
            sample=0,
        ),
        GenerateRequest(
            messages=BASE.messages,
            params=BASE.params,
            task_id="t",
            sample=0,
            system=(SystemBlock("be brief"),),
        ),
        GenerateRequest(
            messages=BASE.messages,
            params=BASE.params,
            task_id="t",
            sample=0,
            system=(SystemBlock("be brief", cache=True),),
        ),
        GenerateRequest(
            messages=BASE.messages,
            params=BASE.params,
            task_id="t",
            sample=0,
            structured=StructuredOutput("v", "d", {"type": "object"}),
        ),
        GenerateRequest(messages=BASE.messages, params=BASE.params, task_id="u", sample=0),
        GenerateRequest(
            messages=BASE.messages, params=BASE.params, task_id="t", sample=0, response_sample=1
        ),
    ],
)
def test_every_field_changes_the_key(variant: GenerateRequest) -> None:
    assert cache_key("anthropic/m", variant) != cache_key("anthropic/m", BASE)


def test_key_depends_on_spec_and_is_stable() -> None:
    assert cache_key("anthropic/m", BASE) == cache_key("anthropic/m", BASE)
    assert cache_key("anthropic/m", BASE) != cache_key("openai/m", BASE)
    assert cache_key("anthropic/m", BASE) != cache_key("anthropic/m2", BASE)


def test_cache_roundtrip_and_persistence(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    c = ResponseCache(path)
    comp = Completion(
        text="ok",
        usage=Usage(input_tokens=3, output_tokens=2),
        structured={"a": {"verdict": True}},
        stop_reason="end_turn",
        model="m",
    )
    key = cache_key("anthropic/m", BASE)
    assert c.get(key) is None
    c.put(key, "anthropic/m", comp)
    c.close()
    again = ResponseCache(path)  # a new process sees the committed row
    assert again.get(key) == comp
    assert len(again) == 1


def _resp(tid: str, s: int, error: str | None = None) -> ResponseRecord:
    return ResponseRecord(
        task_id=tid,
        sample=s,
        model="m",
        transcript=[Message(role="user", content="q"), Message(role="assistant", content="a")],
        text="a",
        error=error,
    )


def test_partial_last_line_is_cut_before_appending(tmp_path: Path) -> None:
    run = RunDir(tmp_path)
    out = JsonlAppender(run.responses_path)
    out.append(_resp("t", 0))
    out.close()
    with run.responses_path.open("a") as fh:
        fh.write('{"task_id": "t", "sample": 1, "mod')  # killed mid-write
    assert [r.sample for r in run.responses()] == [0]
    out = JsonlAppender(run.responses_path)
    out.append(_resp("t", 1))
    out.close()
    assert [r.sample for r in run.responses()] == [0, 1]
    assert run.responses_path.read_text().count("\n") == 2


def test_drop_failed_keeps_values(tmp_path: Path) -> None:
    run = RunDir(tmp_path)
    out = JsonlAppender(run.responses_path)
    out.append(_resp("t", 0))
    out.append(_resp("t", 1, error="ProviderError: 500"))
    out.close()
    jout = JsonlAppender(run.judgments_path)
    base = dict(task_id="t", sample=0, model="m", dimension="d", points=1)
    jout.append(JudgmentRecord(item_id="a", verdict=True, judge="j", **base))
    jout.append(JudgmentRecord(item_id="b", verdict=None, judge="j", error="timeout", **base))
    jout.append(JudgmentRecord(item_id="c", verdict=False, judge="check", **base))
    jout.close()
    assert run.drop_failed() == (1, 1)
    assert [r.sample for r in run.responses()] == [0]
    assert [j.item_id for j in run.judgments()] == ["a", "c"]


def test_malformed_line_names_file_and_line(tmp_path: Path) -> None:
    run = RunDir(tmp_path)
    run.responses_path.write_text('{"task_id": "t"}\n')
    with pytest.raises(RunDirError, match=r"responses.jsonl:1:"):
        run.responses()


def test_require_errors(tmp_path: Path) -> None:
    with pytest.raises(RunDirError, match="run directory not found"):
        RunDir(tmp_path / "nope").require()
    with pytest.raises(RunDirError, match="not a run directory"):
        RunDir(tmp_path).require()


def test_bad_price_table_names_file_and_field(tmp_path: Path) -> None:
    from benchmark.errors import UsageError
    from benchmark.measure.cost import load_prices

    bad = tmp_path / "prices.yaml"
    bad.write_text(
        "models:\n  - pattern: x\n    input: -1\n    output: 1\n"
        "    cache_write: 1\n    cache_read: 1\n"
    )
    with pytest.raises(UsageError, match=r"prices.yaml:models.0.input:"):
        load_prices(bad)
    with pytest.raises(UsageError, match=r"--prices: file not found"):
        load_prices(tmp_path / "nope.yaml")
    assert load_prices().find("anthropic/claude-sonnet-4-5") is not None
