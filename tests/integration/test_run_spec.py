"""The run spec: what a run is (manifest v2 `spec`), resume as spec equality with every
differing field named, version 1 run directories still read, resumed, scored and reported,
`score` leaving the manifest alone, and the judge plan shared by the streaming and batch paths."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from benchmark.cli import main
from benchmark.engine.cache import cache_key
from benchmark.engine.judging import JudgePlan, judge_items
from benchmark.engine.judging.prompt import prompt_fingerprint
from benchmark.engine.providers import (
    Capabilities,
    Completion,
    GenerateRequest,
    GenerationParams,
    batch_client,
    make_provider,
)
from benchmark.engine.providers.anthropic_batch import AnthropicBatches
from benchmark.engine.retry import RetryPolicy
from benchmark.engine.runconfig import suite_ref
from benchmark.engine.runner import RunConfig, Runner
from benchmark.errors import RunDirError, UsageError
from benchmark.records.rundir import RunDir
from benchmark.records.runspec import JudgeSpec, ModelSpec, RunSpec, SuiteRef, spec_differences
from benchmark.records.schemas import Manifest, ResponseRecord, Scores
from benchmark.suite import load_suite
from leaderboard.verify import verify_bundle
from tests.fakes import FakeAnthropic, FakeOpenAI
from tests.leaderboard_helpers import mini_suites
from tests.mock_calls import MockCalls

MINI = Path(__file__).parents[1] / "data" / "mini_suite"
# A version 1 run directory as musebench 0.1.0 (main at ce50086) wrote it: 1 task, 2 samples,
# judged by anthropic/judge-x on a loopback fake at FIXTURE_URL.
RUN_V1 = Path(__file__).parents[1] / "data" / "run_v1"
FIXTURE_URL = "http://127.0.0.1:35237"
FAST = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05)


def _config(**kw: object) -> RunConfig:
    base: dict[str, object] = dict(
        model="anthropic/model-under-test",
        judge="anthropic/judge-x",
        suite_dir=MINI,
        tasks="story",
        progress=False,
        retry=FAST,
    )
    base.update(kw)
    return RunConfig(**base)  # type: ignore[arg-type]


def _judge_bodies(server: FakeAnthropic) -> list[dict[str, Any]]:
    return [
        r.body
        for r in server.requests_to("/v1/messages", "POST")
        if r.path.split("?")[0] == "/v1/messages" and r.body["model"] == "judge-x"
    ]


def _v1_copy(tmp_path: Path, url: str = FIXTURE_URL) -> Path:
    """The fixture in a fresh directory, its endpoints pointed at `url`, and its suite and
    prompt hashes set to today's (so that editing the mini suite or the judge prompt does not
    turn this test into a refusal test)."""
    out = tmp_path / "v1"
    shutil.copytree(RUN_V1, out)
    path = out / "manifest.json"
    doc = json.loads(path.read_text().replace(FIXTURE_URL, url))
    suite = load_suite(MINI)
    doc["suite_hash"], doc["rubric_hashes"] = suite.suite_hash, suite.rubric_hashes
    doc["judge_params"] |= prompt_fingerprint()
    path.write_text(json.dumps(doc, indent=2))
    return out


def test_v1_manifest_reads_as_v2() -> None:
    doc = json.loads((RUN_V1 / "manifest.json").read_text())
    assert doc["schema_version"] == 1
    m = RunDir(RUN_V1).read_manifest()
    assert m.schema_version == 2
    assert m.spec.model == ModelSpec(
        spec="anthropic/model-under-test",
        endpoint=FIXTURE_URL,
        params=GenerationParams(max_tokens=2048),
    )
    assert m.spec.judge is not None and m.spec.judge.prompt is not None
    assert m.spec.judge.prompt.version == doc["judge_params"]["prompt_version"]
    assert m.spec.judge.params == GenerationParams(temperature=0.0, max_tokens=2048)
    assert (m.spec.tasks, m.spec.samples, m.spec.seed) == (("story",), 2, 0)
    # The version 1 names still read the same values.
    for name in ("model", "judge", "samples", "seed", "task_ids", "suite_hash", "judge_params"):
        assert getattr(m, name) == doc[name], name


def test_v1_run_dir_scores_and_reports_and_score_leaves_the_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _v1_copy(tmp_path)
    manifest = (out / "manifest.json").read_bytes()
    written_by_v1 = Scores.model_validate_json((out / "scores.json").read_text())
    assert main(["score", str(out), "--suite", str(MINI)]) == 0
    assert (out / "manifest.json").read_bytes() == manifest  # still version 1, byte for byte
    rescored = RunDir(out).read_scores()
    assert rescored.model_dump() == written_by_v1.model_dump()
    capsys.readouterr()
    assert main(["report", str(out), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    # 4 items (1 check, 3 judged) x 2 samples
    assert doc["scores"]["coverage"] == {
        "expected": 8,
        "judged": 8,
        "failed": 0,
        "not_applicable": 0,
    }
    assert {line["role"] for line in doc["cost"]["lines"]} == {"model", "judge"}


def test_v1_run_dir_resumes_under_its_spec(fake_anthropic: FakeAnthropic, tmp_path: Path) -> None:
    out = _v1_copy(tmp_path, fake_anthropic.url)
    run_id = RunDir(out).read_manifest().run_id
    lines = (out / "judgments.jsonl").read_text().splitlines(keepends=True)
    # Sample 1's three judged items are lost (as after a kill): one judge call brings them back.
    kept = [ln for ln in lines if not ('"sample":1' in ln and '"judge":"anthropic/' in ln)]
    assert len(kept) == len(lines) - 3
    (out / "judgments.jsonl").write_text("".join(kept))
    # It was judged per dimension (the default then): the resume names its mode.
    scores = Runner(_config(samples=2, judge_mode="dimension"), out).execute()
    assert scores.status == "complete"
    assert len(_judge_bodies(fake_anthropic)) == 1
    assert not [
        r
        for r in fake_anthropic.requests_to("/v1/messages", "POST")
        if r.body["model"] != "judge-x"
    ]  # responses already there: no model call
    doc = json.loads((out / "manifest.json").read_text())
    assert doc["schema_version"] == 2 and doc["run_id"] == run_id
    assert doc["spec"]["samples"] == 2 and doc["counts"]["judgments_done"] == 8
    assert len(RunDir(out).judgments()) == 8


def test_score_leaves_the_manifest_byte_for_byte(
    fake_anthropic: FakeAnthropic, tmp_path: Path
) -> None:
    out = tmp_path / "r"
    Runner(_config(), out).execute()
    before = (out / "manifest.json").read_bytes()
    scores = (out / "scores.json").read_text()
    (out / "scores.json").unlink()
    assert main(["score", str(out), "--suite", str(MINI)]) == 0
    assert (out / "manifest.json").read_bytes() == before
    assert (out / "scores.json").read_text() == scores


def test_a_resume_refusal_names_every_differing_field(
    fake_anthropic: FakeAnthropic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r"
    Runner(_config(), out).execute()
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.suffix != ".sqlite"}
    n_requests = len(fake_anthropic.requests)
    code = main(
        [
            "run",
            "--model",
            "anthropic/model-under-test",
            "--judge",
            "anthropic/judge-x",
            "--out",
            str(out),
            "--suite",
            str(MINI),
            "--tasks",
            "story",
            "--samples",
            "2",
            "--seed",
            "3",
            "--temperature",
            "0.5",
            "--judge-samples",
            "3",
            "--no-progress",
        ]
    )
    assert code == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "different samples (1; this command: 2)" in line
    assert "different seed (0; this command: 3)" in line
    assert "different model temperature (None; this command: 0.5)" in line
    assert "different judge samples (1; this command: 3)" in line
    # Three judge samples pin another temperature: named too.
    assert "different judge temperature (0.0; this command: 1.0)" in line
    assert "max_tokens" not in line  # the same on both sides: not named
    assert "different model (" not in line and "different suite" not in line
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.suffix != ".sqlite"} == before
    assert len(fake_anthropic.requests) == n_requests


def test_a_resume_under_another_judge_prompt_is_refused(
    mock_calls: MockCalls, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run started under another judge prompt (its version and hash recorded in the spec)
    is not judged further with today's: verdicts of two prompts would mix."""
    out = tmp_path / "r"
    cmd = ["run", "--model", "mock/good", "--judge", "mock/good", "--out", str(out)]
    cmd += ["--suite", str(MINI), "--tasks", "story", "--no-progress"]
    assert main(cmd) == 0
    manifest = out / "manifest.json"
    data = json.loads(manifest.read_text())
    assert data["spec"]["judge"]["prompt"] == {
        "version": prompt_fingerprint()["prompt_version"],
        "sha256": prompt_fingerprint()["prompt_sha256"],
    }
    data["spec"]["judge"]["prompt"] = {"version": "0.9", "sha256": "0" * 64}
    manifest.write_text(json.dumps(data))
    judged = (out / "judgments.jsonl").read_bytes()
    (out / "judgments.jsonl").write_bytes(judged[: judged.index(b"\n") + 1])
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.suffix != ".sqlite"}
    n_calls = len(mock_calls())
    capsys.readouterr()
    assert main(cmd) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "different judge prompt (0.9 (000000000000); this command: " in line
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.suffix != ".sqlite"} == before
    assert len(mock_calls()) == n_calls


