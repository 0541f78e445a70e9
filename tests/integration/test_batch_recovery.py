"""`--batch` failures end in one line and recover without paying for a request twice or opening
a duplicate batch: create and poll timeouts, a batch the server no longer knows (404), a create
the server refuses, and a corrupt batches.json. Against the loopback fake Anthropic API, counting
the batches it created and the requests it answered directly."""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from benchmark.cli import main
from benchmark.engine._batch_log import load_batch_log
from benchmark.engine.providers import AnthropicProvider, make_provider
from benchmark.engine.providers import anthropic_batch as batch
from benchmark.engine.retry import RetryPolicy
from benchmark.engine.runner import RunConfig, Runner
from benchmark.errors import BatchError, BatchPending, RunDirError
from benchmark.records.rundir import RunDir
from tests.fakes import FakeAnthropic, Fault

MINI = Path(__file__).parents[1] / "data" / "mini_suite"
BATCHES = "/v1/messages/batches"
N_JUDGE = 3 * 2  # one judge request per (task, sample): 3 tasks, 2 samples


def _config(**kw: object) -> RunConfig:
    base: dict[str, object] = dict(
        model="anthropic/model-under-test",
        judge="anthropic/judge-x",
        suite_dir=MINI,
        samples=2,
        batch=True,
        batch_poll_interval=0.0,
        progress=False,
        retry=RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05),
    )
    base.update(kw)
    return RunConfig(**base)  # type: ignore[arg-type]


def _created(server: FakeAnthropic) -> list[Any]:
    """Batch create calls the server acted on (a timed-out call counts: the server made it)."""
    return [r for r in server.requests_to(BATCHES, "POST") if r.path == BATCHES]


def _direct_judge_calls(server: FakeAnthropic) -> int:
    return sum(
        1 for r in server.requests_to("/v1/messages", "POST") if r.body.get("model") == "judge-x"
    )


def _statuses(out: Path) -> list[str]:
    return [b.status for b in load_batch_log(out / "batches.json").batches]


def _wait_for(condition: Any, what: str) -> None:
    """Wait for the fake server's own thread to finish something (not a timing assertion)."""
    done = threading.Event()
    for _ in range(500):
        if condition():
            return
        done.wait(0.02)
    raise AssertionError(f"gave up waiting for {what}")


class Forgetful(dict):  # type: ignore[type-arg]
    """The fake's batch table for a server that forgets every batch as soon as it is made."""

    def get(self, key: Any, default: Any = None) -> Any:
        return default


# --------------------------------------------------------------------------- create


def test_create_timeout_finds_the_batch_instead_of_opening_another(
    fake_anthropic: FakeAnthropic, tmp_path: Path
) -> None:
    """The server makes the batch but its answer is lost to the client's timeout: the retry
    finds that batch in the server's list and polls it; no second batch, no direct call."""
    fake_anthropic.inject(Fault.late(2.0, path=BATCHES))
    out = tmp_path / "r"
    scores = Runner(_config(timeout=0.5), out).execute()
    assert len(_created(fake_anthropic)) == 1 and len(fake_anthropic.batches) == 1
    assert fake_anthropic.requests_to(BATCHES, "GET")[0].path == BATCHES  # looked it up
    assert _direct_judge_calls(fake_anthropic) == 0
    assert scores.status == "complete"
    [entry] = load_batch_log(out / "batches.json").batches
    assert entry.status == "collected" and entry.batch_id in fake_anthropic.batches


def test_create_timeout_with_the_batch_not_yet_listed_stops_then_resume_finds_it(
    fake_anthropic: FakeAnthropic, tmp_path: Path
) -> None:
    """The server is still making the batch when every lookup has come back empty: the run
    stops (exit 3) without creating another; the next run finds the batch and collects it."""
    fake_anthropic.inject(Fault.slow(3.0, path=BATCHES))  # makes the batch after 3 s
    out = tmp_path / "r"
    with pytest.raises(BatchPending, match="has not appeared in the server's list"):
        Runner(_config(timeout=0.3), out).execute()
    assert _statuses(out) == ["creating"]
    assert len(_created(fake_anthropic)) == 1
    _wait_for(lambda: len(fake_anthropic.batches) == 1, "the slow create")

    scores = Runner(_config(), out).execute()
    assert len(_created(fake_anthropic)) == 1  # found, not created again
    assert _direct_judge_calls(fake_anthropic) == 0
    assert scores.status == "complete" and _statuses(out) == ["collected"]


def test_a_lost_create_that_made_nothing_is_dropped_and_created_on_resume(
    fake_anthropic: FakeAnthropic, tmp_path: Path
) -> None:
    """A dropped connection before the server acted: the lookups find nothing, the run stops,
    and the next run (finding nothing either) creates the one batch."""
    fake_anthropic.inject(Fault.drop(path=BATCHES))
    out = tmp_path / "r"
    with pytest.raises(BatchPending):
        Runner(_config(), out).execute()
    assert fake_anthropic.batches == {} and _statuses(out) == ["creating"]
    scores = Runner(_config(), out).execute()
    assert len(fake_anthropic.batches) == 1 and _statuses(out) == ["collected"]
    assert _direct_judge_calls(fake_anthropic) == 0 and scores.status == "complete"


