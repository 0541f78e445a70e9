"""The runner end to end: generation (multi-turn), checks, structured judging, scoring, resume
and bad input with the in-process mock provider; retries, an OpenAI-compatible server, missing
keys, unreachable URLs and batches through the real SDKs against loopback fake servers."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from benchmark.cli import main
from benchmark.engine.judging.prompt import prompt_fingerprint
from benchmark.engine.providers import MockProvider
from benchmark.engine.retry import RetryPolicy
from benchmark.engine.runner import RunConfig, Runner
from benchmark.records.rundir import RunDir
from tests.fakes import FakeAnthropic, FakeOpenAI, Fault
from tests.mock_calls import MockCalls

MINI = Path(__file__).parents[1] / "data" / "mini_suite"
FAST = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05)


def _config(**kw: object) -> RunConfig:
    base: dict[str, object] = dict(
        model="anthropic/model-under-test",
        judge="anthropic/judge-x",
        suite_dir=MINI,
        progress=False,
        retry=FAST,
    )
    base.update(kw)
    return RunConfig(**base)  # type: ignore[arg-type]


def _messages(server: FakeAnthropic) -> list[dict]:
    return [
        r.body
        for r in server.requests_to("/v1/messages", "POST")
        if r.path.split("?")[0] == "/v1/messages"
    ]


def _mock_config(**kw: object) -> RunConfig:
    return _config(**{"model": "mock/q0.7", "judge": "mock/q0.7", **kw})


def test_run_end_to_end(tmp_path: Path, mock_calls: MockCalls) -> None:
    out = tmp_path / "run"
    model, judge = MockProvider("q0.7"), MockProvider("q0.7")
    runner = Runner(_mock_config(samples=2), out, model_provider=model, judge_provider=judge)
    scores = runner.execute()
    run = RunDir(out)
    responses, judgments = run.responses(), run.judgments()
    assert len(responses) == 3 * 2
    assert len({(r.task_id, r.sample) for r in responses}) == 6
    assert all(r.error is None for r in responses)
    assert len(judgments) == 9 * 2
    assert len({(j.task_id, j.sample, j.item_id) for j in judgments}) == 18
    checks = {(j.task_id, j.item_id) for j in judgments if j.judge == "check"}
    assert checks == {("story", "short"), ("talk", "two_questions_max"), ("page", "has_form")}
    assert {j.judge for j in judgments if j.judge != "check"} == {"mock/q0.7"}

    # story 1 turn + talk 3 turns + page 1 turn, per sample
    assert len(model.requests) == 5 * 2
    # one call per response (the default mode): no task has items judged from screenshots
    assert len(judge.requests) == 3 * 2
    # Multi-turn: scripted user turns are sent one at a time after each reply.
    talk = sorted((r for r in model.requests if r.task_id == "talk"), key=lambda r: len(r.messages))
    assert [len(r.messages) for r in talk] == [1, 1, 3, 3, 5, 5]
    assert [m.role for m in talk[-1].messages] == ["user", "assistant"] * 2 + ["user"]
    assert "I failed the mock" in talk[-1].messages[2].content
    # Judge requests: structured, static prefix marked for caching, temperature pinned to 0
    # (how each provider puts these on the wire: tests/integration/test_providers.py).
    for r in judge.requests:
        assert r.structured is not None and r.structured.schema["required"]
        assert r.system and all(block.cache for block in r.system)
        assert r.params.temperature == 0.0
    talk_resp = next(r for r in responses if r.task_id == "talk")
    assert [m.role for m in talk_resp.transcript] == ["user", "assistant"] * 3
    assert talk_resp.text == "\n\n".join(
        m.content for m in talk_resp.transcript if m.role == "assistant"
    )

    manifest = run.read_manifest()
    assert manifest.status == scores.status
    # The judge prompt's version and hash are part of the judge's params: a resumed run cannot
    # mix verdicts from two prompt versions.
    assert manifest.judge_params == {
        "temperature": 0.0,
        "max_tokens": 2048,
        **prompt_fingerprint(),
    }
    assert manifest.judge_params["prompt_version"] == "2.0.0"
    assert manifest.counts.judgments_expected == 18
    assert scores.coverage.expected == 18
    assert json.loads(run.scores_path.read_text())["overall"]["score"] == scores.overall.score

    # The same command again (providers from the specs this time): nothing to do, no call
    # made, no line added.
    assert len(mock_calls()) == 10 + 6
    again = Runner(_mock_config(samples=2), out).execute()
    assert len(mock_calls()) == 10 + 6
    assert len(run.responses()) == 6 and len(run.judgments()) == 18
    assert again.overall == scores.overall


def test_a_killed_run_resumes_from_the_cache(tmp_path: Path, mock_calls: MockCalls) -> None:
    """Lines lost after their calls were cached (what kill -9 between the two leaves) are
    rebuilt from the cache on resume, with no call made."""
    out = tmp_path / "r"
    first = Runner(_mock_config(samples=2), out).execute()
    calls = len(mock_calls())
    run = RunDir(out)
    for path in (run.responses_path, run.judgments_path):
        lines = path.read_text().splitlines(keepends=True)
        path.write_text("".join(lines[: len(lines) // 2]))
    again = Runner(_mock_config(samples=2), out).execute()
    assert len(mock_calls()) == calls
    assert len(run.responses()) == 6 and len(run.judgments()) == 18
    assert again.overall == first.overall


def test_repeated_samples_are_distinct_calls(tmp_path: Path) -> None:
    model = MockProvider("good")
    cfg = _mock_config(samples=3, tasks="story", judge=None)
    Runner(cfg, tmp_path / "r", model_provider=model).execute(judge=False)
    assert len(model.requests) == 3  # identical prompts, three samples: never collapsed
    assert [r.sample for r in model.requests] == [0, 1, 2]
    assert len({r.text for r in RunDir(tmp_path / "r").responses()}) > 1


def test_retries_then_success(fake_anthropic: FakeAnthropic, tmp_path: Path) -> None:
    fake_anthropic.inject(Fault.rate_limit(0.01), Fault.overloaded(), Fault.server_error())
    scores = Runner(_config(tasks="story"), tmp_path / "r").execute()
    assert len(_messages(fake_anthropic)) == 3 + 2  # three failed attempts, then model + judge
    assert all(r.error is None for r in RunDir(tmp_path / "r").responses())
    assert scores.coverage.judged == 4


def test_non_retryable_error_is_recorded_then_resumed(
    fake_anthropic: FakeAnthropic, tmp_path: Path
) -> None:
    out = tmp_path / "r"
    fake_anthropic.inject(Fault.bad_request())
    scores = Runner(_config(tasks="story"), out).execute()
    assert len(_messages(fake_anthropic)) == 1  # a 400 is not retried
    [resp] = RunDir(out).responses()
    assert resp.error is not None and "400" in resp.error
    assert scores.status == "partial" and scores.coverage.judged == 0
    # Resume: the failed line is replaced by the retry, never duplicated; errors were not cached.
    scores = Runner(_config(tasks="story"), out).execute()
    lines = RunDir(out).responses_path.read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["error"] == ""  # "" on disk: no error
    assert scores.status == "complete"


def test_malformed_judge_answers_are_reasked_a_bounded_number_of_times(tmp_path: Path) -> None:
    out = tmp_path / "r"
    Runner(_mock_config(tasks="story", judge=None), out).execute(judge=False)
    # Every answer leaves out its last item: the first answer lacks `cliche`, which is asked
    # again alone, twice (the default bound), and then recorded without a verdict.
    judge = MockProvider("good,malformed=1")
    cfg = _mock_config(tasks="story", judge=judge.spec)
    Runner(cfg, out, judge_provider=judge).execute(generate=False)
    assert [r.structured.schema["required"] for r in judge.requests if r.structured] == [
        ["has_lighthouse", "has_change", "cliche"],
        ["cliche"],
        ["cliche"],
    ]
    assert "could not be used: cliche: item missing" in judge.requests[1].messages[0].content
    assert len({r.sample for r in judge.requests}) == 3  # a re-ask never reuses a cached answer
    llm = {j.item_id: j for j in RunDir(out).judgments() if j.judge != "check"}
    assert llm["has_lighthouse"].verdict is True and llm["has_change"].verdict is True
    assert llm["cliche"].verdict is None
    assert llm["cliche"].error == "item missing from the judge's answer (after 3 attempts)"


def test_openai_compatible_model_with_base_url(
    fake_openai: FakeOpenAI,
    fake_anthropic: FakeAnthropic,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL")
    monkeypatch.delenv("OPENAI_API_KEY")  # local servers need no key when a base URL is given
    out = tmp_path / "r"
    code = main(
        [
            "run",
            "--model",
            "openai/local-llama",
            "--base-url",
            fake_openai.base_url,
            "--judge",
            "anthropic/judge-x",
            "--out",
            str(out),
            "--suite",
            str(MINI),
            "--no-progress",
            "--tasks",
            "talk",
        ]
    )
    assert code == 0
    chat = fake_openai.requests_to("/v1/chat/completions", "POST")
    assert len(chat) == 3 and chat[0].body["model"] == "local-llama"
    assert RunDir(out).read_manifest().model == "openai/local-llama"


@pytest.mark.slow
def test_demo_without_judge_never_invents(tmp_path: Path) -> None:
    from benchmark.engine.demo import run_demo
    from benchmark.engine.runner import NOT_JUDGED as NOT_JUDGED_NOTE

    results = run_demo(tmp_path / "demo")
    assert len(results) == 3
    for name in results:
        js = RunDir(tmp_path / "demo" / name).judgments()
        llm = [j for j in js if j.judge != "check"]
        assert llm and all(j.verdict is None and j.error == NOT_JUDGED_NOTE for j in llm)
        assert all(j.source == "none" and j.error_kind == "not_judged" for j in llm)
        assert all(j.verdict is not None for j in js if j.judge == "check")
        assert results[name].status == "partial"
    order = sorted(results, key=lambda n: -(results[n].overall.score or 0))
    assert order == ["illustrative-careful", "illustrative-average", "illustrative-formulaic"]
    # Every demo response exists: one sample per task, none failed.
    for name in results:
        responses = RunDir(tmp_path / "demo" / name).responses()
        assert responses and all(r.error is None for r in responses)
    # Runs put their diversity metrics in scores.json; the demo also measures every bundled
    # sample, where the formulaic model repeats itself within and across prompts.
    doc = json.loads((tmp_path / "demo" / "demo.json").read_text())
    for name in results:
        block = json.loads((tmp_path / "demo" / name / "scores.json").read_text())["diversity"]
        assert {
            "distinct_2",
            "compression_ratio",
            "mean_pairwise_similarity",
            "cross_prompt_similarity",
            "vendi",
            "distinct_k",
            "slop_per_1k",
            "n_texts",
        } <= set(block)
    div = doc["diversity_all_samples"]
    assert div["illustrative-formulaic"]["self_bleu"] > div["illustrative-careful"]["self_bleu"]
    assert div["illustrative-formulaic"]["slop_per_1k"] > div["illustrative-careful"]["slop_per_1k"]
    assert (
        div["illustrative-formulaic"]["cross_prompt_similarity"]
        > div["illustrative-careful"]["cross_prompt_similarity"]
    )


def test_demo_with_judge_judges_llm_items(tmp_path: Path) -> None:
    from benchmark.engine.demo import run_demo

    results = run_demo(tmp_path / "demo", judge="mock/good")
    for name, scores in results.items():
        js = RunDir(tmp_path / "demo" / name).judgments()
        assert {j.judge for j in js} == {"check", "mock/good"}
        assert scores.coverage.judged > 0


# ------------------------------------------------------------------ bad input: exit 2, one line


def _run_cli(out: Path, *extra: str, model: str = "anthropic/m") -> int:
    return main(
        [
            "run",
            "--model",
            model,
            "--judge",
            "anthropic/j",
            "--out",
            str(out),
            "--suite",
            str(MINI),
            "--no-progress",
            *extra,
        ]
    )


def _err_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


def test_unknown_provider(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = _run_cli(tmp_path / "r", model="nosuch/m")
    assert code == 2
    assert "nosuch" in _err_line(capsys)


def test_missing_api_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    code = _run_cli(tmp_path / "r")
    assert code == 2
    assert "ANTHROPIC_API_KEY" in _err_line(capsys)


def test_unreachable_base_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    code = _run_cli(
        tmp_path / "r", "--base-url", "http://127.0.0.1:9/v1", "--tasks", "story", model="openai/m"
    )
    assert code == 2
    line = _err_line(capsys)
    assert "cannot reach http://127.0.0.1:9/v1" in line
    assert RunDir(tmp_path / "r").read_manifest().status == "stopped"  # the error ended it


def test_tasks_pattern_matching_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    code = _run_cli(tmp_path / "r", "--tasks", "nothing*")
    assert code == 2
    assert "--tasks" in _err_line(capsys)
    assert not (tmp_path / "r").exists()


def test_existing_run_of_other_model_or_suite(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    repo_root: Path,
) -> None:
    out = tmp_path / "r"
    Runner(_mock_config(tasks="story"), out).execute()
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.suffix != ".sqlite"}
    code = main(
        [
            "run",
            "--model",
            "mock/bad",
            "--judge",
            "mock/q0.7",
            "--out",
            str(out),
            "--suite",
            str(MINI),
            "--tasks",
            "story",
            "--no-progress",
        ]
    )
    assert code == 2
    assert "different model" in _err_line(capsys)
    code = main(
        [
            "run",
            "--model",
            "mock/q0.7",
            "--judge",
            "mock/q0.7",
            "--out",
            str(out),
            "--tasks",
            "*",
            "--no-progress",
        ]
    )  # the shipped suite
    assert code == 2
    assert "different suite" in _err_line(capsys)
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.suffix != ".sqlite"}
    assert after == before  # nothing already in the run dir lost or changed


def test_stage_commands_and_report_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = str(tmp_path / "r")
    common = ["--suite", str(MINI), "--no-progress"]
    assert main(["generate", out, "--model", "mock/q0.7", *common]) == 0
    assert main(["judge", out, "--judge", "mock/q0.7", *common]) == 0
    assert main(["score", out, "--suite", str(MINI)]) == 0
    capsys.readouterr()
    assert main(["report", out, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["scores"]["coverage"]["expected"] == 9
    roles = Counter(line["role"] for line in doc["cost"]["lines"])
    assert roles == {"model": 1, "judge": 1}
    judge_line = next(line for line in doc["cost"]["lines"] if line["role"] == "judge")
    assert (
        judge_line["input_tokens"]
        + judge_line["cache_read_tokens"]
        + judge_line["cache_write_tokens"]
        > 0
    )


def test_batch_judging_resumes_the_batch_in_flight(
    fake_anthropic: FakeAnthropic, tmp_path: Path
) -> None:
    from benchmark.errors import BatchPending

    out = tmp_path / "r"
    cfg = _config(samples=2, batch=True, batch_poll_interval=0.01, batch_wait=0.2)
    fake_anthropic.batch_polls = 10**6  # never ends while we wait
    with pytest.raises(BatchPending, match="still in progress"):
        Runner(cfg, out).execute()
    assert RunDir(out).read_manifest().status == "stopped"
    created = fake_anthropic.requests_to("/v1/messages/batches", "POST")
    assert len(created) == 1
    submitted = created[0].body["requests"]
    assert len(submitted) == 3 * 2  # every first-attempt judge call, none made directly
    assert all(r["params"]["tool_choice"]["type"] == "tool" for r in submitted)
    assert not [b for b in _messages(fake_anthropic) if b["model"] == "judge-x"]
    state = json.loads((out / "batches.json").read_text())
    assert [b["status"] for b in state["batches"]] == ["submitted"]

    # The same command after the batch ends: polled by id, nothing resubmitted, nothing
    # asked directly, every item judged from the batch results.
    fake_anthropic.batch_polls = 0
    scores = Runner(cfg, out).execute()
    assert len(fake_anthropic.requests_to("/v1/messages/batches", "POST")) == 1
    assert not [b for b in _messages(fake_anthropic) if b["model"] == "judge-x"]
    assert scores.status == "complete"
    state = json.loads((out / "batches.json").read_text())
    assert [b["status"] for b in state["batches"]] == ["collected"]


def test_judge_samples_record_votes(tmp_path: Path) -> None:
    out = tmp_path / "r"
    judge = MockProvider("q0.5")
    Runner(_mock_config(tasks="story", judge_samples=3), out, judge_provider=judge).execute()
    assert len(judge.requests) == 3 and {r.params.temperature for r in judge.requests} == {1.0}
    llm = [j for j in RunDir(out).judgments() if j.judge != "check"]
    assert llm and all(j.votes is not None and len(j.votes) == 3 for j in llm)
    assert all(j.vote_agreement is not None for j in llm if j.verdict is not None)
    # The three draws are independent: with P(met) 0.5 some item's votes disagree.
    assert any(len(set(j.votes or [])) > 1 for j in llm)
    assert RunDir(out).read_manifest().judge_samples == 3


def test_judge_mode_item_makes_one_call_per_item(tmp_path: Path) -> None:
    judge = MockProvider("q0.7")
    Runner(
        _mock_config(tasks="story", judge_mode="item"), tmp_path / "r", judge_provider=judge
    ).execute()
    assert [r.structured.schema["required"] for r in judge.requests if r.structured] == [
        ["has_lighthouse"],
        ["has_change"],
        ["cliche"],
    ]  # three LLM-judged items in the story task, one call each
