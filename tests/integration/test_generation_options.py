"""Generation options (--top-p, --system-prompt, --reasoning-effort, --thinking-budget,
--extra-body, and the seed sent to providers that take one): checked before any request,
sent as the provider's API expects (seen by the loopback fake servers), recorded in the
manifest's model params, and compared on resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmark.cli import main
from tests.fakes import FakeAnthropic, FakeOpenAI
from tests.mock_calls import MockCalls

MINI = Path(__file__).parents[1] / "data" / "mini_suite"


def _run(out: Path, *extra: str, model: str = "mock/good", judge: str = "mock/good") -> int:
    return main(
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
            "--tasks",
            "story",
            "--no-progress",
            *extra,
        ]
    )


def _error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


def _model_params(out: Path) -> dict[str, object]:
    params: dict[str, object] = json.loads((out / "manifest.json").read_text())["spec"]["model"][
        "params"
    ]
    return params


BAD = [
    (["--top-p", "1.5"], "--top-p must be between 0 and 1, not 1.5"),
    (["--top-p", "nan"], "--top-p must be a finite number, not nan"),
    (["--extra-body", "{oops"], "--extra-body: not JSON"),
    (["--extra-body", "[1]"], "--extra-body: must be a JSON object"),
    (["--extra-body", '{"model": "x"}'], "--extra-body: sets model, which the run sets itself"),
    (["--system-prompt", "  "], "--system-prompt: empty"),
    (["--system-prompt", "@/nonexistent/sp.txt"], "--system-prompt /nonexistent/sp.txt: No such"),
    (["--thinking-budget", "500"], "--thinking-budget must be at least 1024, not 500"),
    (
        ["--thinking-budget", "4096"],
        "--thinking-budget must be below --max-tokens (2048), not 4096",
    ),
    (
        ["--thinking-budget", "1024", "--temperature", "0.5"],
        "--thinking-budget: the provider takes no --temperature but 1 with it",
    ),
]


@pytest.mark.parametrize(("flags", "message"), BAD, ids=lambda v: " ".join(v))
def test_bad_generation_flag_is_one_line_before_any_call(
    mock_calls: MockCalls,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    flags: list[str],
    message: str,
) -> None:
    out = tmp_path / "run"
    assert _run(out, *flags) == 2
    assert message in _error(capsys)
    assert mock_calls() == []
    assert not out.exists()


@pytest.mark.parametrize(
    ("model", "flags", "message"),
    [
        ("anthropic/m", ["--reasoning-effort", "low"], "--reasoning-effort: anthropic/ models"),
        ("openai/m", ["--thinking-budget", "1024"], "--thinking-budget: openai/ models"),
        # Not "must be below --max-tokens": no budget would do for a provider without thinking.
        ("openai/m", ["--thinking-budget", "4096"], "--thinking-budget: openai/ models"),
    ],
)
def test_option_the_provider_does_not_take_is_refused(
    fake_anthropic: FakeAnthropic,
    fake_openai: FakeOpenAI,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    model: str,
    flags: list[str],
    message: str,
) -> None:
    assert _run(tmp_path / "run", *flags, model=model, judge="anthropic/j") == 2
    assert message in _error(capsys)
    assert fake_anthropic.requests == [] and fake_openai.requests == []


def test_openai_gets_every_option_and_the_manifest_records_them(
    fake_openai: FakeOpenAI, fake_anthropic: FakeAnthropic, tmp_path: Path
) -> None:
    prompt = tmp_path / "sp.txt"
    prompt.write_text("You are terse.", encoding="utf-8")
    out = tmp_path / "run"
    flags = ["--top-p", "0.9", "--seed", "7", "--system-prompt", f"@{prompt}"]
    flags += ["--reasoning-effort", "low", "--extra-body", '{"top_k": 40, "a": {"b": 1}}']
    assert _run(out, *flags, model="openai/m", judge="anthropic/j") == 0
    body = fake_openai.requests[0].body
    assert body["top_p"] == 0.9 and body["seed"] == 7 and body["reasoning_effort"] == "low"
    assert body["top_k"] == 40 and body["a"] == {"b": 1}  # passed through at the top level
    assert body["messages"][0] == {"role": "system", "content": "You are terse."}
    assert _model_params(out) == {
        "temperature": None,
        "max_tokens": 2048,
        "top_p": 0.9,
        "seed": 7,
        "system_prompt": "You are terse.",
        "reasoning_effort": "low",
        "thinking_budget": None,
        "extra_body": '{"a":{"b":1},"top_k":40}',
    }


def test_anthropic_gets_thinking_and_extra_fields_but_no_seed(
    fake_anthropic: FakeAnthropic, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    flags = ["--seed", "7", "--thinking-budget", "1024", "--extra-body", '{"top_k": 5}']
    flags += ["--system-prompt", "Be kind."]
    assert _run(out, *flags, model="anthropic/m", judge="anthropic/j") == 0
    model_bodies = [r.body for r in fake_anthropic.requests if r.body.get("model") == "m"]
    body = model_bodies[0]
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 1024}
    assert body["top_k"] == 5 and "seed" not in body
    assert body["system"][0]["text"] == "Be kind."
    params = _model_params(out)
    assert params["seed"] is None  # Anthropic takes no seed: not claimed as sent
    assert params["thinking_budget"] == 1024
    # The judge gets none of the model's options.
    judge_body = next(r.body for r in fake_anthropic.requests if r.body.get("model") == "j")
    assert "thinking" not in judge_body and "top_k" not in judge_body


def test_resume_with_other_generation_options_is_refused(
    mock_calls: MockCalls, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    assert _run(out, "--top-p", "0.5", "--extra-body", '{"x": 1, "y": 2}') == 0
    # The same options, keys in another order: the same run.
    assert _run(out, "--top-p", "0.5", "--extra-body", '{"y": 2, "x": 1}') == 0
    capsys.readouterr()
    assert _run(out, "--top-p", "0.6", "--extra-body", '{"y": 2, "x": 1}') == 2
    assert "different model top_p (0.5; this command: 0.6)" in _error(capsys)


def test_a_resume_without_seed_keeps_the_seed_sent_to_the_model(
    mock_calls: MockCalls, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    assert _run(out, "--seed", "7") == 0
    assert _model_params(out)["seed"] == 7  # the mock provider takes a seed
    assert _run(out) == 0  # no --seed: the recorded one, for the bootstrap and the model
    assert _run(out, "--seed", "8") == 2
    assert "different seed (7; this command: 8)" in _error(capsys)


def test_a_generation_flag_without_model_is_compared_not_dropped(
    mock_calls: MockCalls, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --model the manifest's model part is the source: a model flag given agrees
    with it (the same command line minus --model resumes) or is refused naming its field."""
    out = tmp_path / "run"
    options = ["--temperature", "0.5", "--max-tokens", "300", "--top-p", "0.9"]
    assert _run(out, *options) == 0
    recorded = _model_params(out)
    assert (recorded["temperature"], recorded["max_tokens"], recorded["top_p"]) == (0.5, 300, 0.9)
    resume = ["run", "--out", str(out), "--judge", "mock/good", "--suite", str(MINI)]
    assert main([*resume, "--no-progress"]) == 0
    assert main([*resume, *options, "--no-progress"]) == 0
    capsys.readouterr()
    for flag, value, field in [
        ("--temperature", "0.9", "temperature (0.5; this command: 0.9)"),
        ("--max-tokens", "100", "max_tokens (300; this command: 100)"),
        ("--top-p", "0.5", "top_p (0.9; this command: 0.5)"),
        ("--system-prompt", "Be brief.", "system_prompt (None; this command: Be brief.)"),
    ]:
        assert main([*resume, flag, value]) == 2, flag
        error = _error(capsys)
        assert f"different model {field}" in error, error
    assert _model_params(out) == recorded
