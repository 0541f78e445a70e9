"""make_provider: spec parsing and the checks that make a run fail before doing any work."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmark.engine.providers import (
    AnthropicProvider,
    OpenAIProvider,
    Provider,
    ReplayProvider,
    make_provider,
    parse_spec,
)
from benchmark.errors import SpecError, UsageError

KEY_VARS = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "OPENAI_API_KEY", "OPENAI_BASE_URL")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in (*KEY_VARS, "ANTHROPIC_BASE_URL"):
        monkeypatch.delenv(var, raising=False)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("anthropic/claude-sonnet-4-5", ("anthropic", "claude-sonnet-4-5")),
        ("openai/meta-llama/Llama-3.1-8B-Instruct", ("openai", "meta-llama/Llama-3.1-8B-Instruct")),
        ("replay/runs/a/responses.jsonl", ("replay", "runs/a/responses.jsonl")),
    ],
)
def test_parse_spec(spec: str, expected: tuple[str, str]) -> None:
    assert parse_spec(spec) == expected


@pytest.mark.parametrize(
    ("spec", "message_has"),
    [
        ("gemini/pro", "unknown provider 'gemini'"),
        ("claude-sonnet", "is not provider/model"),
        ("/model", "is not provider/model"),
        ("anthropic/", "names no model"),
        ("openai/", "names no model"),
        ("replay/", "names no model"),
    ],
)
def test_bad_specs(spec: str, message_has: str) -> None:
    with pytest.raises(SpecError) as info:
        make_provider(spec)
    assert message_has in str(info.value)
    assert spec in str(info.value)
    assert "\n" not in str(info.value)


def test_spec_error_is_a_usage_error() -> None:
    assert issubclass(SpecError, UsageError)  # the CLI turns it into exit 2


@pytest.mark.parametrize(
    ("spec", "var"), [("anthropic/m", "ANTHROPIC_API_KEY"), ("openai/m", "OPENAI_API_KEY")]
)
def test_missing_key_names_the_env_var(spec: str, var: str) -> None:
    with pytest.raises(SpecError, match=var):
        make_provider(spec)


def test_anthropic_key_or_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", "tok")
    provider = make_provider("anthropic/claude-x")
    assert isinstance(provider, AnthropicProvider)
    assert isinstance(provider, Provider)
    assert provider.spec == "anthropic/claude-x" and provider.model == "claude-x"
    assert provider.base_url == "https://api.anthropic.com"


def test_anthropic_base_url_flag_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "k")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://proxy.local:8080")
    provider = make_provider("anthropic/m", timeout=12.5)
    assert isinstance(provider, AnthropicProvider)
    assert provider.base_url == "http://proxy.local:8080"
    client = provider.client
    assert client.max_retries == 0  # the runner owns retries
    assert client.timeout == 12.5
    flagged = make_provider("anthropic/m", base_url="http://other:1")
    assert isinstance(flagged, AnthropicProvider) and flagged.base_url == "http://other:1"


def test_openai_official_needs_key_and_uses_max_completion_tokens(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk")
    provider = make_provider("openai/gpt-5")
    assert isinstance(provider, OpenAIProvider)
    assert provider.base_url == "https://api.openai.com/v1"
    assert provider.token_param == "max_completion_tokens"
    assert provider.client.max_retries == 0


def test_openai_own_api_named_explicitly_is_still_openais(monkeypatch: pytest.MonkeyPatch) -> None:
    """The runner builds providers at the URL the manifest records, the public one spelled out:
    that is OpenAI's API (a key, `max_completion_tokens`), not a local server."""
    url = "https://api.openai.com/v1"
    with pytest.raises(SpecError, match="OPENAI_API_KEY"):
        make_provider("openai/gpt-5", base_url=url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk")
    provider = make_provider("openai/gpt-5", base_url=url)
    assert isinstance(provider, OpenAIProvider)
    assert provider.token_param == "max_completion_tokens" and provider.endpoint is None


@pytest.mark.parametrize("via", ["flag", "env"])
def test_openai_local_server_gets_placeholder_key(
    monkeypatch: pytest.MonkeyPatch, via: str
) -> None:
    url = "http://localhost:8000/v1"
    if via == "env":
        monkeypatch.setenv("OPENAI_BASE_URL", url)
    provider = make_provider("openai/qwen", base_url=url if via == "flag" else None)
    assert isinstance(provider, OpenAIProvider)
    assert provider.base_url == url and provider.token_param == "max_tokens"
    assert provider.client.api_key == "not-needed"


def test_openai_real_key_kept_with_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-real")
    provider = make_provider("openai/m", base_url="http://localhost:8000/v1")
    assert isinstance(provider, OpenAIProvider) and provider.client.api_key == "sk-real"


def test_replay_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(SpecError, match="replay file not found"):
        make_provider(f"replay/{missing}")


def test_replay_spec_builds_replay_provider(tmp_path: Path) -> None:
    path = tmp_path / "responses.jsonl"
    path.write_text("")
    provider = make_provider(f"replay/{path}")
    assert isinstance(provider, ReplayProvider) and provider.spec == f"replay/{path}"


def test_openai_token_param_in_body() -> None:
    from benchmark.engine.providers import GenerateRequest, GenerationParams
    from benchmark.engine.providers.openai_provider import openai_params
    from benchmark.records.schemas import Message

    request = GenerateRequest(
        messages=[Message(role="user", content="x")], params=GenerationParams(max_tokens=99)
    )
    body = openai_params(request, "gpt-5", token_param="max_completion_tokens")
    assert body["max_completion_tokens"] == 99 and "max_tokens" not in body
    assert "temperature" not in body and "seed" not in body and "response_format" not in body