def test_a_refused_create_is_retried_with_no_lookup_needed(
    fake_anthropic: FakeAnthropic, tmp_path: Path
) -> None:
    fake_anthropic.inject(Fault.overloaded(path=BATCHES), Fault.rate_limit(0, path=BATCHES))
    scores = Runner(_config(), tmp_path / "r").execute()
    assert [r.status for r in _created(fake_anthropic)] == [529, 429, 200]
    assert len(fake_anthropic.batches) == 1 and scores.status == "complete"


def test_a_create_refused_for_good_is_one_line_and_leaves_no_entry(
    fake_anthropic: FakeAnthropic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_anthropic.batch_polls = 0  # the CLI polls every 30 s
    fake_anthropic.inject(Fault.unauthorized(path=BATCHES))
    out = tmp_path / "r"
    argv = ["run", "--model", "anthropic/model-under-test", "--judge", "anthropic/judge-x"]
    argv += ["--out", str(out), "--suite", str(MINI), "--batch", "--no-progress"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "HTTP 401" in err and "Traceback" not in err
    assert _statuses(out) == []  # the server said no: nothing to look for later
    assert len(RunDir(out).responses()) == 3  # generation kept
    assert main(argv) == 0
    assert len(fake_anthropic.batches) == 1 and _direct_judge_calls(fake_anthropic) == 0


def test_batch_error_class_for_refusals(fake_anthropic: FakeAnthropic, tmp_path: Path) -> None:
    fake_anthropic.inject(Fault.bad_request(path=BATCHES))
    with pytest.raises(BatchError, match="could not create a Message Batch of 6 requests"):
        Runner(_config(), tmp_path / "r").execute()


# --------------------------------------------------------------------------- poll


def test_poll_timeouts_retry_the_same_batch(fake_anthropic: FakeAnthropic, tmp_path: Path) -> None:
    fake_anthropic.inject(*[Fault.slow(2.0, path=BATCHES + "/")] * 2)
    scores = Runner(_config(timeout=0.3), tmp_path / "r").execute()
    [batch_id] = fake_anthropic.batches
    polls = fake_anthropic.requests_to(f"{BATCHES}/{batch_id}", "GET")
    assert len(polls) >= 3  # two timed out, then the poll that saw it end (and results)
    assert len(_created(fake_anthropic)) == 1 and _direct_judge_calls(fake_anthropic) == 0
    assert scores.status == "complete"


def test_poll_timeouts_past_the_retry_policy_stop_in_one_line_and_resume_polls_by_id(
    fake_anthropic: FakeAnthropic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_anthropic.batch_polls = 0  # the CLI polls every 30 s
    fake_anthropic.inject(*[Fault.slow(2.0, path=BATCHES + "/")] * 2)
    out = tmp_path / "r"
    argv = ["run", "--model", "anthropic/model-under-test", "--judge", "anthropic/judge-x"]
    argv += ["--out", str(out), "--suite", str(MINI), "--batch", "--no-progress"]
    argv += ["--samples", "2", "--timeout", "0.3", "--max-attempts", "2"]
    assert main(argv) == 3
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "timed out" in err and "run the same command again" in err
    assert _statuses(out) == ["submitted"]

    assert main(argv) == 0
    assert len(_created(fake_anthropic)) == 1 and _direct_judge_calls(fake_anthropic) == 0
    assert _statuses(out) == ["collected"]


# --------------------------------------------------------------------------- gone (404)


def test_a_gone_batch_is_marked_and_its_requests_go_into_one_new_batch(
    fake_anthropic: FakeAnthropic, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r"
    fake_anthropic.batch_polls = 10**6
    with pytest.raises(BatchPending, match="still in progress"):
        Runner(_config(batch_wait=0.0), out).execute()
    [first] = fake_anthropic.batches
    fake_anthropic.batches.clear()  # the server no longer knows it
    fake_anthropic.batch_polls = 0

    scores = Runner(_config(), out).execute()
    assert f"Message Batch {first} is unknown to the server" in capsys.readouterr().err
    assert _statuses(out) == ["gone", "collected"]
    creates = _created(fake_anthropic)
    assert len(creates) == 2 and len(creates[1].body["requests"]) == N_JUDGE
    assert _direct_judge_calls(fake_anthropic) == 0 and scores.status == "complete"

    # Every later run: nothing to create, poll or ask.
    n = len(fake_anthropic.requests)
    Runner(_config(), out).execute()
    assert len(fake_anthropic.requests) == n


def test_a_gone_batch_never_resubmits_what_is_cached(
    fake_anthropic: FakeAnthropic, tmp_path: Path
) -> None:
    """A recorded batch now unknown to the server whose answers are already in the cache
    (judgment lines lost): marked gone, nothing resubmitted or asked, lines restored."""
    out = tmp_path / "r"
    Runner(_config(), out).execute()
    log = json.loads((out / "batches.json").read_text())
    stale = dict(log["batches"][0], batch_id="msgbatch_forgotten", status="submitted")
    log["batches"].append(stale)
    (out / "batches.json").write_text(json.dumps(log))
    (out / "judgments.jsonl").write_text("")
    before = len(_created(fake_anthropic))

    scores = Runner(_config(), out).execute()
    assert len(_created(fake_anthropic)) == before and _direct_judge_calls(fake_anthropic) == 0
    assert _statuses(out) == ["collected", "gone"]
    assert scores.status == "complete" and len(RunDir(out).judgments()) == 9 * 2


def test_when_the_replacement_is_gone_too_the_judge_phase_asks_directly(
    fake_anthropic: FakeAnthropic, tmp_path: Path
) -> None:
    """Bounded: one replacement batch; then the requests go through the ordinary API, each
    once."""
    fake_anthropic.batches = Forgetful()
    out = tmp_path / "r"
    scores = Runner(_config(), out).execute()
    assert len(_created(fake_anthropic)) == 2
    assert _statuses(out) == ["gone", "gone"]
    assert _direct_judge_calls(fake_anthropic) == N_JUDGE
    assert scores.status == "complete"


# --------------------------------------------------------------------------- batches.json


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"batches": [{"batch_id": "msgbatch_1", "custom', "not valid JSON"),
        ('{"batches": [{"batch_id": 5}]}', "batches.0.batch_id"),
        (
            '{"batches": [{"custom_ids": ["k"], "submitted_at": "2025-01-01T00:00:00Z"}]}',
            "batch_id",
        ),
        ("[]", "Input should be an object"),
    ],
)
def test_a_corrupt_batch_log_is_one_line_before_any_paid_call(
    fake_anthropic: FakeAnthropic,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str,
    message: str,
) -> None:
    out = tmp_path / "r"
    argv = ["run", "--model", "anthropic/model-under-test", "--judge", "anthropic/judge-x"]
    argv += ["--out", str(out), "--suite", str(MINI), "--batch", "--no-progress"]
    argv += ["--tasks", "story"]
    assert main(["generate", str(out), *argv[1:3], "--suite", str(MINI), "--tasks", "story"]) == 0
    RunDir(out).responses_path.write_text("")  # generation still to do: paid work ahead
    (out / "batches.json").write_text(content)
    n = len(fake_anthropic.requests)
    capsys.readouterr()

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert f"{out / 'batches.json'}" in err and message in err
    assert "delete batches.json" in err
    assert len(fake_anthropic.requests) == n  # nothing asked, nothing paid
    assert (out / "batches.json").read_text() == content  # nothing rewritten
    assert RunDir(out).responses_path.read_text() == ""


def test_batch_logs_written_before_this_version_still_load(tmp_path: Path) -> None:
    path = tmp_path / "batches.json"
    path.write_text(
        json.dumps(
            {
                "batches": [
                    {
                        "batch_id": "msgbatch_old",
                        "custom_ids": ["a" * 64],
                        "submitted_at": "2025-05-01T10:00:00+00:00",
                        "status": "collected",
                    }
                ]
            }
        )
    )
    [entry] = load_batch_log(path).batches
    assert entry.batch_id == "msgbatch_old" and entry.status == "collected"
    with pytest.raises(RunDirError):
        path.write_text("{")
        load_batch_log(path)


# --------------------------------------------------------------------------- find_created


def test_find_created_matches_size_and_time_and_skips_known_ids(
    fake_anthropic: FakeAnthropic, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.integration.test_batch import judge

    p = make_provider("anthropic/claude-judge")
    assert isinstance(p, AnthropicProvider)
    monkeypatch.setattr(batch, "LIST_PAGE", 2)  # several pages

    async def go() -> tuple[str, ...]:
        def reqs(n: int, tag: str) -> list[Any]:
            return [(f"{tag}{i}", judge(i)) for i in range(n)]

        since = datetime.now(UTC)
        old = await batch.submit(p.client, reqs(3, "old"), p.model)
        fake_anthropic.batches[old].created_at = since - timedelta(hours=1)
        three_a = await batch.submit(p.client, reqs(3, "a"), p.model)
        two = await batch.submit(p.client, reqs(2, "b"), p.model)
        three_b = await batch.submit(p.client, reqs(3, "c"), p.model)
        for _ in range(3):
            await batch.submit(p.client, reqs(1, "pad"), p.model)
        found = await batch.find_created(p.client, 3, since, set())
        skip = await batch.find_created(p.client, 3, since, {three_a})
        none = await batch.find_created(p.client, 4, since, set())
        return three_a, three_b, two, str(found), str(skip), str(none)

    three_a, three_b, _two, found, skip, none = asyncio.run(go())
    assert found == three_a  # the oldest match: what the first lost call made
    assert skip == three_b
    assert none == "None"
    assert len(fake_anthropic.requests_to(BATCHES, "GET")) > 3  # paged
