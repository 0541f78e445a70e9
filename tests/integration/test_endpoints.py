"""The server behind a spec is part of a run's identity: two OpenAI-compatible servers behind
`openai/default` never share cached answers, the manifest records each endpoint, and a run dir
is never resumed against another server."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmark.engine.cache import cache_key
from benchmark.engine.providers import GenerateRequest, make_provider
from benchmark.engine.providers.endpoints import endpoint_of
from benchmark.engine.runner import RunConfig, Runner
from benchmark.errors import RunDirError
from benchmark.records.rundir import RunDir
from benchmark.records.schemas import Message
from tests.fakes import FakeAnthropic, FakeOpenAI

MINI = Path(__file__).parents[1] / "data" / "mini_suite"


def test_endpoint_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)
    assert endpoint_of("openai/gpt-x", None) is None  # the public API
    assert endpoint_of("openai/gpt-x", "https://api.openai.com/v1/") is None
    assert endpoint_of("openai/default", "http://127.0.0.1:8000/v1") == "http://127.0.0.1:8000/v1"
    monkeypatch.setenv("OPENAI_BASE_URL", "http://gpu-box:8000/v1")
    assert endpoint_of("openai/default", None) == "http://gpu-box:8000/v1"  # the SDK's variable
    assert endpoint_of("anthropic/claude-x", None) is None
    assert endpoint_of("replay/some/file.jsonl", "http://ignored") is None


def test_cache_keys_differ_by_server_and_keep_the_public_apis_key() -> None:
    request = GenerateRequest(messages=[Message(role="user", content="hi")], task_id="t")
    public = cache_key("openai/default", request)
    assert cache_key("openai/default", request, None) == public  # keys from earlier versions
    a = cache_key("openai/default", request, "http://127.0.0.1:8000/v1")
    b = cache_key("openai/default", request, "http://127.0.0.1:9000/v1")
    assert len({public, a, b}) == 3


def _run(server: FakeOpenAI, out: Path, cache: Path) -> None:
    config = RunConfig(
        model="openai/default",
        base_url=server.base_url,
        judge=None,
        suite_dir=MINI,
        tasks="story",
        cache_path=cache,
        progress=False,
    )
    Runner(config, out).execute()


def test_two_servers_behind_one_spec_never_share_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    shared_cache = tmp_path / "cache.sqlite"
    with FakeOpenAI() as first, FakeOpenAI() as second:
        _run(first, tmp_path / "a", shared_cache)
        _run(second, tmp_path / "b", shared_cache)
        assert len(first.requests_to("/v1/chat/completions", "POST")) == 1
        # The second server answers for itself: nothing came from the first one's cache.
        assert len(second.requests_to("/v1/chat/completions", "POST")) == 1
        assert RunDir(tmp_path / "a").read_manifest().model_endpoint == first.base_url.rstrip("/")
        assert RunDir(tmp_path / "b").read_manifest().model_endpoint == second.base_url.rstrip("/")
        # The same server again: served from the cache, no new request.
        _run(first, tmp_path / "c", shared_cache)
        assert len(first.requests_to("/v1/chat/completions", "POST")) == 1
        # A run dir is never resumed against another server.
        with pytest.raises(RunDirError, match="different model endpoint"):
            _run(second, tmp_path / "a", shared_cache)


def test_the_judge_endpoint_and_prompt_are_recorded(
    tmp_path: Path, fake_anthropic: FakeAnthropic
) -> None:
    config = RunConfig(
        model="anthropic/model-under-test",
        judge="anthropic/judge-x",
        suite_dir=MINI,
        tasks="story",
        progress=False,
    )
    Runner(config, tmp_path / "r").execute()
    manifest = RunDir(tmp_path / "r").read_manifest()
    assert manifest.judge_endpoint == fake_anthropic.url.rstrip("/")
    assert {"prompt_version", "prompt_sha256"} <= set(manifest.judge_params)
    assert make_provider("anthropic/judge-x").endpoint == manifest.judge_endpoint