def test_flags_left_out_mean_as_recorded(fake_anthropic: FakeAnthropic, tmp_path: Path) -> None:
    out = tmp_path / "r"
    Runner(_config(samples=2, seed=5, judge=None), out).execute(judge=False)
    # The judge stage names neither model nor samples nor seed: all as recorded.
    common = ["--suite", str(MINI), "--no-progress"]
    assert main(["judge", str(out), "--judge", "anthropic/judge-x", *common]) == 0
    spec = RunDir(out).read_manifest().spec
    assert (spec.samples, spec.seed, spec.model.spec) == (2, 5, "anthropic/model-under-test")
    assert spec.judge is not None and spec.judge.spec == "anthropic/judge-x"


def _spec(**kw: Any) -> RunSpec:
    base: dict[str, Any] = dict(
        suite=SuiteRef(version="1", hash="a" * 64, rubric_versions={}, rubric_hashes={}),
        tasks=("a", "b"),
        samples=1,
        seed=0,
        model=ModelSpec(spec="openai/m", endpoint=None, params=GenerationParams()),
        judge=JudgeSpec(spec="anthropic/j", params=GenerationParams(), prompt=None),
    )
    return RunSpec(**(base | kw))


def test_spec_differences_in_field_order() -> None:
    assert spec_differences(_spec(), _spec()) == []
    other = _spec(
        tasks=("a",),
        model=ModelSpec(spec="openai/m", endpoint="http://x", params=GenerationParams()),
        suite=SuiteRef(version="2", hash="b" * 64, rubric_versions={}, rubric_hashes={}),
    )
    assert spec_differences(_spec(), other) == [
        f"different suite (1 ({'a' * 12}); this command: 2 ({'b' * 12}))",
        "different tasks (2 tasks; this command: 1 tasks)",
        "different model endpoint (None; this command: http://x)",
    ]


