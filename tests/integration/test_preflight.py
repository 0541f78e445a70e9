"""Every flag and input file is checked before the first paid call: a value that could only fail
later (after paying for every response) is a one-line error naming its flag, exit 2, with no
request sent and no run directory left behind. Runs use the in-process mock provider (its
`mock_calls` log shows no call was made); provider limits are checked against the loopback
fake servers, which show no request arrived."""

from __future__ import annotations

import errno
import math
import os
from pathlib import Path

import pytest

from benchmark.cli import main
from benchmark.engine.preflight import check_options
from benchmark.engine.runner import RunConfig
from benchmark.errors import UsageError
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
            "--no-progress",
            *extra,
        ]
    )


def _one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("musebench: error: ")
    return err[0]


BAD_FLAGS = [
    (["--seed", "-1"], "--seed must be at least 0, not -1"),
    (["--judge-samples", "2000"], "--judge-samples must be between 1 and 1000, not 2000"),
    (["--timeout", "0"], "--timeout must be above 0, not 0"),
    (["--timeout", "-5"], "--timeout must be above 0, not -5"),
    (["--timeout", "nan"], "--timeout must be a finite number, not nan"),
    (["--timeout", "inf"], "--timeout must be a finite number, not inf"),
    (["--temperature", "nan"], "--temperature must be a finite number, not nan"),
    (["--temperature", "inf"], "--temperature must be a finite number, not inf"),
    (["--temperature", "-0.5"], "--temperature must be at least 0, not -0.5"),
    (["--judge-temperature", "nan"], "--judge-temperature must be a finite number, not nan"),
    (["--batch-wait", "nan"], "--batch-wait must be a finite number, not nan"),
    (["--batch-wait", "-1"], "--batch-wait must be at least 0, not -1"),
]


@pytest.mark.parametrize(("flags", "message"), BAD_FLAGS, ids=lambda v: " ".join(v))
def test_bad_flag_is_refused_before_any_request(
    mock_calls: MockCalls,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    flags: list[str],
    message: str,
) -> None:
    out = tmp_path / "run"
    assert _run(out, *flags) == 2
    assert message in _one_line(capsys)
    assert mock_calls() == []
    assert not out.exists()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (
            ["--temperature", "5"],
            "--temperature must be between 0 and 1 for anthropic/ models, not 5",
        ),
        (
            ["--judge-temperature", "1.5"],
            "--judge-temperature must be between 0 and 1 for anthropic/",
        ),
    ],
    ids=lambda v: " ".join(v),
)
def test_anthropic_temperature_limit_before_any_request(
    fake_anthropic: FakeAnthropic,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    flags: list[str],
    message: str,
) -> None:
    out = tmp_path / "run"
    assert _run(out, *flags, model="anthropic/m", judge="anthropic/j") == 2
    assert message in _one_line(capsys)
    assert fake_anthropic.requests == []
    assert not out.exists()


def test_openai_temperature_limit_is_the_public_apis(
    fake_openai: FakeOpenAI,
    fake_anthropic: FakeAnthropic,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # OpenAI's own API takes 0..2 (checked without any call: no server is reached) ...
    monkeypatch.delenv("OPENAI_BASE_URL")
    assert (
        _run(tmp_path / "a", "--temperature", "2.5", model="openai/gpt-x", judge="anthropic/j") == 2
    )
    assert "--temperature must be between 0 and 2 for openai/ models, not 2.5" in _one_line(capsys)
    assert fake_anthropic.requests == []
    # ... an OpenAI-compatible server (vLLM, Ollama) sets its own upper limit.
    code = _run(
        tmp_path / "b",
        "--temperature",
        "2.5",
        "--tasks",
        "story",
        "--base-url",
        fake_openai.base_url,
        model="openai/local",
        judge="anthropic/j",
    )
    assert code == 0, capsys.readouterr().err
    assert fake_openai.requests[0].body["temperature"] == 2.5


def test_malformed_prices_file_is_refused_before_any_request(
    mock_calls: MockCalls, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prices = tmp_path / "prices.yaml"
    prices.write_text("models: [oops\n")
    assert _run(tmp_path / "run", "--prices", str(prices)) == 2
    line = _one_line(capsys)
    assert f"--prices {prices}: not valid YAML" in line
    assert mock_calls() == []
    prices.write_text("models:\n  - pattern: x\n")
    assert _run(tmp_path / "run", "--prices", str(prices)) == 2
    assert f"--prices {prices}:models.0.input: Field required" in _one_line(capsys)
    assert mock_calls() == []


def test_cache_that_is_a_directory_or_not_sqlite(
    mock_calls: MockCalls, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "cachedir"
    folder.mkdir()
    assert _run(tmp_path / "run", "--cache", str(folder)) == 2
    assert f"--cache {folder}: is a directory, not a cache file" in _one_line(capsys)
    text = tmp_path / "notes.txt"
    text.write_text("not a database, only some words long enough to have a header\n" * 20)
    assert _run(tmp_path / "run", "--cache", str(text)) == 2
    line = _one_line(capsys)
    assert f"--cache {text}: not a usable SQLite cache (file is not a database)" in line
    assert "move it aside" in line
    assert mock_calls() == []
    assert not (tmp_path / "run").exists()


def test_out_under_a_file_or_unwritable(
    mock_calls: MockCalls,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert _run(blocker / "run") == 2
    assert f"--out {blocker / 'run'}: is under {blocker}, which exists and is not a directory" in (
        _one_line(capsys)
    )
    assert _run(blocker) == 2
    assert f"--out {blocker}: exists and is not a directory" in _one_line(capsys)
    # Unwritable: tests may run as root, which writes anywhere, so access() is made to say no.
    parent = tmp_path / "readonly"
    parent.mkdir()
    real_access = os.access
    monkeypatch.setattr(
        "benchmark.engine.preflight.os.access",
        lambda p, mode: False if Path(p) == parent else real_access(p, mode),
    )
    assert _run(parent / "run") == 2
    assert f"--out {parent / 'run'}: the directory ({parent}) is not writable" in _one_line(capsys)
    assert mock_calls() == []


def test_run_dir_that_cannot_be_created_is_one_line(
    mock_calls: MockCalls,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # access() says yes but the directory cannot be made (a read-only or full file system).
    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)
    assert _run(tmp_path / "run") == 2
    assert "cannot create the run directory (Permission denied)" in _one_line(capsys)
    assert mock_calls() == []


def _config(**kw: object) -> RunConfig:
    return RunConfig(**{"model": "anthropic/m", "judge": "anthropic/j", **kw})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("samples", 0, "--samples must be at least 1"),
        ("concurrency", 0, "--concurrency must be at least 1"),
        ("seed", -1, "--seed must be at least 0"),
        ("seed", 1.5, "--seed must be a whole number"),
        ("max_tokens", 0, "--max-tokens must be at least 1"),
        ("timeout", math.nan, "--timeout must be a finite number"),
        ("batch_poll_interval", -1, "batch_poll_interval must be at least 0"),
        ("temperature", 1.01, "--temperature must be between 0 and 1"),
    ],
)
def test_api_options_are_checked_too(field: str, value: object, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        check_options(_config(**{field: value}))


def test_replay_takes_any_temperature_and_a_missing_judge_is_not_checked() -> None:
    check_options(_config(model="replay/x.jsonl", temperature=7.0, judge=None))
    check_options(_config(judge=None, judge_temperature=9.0))


@pytest.mark.parametrize(
    ("model", "judge", "var"),
    [
        ("anthropic/m", "mock/good", "ANTHROPIC_API_KEY"),
        ("mock/good", "anthropic/j", "ANTHROPIC_API_KEY"),
        # OpenAI's own API needs a key even though the runner names its URL explicitly.
        ("openai/gpt-x", "mock/good", "OPENAI_API_KEY"),
    ],
)
def test_a_missing_api_key_leaves_no_run_dir(
    mock_calls: MockCalls,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    model: str,
    judge: str,
    var: str,
) -> None:
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    out = tmp_path / "run"
    assert _run(out, model=model, judge=judge) == 2
    assert f"{var} is not set" in _one_line(capsys)
    assert mock_calls() == []
    assert not out.exists()
    # The Python API likewise.
    from benchmark import run

    with pytest.raises(UsageError, match=var):
        run(model, judge=judge, out=out, suite_dir=MINI, progress=False)
    assert not out.exists()


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]], ids=["run", "dry-run"])
def test_batch_with_a_judge_without_a_batch_api_is_refused_first(
    mock_calls: MockCalls, tmp_path: Path, capsys: pytest.CaptureFixture[str], dry_run: list[str]
) -> None:
    out = tmp_path / "run"
    assert _run(out, "--batch", *dry_run) == 2
    assert _one_line(capsys) == (
        "musebench: error: --batch: mock/good has no batch API (anthropic/ judges have one)"
    )
    assert mock_calls() == []
    assert not out.exists()