def test_model_flags_without_model_are_laid_over_the_recorded_part() -> None:
    """A resume without --model keeps the recorded model part; a server or param given with
    it is compared, not dropped, and a long system prompt is shown by its start."""
    suite = load_suite(MINI)
    recorded = _spec(
        suite=suite_ref(suite),
        tasks=tuple(t.id for t in suite.tasks),
        model=ModelSpec(spec="openai/m", params=GenerationParams(temperature=0.5, max_tokens=300)),
    )
    same = RunConfig(temperature=0.5, max_tokens=300).spec(suite, recorded)
    assert same.model == recorded.model
    moved = RunConfig(base_url="http://x:1/v1", system_prompt="p" * 100).spec(suite, recorded)
    assert spec_differences(recorded, moved) == [
        "different model endpoint (None; this command: http://x:1/v1)",
        f"different model system_prompt (None; this command: {'p' * 57 + '...'!r})",
    ]


def test_manifest_v2_round_trips() -> None:
    m = Manifest(run_id="r", created_at="t", musebench_version="0", spec=_spec())
    again = Manifest.model_validate_json(m.model_dump_json())
    assert again == m and again.schema_version == 2 and again.spec == _spec()


# ------------------------------------------------------------------------ the judge plan


def test_the_plan_first_asks_are_what_the_judge_asks_first() -> None:
    """The batch prefill caches the plan's first asks; the streaming judge must look up those
    very keys for every judge sample, or batch answers would be paid for and never used."""
    suite = load_suite(MINI)
    task = suite.task("story")
    response = ResponseRecord(
        task_id="story", sample=1, model="m", transcript=[], text="A lighthouse story."
    )
    spec = JudgeSpec(
        spec="anthropic/j",
        params=GenerationParams(temperature=1.0, max_tokens=512),
        prompt=None,
        samples=3,
    )
    plan = JudgePlan.of(spec, suite.dimensions)
    [group] = plan.pending(task, response, judged=set())
    asked: list[GenerateRequest] = []

    async def call(request: GenerateRequest) -> Completion:
        asked.append(request)
        answer = {it.id: {"evidence": "", "rationale": "r", "verdict": True} for it in group.items}
        return Completion(text=json.dumps(answer), structured=answer)

    asyncio.run(
        judge_items(
            call,
            group.task,
            group.response,
            group.items,
            group.dimensions,
            judge_spec="anthropic/j",
            params=plan.params,
            samples=plan.samples,
        )
    )
    keys = sorted(cache_key("anthropic/j", r) for r in asked)
    planned = sorted(cache_key("anthropic/j", r) for r in plan.first_asks(group))
    assert len(planned) == 3 and keys == planned
    # A group with every item judged is not asked again.
    judged = {("story", 1, it.id) for it in group.items}
    assert plan.pending(task, response, judged) == []


def test_batch_judge_samples_are_all_answered_by_the_batch(
    fake_anthropic: FakeAnthropic, tmp_path: Path
) -> None:
    cfg = _config(tasks=None, judge_samples=3, batch=True, batch_poll_interval=0.0)
    scores = Runner(cfg, tmp_path / "r").execute()
    [created] = fake_anthropic.requests_to("/v1/messages/batches", "POST")
    samples = sorted(r["params"]["temperature"] for r in created.body["requests"])
    assert len(samples) == 3 * 3  # three groups (one per task) x three judge samples
    assert samples == [1.0] * 9
    assert _judge_bodies(fake_anthropic) == []  # every ask was answered by the batch
    assert scores.status == "complete"


def test_batch_needs_a_judge_with_the_capability_and_is_refused_before_any_call(
    fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    cfg = _config(model="openai/m", judge="openai/j", batch=True)
    with pytest.raises(UsageError, match=r"^--batch: openai/j has no batch API"):
        Runner(cfg, tmp_path / "r").execute()
    assert fake_openai.requests == []


# ------------------------------------------------------------------- provider capabilities


def test_providers_declare_their_capabilities(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    replay_file = tmp_path / "r.jsonl"
    replay_file.write_text("")
    anthropic = make_provider("anthropic/j")
    assert anthropic.capabilities == Capabilities(
        batch=True, prompt_caching=True, images=True, thinking_budget=True, extra_body=True
    )
    assert isinstance(batch_client(anthropic), AnthropicBatches)
    assert make_provider("openai/m").capabilities == Capabilities(
        images=True, seed=True, reasoning_effort=True, extra_body=True
    )
    assert make_provider(f"replay/{replay_file}").capabilities == Capabilities(replay=True)
    for spec in ("openai/m", f"replay/{replay_file}"):
        with pytest.raises(UsageError, match="has no batch API"):
            batch_client(make_provider(spec))


def test_a_version_1_bundle_still_verifies_for_the_leaderboard(tmp_path: Path) -> None:
    out = _v1_copy(tmp_path)
    verified = verify_bundle(out, mini_suites())
    assert verified.manifest.model == "anthropic/model-under-test"
    assert verified.manifest.schema_version == 2  # read as version 2; the file is untouched
    assert json.loads((out / "manifest.json").read_text())["schema_version"] == 1


def test_a_run_judged_with_another_prompt_is_never_resumed(
    fake_anthropic: FakeAnthropic, tmp_path: Path
) -> None:
    """The v1 fixture was judged with judge prompt 1.1.0. Resuming it without --judge keeps the
    recorded judge, so the missing verdicts would come from today's prompt: refused, with or
    without --judge, before any call or write. It still scores and reports as it is."""
    out = _v1_copy(tmp_path, fake_anthropic.url)
    path = out / "manifest.json"
    doc = json.loads(path.read_text())
    recorded = json.loads((RUN_V1 / "manifest.json").read_text())["judge_params"]
    doc["judge_params"] |= recorded  # its own prompt: 1.1.0
    path.write_text(json.dumps(doc, indent=2))
    lines = (out / "judgments.jsonl").read_text().splitlines(keepends=True)
    kept = [ln for ln in lines if not ('"sample":1' in ln and '"judge":"anthropic/' in ln)]
    (out / "judgments.jsonl").write_text("".join(kept))
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    for judge in (None, "anthropic/judge-x"):
        with pytest.raises(RunDirError, match=r"judge prompt \(?1\.1\.0 \(e6822665d1f7\)"):
            Runner(_config(samples=2, judge=judge, judge_mode="dimension"), out).execute()
    assert not fake_anthropic.requests
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert main(["score", str(out), "--suite", str(MINI)]) == 0
