"""Re-derivation (leaderboard/rederive.py): honest runs pass; each fabrication a tester made from
an honest run, with scores.json recomputed so that only re-deriving can catch it, is rejected
with its one-line reason (issue 15, Build 1 and 7)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmark.engine.runner import RunConfig, Runner
from benchmark.measure.scoring import run_seed, score_run
from benchmark.records.rundir import RunDir
from benchmark.records.schemas import Message, ResolvedTask
from leaderboard.verify import BundleRejected, verify_bundle
from tests.fakes import FakeAnthropic
from tests.fakes.fixtures import point_anthropic_env
from tests.fakes.responders import default_responder
from tests.leaderboard_helpers import MINI, bundle, constant, copy_bundle, mini_suite, mini_suites

QUOTE = "Fake reply"  # every answer of the fake model starts with it


def quoting_judge(body: dict[str, Any]) -> Any:
    """The fake's schema-filled answers, with every verdict quoting the response's first words
    (the fake model answers "Fake reply to: ...")."""
    answer = default_responder(body)

    def quote(node: Any) -> None:
        if isinstance(node, dict):
            if "evidence" in node:
                node["evidence"] = QUOTE
            for value in node.values():
                quote(value)
        elif isinstance(node, list):
            for value in node:
                quote(value)

    quote(answer)
    return answer


def _run(out: Path, judge_samples: int) -> Path:
    with pytest.MonkeyPatch.context() as mp, FakeAnthropic(quoting_judge) as server:
        point_anthropic_env(server, mp)  # type: ignore[arg-type]  # __enter__ is FakeServer
        Runner(
            RunConfig(
                model="anthropic/model-under-test",
                judge="anthropic/judge-x",
                suite_dir=MINI,
                samples=2,
                judge_samples=judge_samples,
                progress=False,
            ),
            out,
        ).execute()
    return out


@pytest.fixture(scope="module")
def honest_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A real run: the runner generates and judges on the mini suite through the SDK."""
    yield _run(tmp_path_factory.mktemp("runner") / "run", judge_samples=1)


@pytest.fixture(scope="module")
def voted_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The same with three judge samples per item (votes and their agreement)."""
    yield _run(tmp_path_factory.mktemp("runner") / "voted", judge_samples=3)


Record = dict[str, Any]


def tamper(
    src: Path,
    dst: Path,
    *,
    responses: Callable[[list[Record]], None] | None = None,
    judgments: Callable[[list[Record]], None] | None = None,
) -> Path:
    """A copy of `src` with its records changed, and scores.json recomputed from the changed
    judgments exactly as the runner computes it: consistent totals, so only re-deriving the
    verdicts can tell."""
    path = copy_bundle(src, dst)
    for name, change in (("responses.jsonl", responses), ("judgments.jsonl", judgments)):
        if change is None:
            continue
        rows = [json.loads(line) for line in (path / name).read_text().splitlines()]
        change(rows)
        (path / name).write_text("".join(json.dumps(r) + "\n" for r in rows))
    run = RunDir(path)
    m = run.read_manifest()
    suite = mini_suite()
    run.write_scores(
        score_run(
            m.model,
            [suite.task(t) for t in m.task_ids],
            m.samples,
            run.judgments(),
            seed=run_seed(m.seed),
        )
    )
    return path


def reject(path: Path) -> BundleRejected:
    with pytest.raises(BundleRejected) as info:
        verify_bundle(path, mini_suites())
    return info.value


def overall(path: Path) -> float:
    return float(json.loads((path / "scores.json").read_text())["overall"]["score"])


# --------------------------------------------------------------------------- honest


def test_honest_runs_pass(honest_run: Path, voted_run: Path, tmp_path: Path) -> None:
    for path in (honest_run, voted_run, bundle(tmp_path, "synthetic", samples=2)):
        v = verify_bundle(path, mini_suites())
        assert v.scores.overall.score == pytest.approx(overall(path), abs=1e-9)
    lines = [json.loads(x) for x in (honest_run / "judgments.jsonl").read_text().splitlines()]
    # the fixtures exercise what is re-derived: checks, grounded quotes, usage on judge calls
    assert {j["judge"] for j in lines} == {"check", "anthropic/judge-x"}
    assert any(j["grounded"] is True and j["verdict"] is True for j in lines)
    assert any(j["usage"] for j in lines)
    voted = [json.loads(x) for x in (voted_run / "judgments.jsonl").read_text().splitlines()]
    assert any(j["votes"] and len(j["votes"]) == 3 for j in voted)


def test_given_turns_of_a_fixed_history_are_not_the_models(tmp_path: Path) -> None:
    """`text` joins the model's turns only: a given assistant turn is left out, as the runner
    leaves it out; a text that includes it is rejected."""

    def with_history(task: ResolvedTask, sample: int, body: str) -> list[Message]:
        return [
            Message(role="user", content="Earlier question.", given=True),
            Message(role="assistant", content="An answer the model did not write.", given=True),
            Message(role="user", content=task.prompt),
            Message(role="assistant", content=body),
        ]

    path = bundle(tmp_path, "history", transcript=with_history)
    verify_bundle(path, mini_suites())

    def include_given(rows: list[Record]) -> None:
        rows[0]["text"] = "An answer the model did not write.\n\n" + rows[0]["text"]

    err = reject(tamper(path, tmp_path / "t", responses=include_given))
    assert err.code == "text_mismatch"


# --------------------------------------------------------------------------- fabrications


def test_flipped_programmatic_verdicts_with_rescored_totals(
    honest_run: Path, tmp_path: Path
) -> None:
    def flip(rows: list[Record]) -> None:
        for j in rows:
            if j["judge"] == "check" and j["verdict"] is not None:
                j["verdict"] = not j["verdict"]

    path = tamper(honest_run, tmp_path / "t", judgments=flip)
    assert overall(path) != overall(honest_run)
    err = reject(path)
    assert err.code == "check_mismatch"
    assert err.reason.startswith("programmatic verdict does not match: ")
    assert "in the bundle, the check gives" in err.reason and "\n" not in err.reason


def test_every_text_replaced_by_junk_with_judgments_kept(honest_run: Path, tmp_path: Path) -> None:
    def junk_text(rows: list[Record]) -> None:
        for r in rows:
            r["text"] = "junk"

    err = reject(tamper(honest_run, tmp_path / "text", responses=junk_text))
    assert err.code == "text_mismatch"
    assert err.reason.startswith("text differs from the transcript: ")

    def junk_everywhere(rows: list[Record]) -> None:
        for r in rows:
            r["text"] = "junk"
            for m in r["transcript"]:
                if m["role"] == "assistant":
                    m["content"] = "junk"

    err = reject(tamper(honest_run, tmp_path / "both", responses=junk_everywhere))
    # the judges' quotes are no longer in the responses
    assert err.code == "grounding_mismatch"
    assert "'Fake reply', marked grounded true, but the quote does not occur" in err.reason


def test_ungrounded_evidence_marked_grounded(honest_run: Path, tmp_path: Path) -> None:
    def invent(rows: list[Record]) -> None:
        j = next(j for j in rows if j["judge"] != "check" and j["verdict"] is False)
        j.update(verdict=True, evidence="a line the model never wrote", grounded=True)

    path = tamper(honest_run, tmp_path / "t", judgments=invent)
    err = reject(path)
    assert err.code == "grounding_mismatch"
    assert err.reason.endswith(
        "quotes 'a line the model never wrote', marked grounded true, but the quote does not "
        "occur in the response"
    )


def test_met_verdict_on_an_ungrounded_quote(honest_run: Path, tmp_path: Path) -> None:
    """Flagged honestly as ungrounded, but counted: the parser never keeps such a verdict."""

    def count_it(rows: list[Record]) -> None:
        j = next(j for j in rows if j["judge"] != "check" and j["verdict"] is False)
        j.update(verdict=True, evidence="not in the response", grounded=False)

    assert reject(tamper(honest_run, tmp_path / "t", judgments=count_it)).code == (
        "grounding_mismatch"
    )


def test_text_differing_from_the_transcript(honest_run: Path, tmp_path: Path) -> None:
    def polish(rows: list[Record]) -> None:
        rows[0]["text"] += " And a better ending, added afterwards."

    err = reject(tamper(honest_run, tmp_path / "t", responses=polish))
    assert (err.code, err.reason) == (
        "text_mismatch",
        f"text differs from the transcript: {_key(honest_run)} `text` is not the transcript's "
        "assistant turns joined by a blank line",
    )


def _key(run: Path) -> str:
    first = json.loads((run / "responses.jsonl").read_text().splitlines()[0])
    return f"{first['task_id']}/{first['sample']}"


def test_error_response_whose_judgments_count(honest_run: Path, tmp_path: Path) -> None:
    def fail_first(rows: list[Record]) -> None:
        r = rows[0]
        r.update(error="RateLimitError: 429", transcript=r["transcript"][:1], text="")

    path = tamper(honest_run, tmp_path / "t", responses=fail_first)
    err = reject(path)
    assert err.code == "failed_response_judged"
    assert err.reason.startswith(f"failed response judged: {_key(honest_run)} has an error, yet ")


def test_votes_contradicting_the_verdict(voted_run: Path, tmp_path: Path) -> None:
    def flip(rows: list[Record]) -> None:
        j = next(j for j in rows if j["votes"] and j["verdict"] is False)
        j["verdict"] = True

    err = reject(tamper(voted_run, tmp_path / "flip", judgments=flip))
    assert err.code == "vote_mismatch"
    assert "0 true and 3 false votes, so verdict false" in err.reason

    def agreement(rows: list[Record]) -> None:
        j = next(j for j in rows if j["votes"])
        j["votes"] = [j["verdict"], j["verdict"], not j["verdict"]]  # agreement still 1.0

    err = reject(tamper(voted_run, tmp_path / "agreement", judgments=agreement))
    assert err.code == "vote_mismatch" and "agreement 0.6666" in err.reason

    def drop(rows: list[Record]) -> None:
        next(j for j in rows if j["votes"])["votes"] = None

    err = reject(tamper(voted_run, tmp_path / "drop", judgments=drop))
    assert err.code == "vote_mismatch" and "has no votes, judge_samples is 3" in err.reason


def test_votes_on_a_single_sample_run(honest_run: Path, tmp_path: Path) -> None:
    def add(rows: list[Record]) -> None:
        j = next(j for j in rows if j["judge"] != "check" and j["verdict"] is not None)
        j.update(votes=[j["verdict"]] * 3, vote_agreement=1.0)

    assert reject(tamper(honest_run, tmp_path / "t", judgments=add)).code == "vote_mismatch"


def test_usage_zeroed(honest_run: Path, tmp_path: Path) -> None:
    zero = {"input_tokens": 0, "output_tokens": 0, "cache_read_tokens": 0, "cache_write_tokens": 0}

    def zero_responses(rows: list[Record]) -> None:
        for r in rows:
            r["usage"] = dict(zero)

    err = reject(tamper(honest_run, tmp_path / "responses", responses=zero_responses))
    assert err.code == "usage_implausible"
    assert err.reason.startswith(f"implausible usage: {_key(honest_run)} records 0 input and 0 ")

    def zero_judge(rows: list[Record]) -> None:
        for j in rows:
            if j["usage"] is not None:
                j["usage"] = dict(zero)

    err = reject(tamper(honest_run, tmp_path / "judge", judgments=zero_judge))
    assert err.code == "usage_implausible"
    assert "the judge call on " in err.reason and "records 0 input and 0 output" in err.reason


def test_replayed_runs_may_carry_no_usage(tmp_path: Path) -> None:
    """A `replay/` run relays the usage of the file it replays, which may have none (the
    offline demo's answers were not generated by a paid call)."""
    path = bundle(tmp_path, "replayed", model="replay/some-file")
    RunDir(path).responses()  # readable

    def zero(rows: list[Record]) -> None:
        for r in rows:
            r["usage"] = {"input_tokens": 0, "output_tokens": 0}

    verify_bundle(tamper(path, tmp_path / "zero", responses=zero), mini_suites())

    def implausible(rows: list[Record]) -> None:
        rows[0]["usage"] = {"input_tokens": 1, "output_tokens": 0}

    assert reject(tamper(path, tmp_path / "bad", responses=implausible)).code == (
        "usage_implausible"
    )


# --------------------------------------------------------------------------- response ids


def _with_ids(rows: list[Record]) -> None:
    """One id per judge call, as a provider gives it: the call judging the items of one
    response (judge_mode "response"; each mini-suite task judges one dimension)."""
    for j in rows:
        if j["judge"] != "check":
            j["response_id"] = f"msg_{j['task_id']}_{j['sample']}_{j['dimension']}"


def test_response_ids_one_per_judge_call_pass(honest_run: Path, tmp_path: Path) -> None:
    v = verify_bundle(tamper(honest_run, tmp_path / "ids", judgments=_with_ids), mini_suites())
    assert "msg_story_0_writing" in v.response_ids and len(v.response_ids) == 6


def test_response_id_reused_for_another_call(honest_run: Path, tmp_path: Path) -> None:
    def reuse(rows: list[Record]) -> None:
        _with_ids(rows)
        for j in rows:
            if j["task_id"] == "talk" and j["judge"] != "check":
                j["response_id"] = "msg_story_0_writing"

    err = reject(tamper(honest_run, tmp_path / "t", judgments=reuse))
    assert err.code == "duplicate_response_id"
    assert err.reason.startswith(
        "duplicate response id: 'msg_story_0_writing' is on the judge calls story/0/response and "
        "talk/"
    )


def test_response_id_on_a_programmatic_item(honest_run: Path, tmp_path: Path) -> None:
    def on_check(rows: list[Record]) -> None:
        next(j for j in rows if j["judge"] == "check")["response_id"] = "msg_1"

    assert reject(tamper(honest_run, tmp_path / "t", judgments=on_check)).code == (
        "duplicate_response_id"
    )


def test_synthetic_bundles_decide_checks_with_the_product_code(tmp_path: Path) -> None:
    """The synthetic writer (tests, the build benchmark) is honest by construction: asking for
    every item met on texts that fail the checks gives the checks' verdicts, not the wish."""
    path = bundle(tmp_path, "wish", verdict=constant(True), text=lambda t, s: "Why? " * 3)
    checks = {
        j["item_id"]: j["verdict"]
        for j in map(json.loads, (path / "judgments.jsonl").read_text().splitlines())
        if j["judge"] == "check"
    }
    assert checks == {"short": True, "two_questions_max": False, "has_form": False}
    verify_bundle(path, mini_suites())


# --------------------------------------------------------------------------- cache


def test_rederivation_outcomes_are_cached_by_content(
    honest_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild takes each bundle's outcome (pass or rejection) from the cache; a changed byte
    is a new bundle, re-derived."""
    import leaderboard.rederive as rederive_module
    from leaderboard.rederive import RederiveCache

    cache = RederiveCache(tmp_path / "cache")
    good = copy_bundle(honest_run, tmp_path / "good")
    bad = tamper(honest_run, tmp_path / "bad", responses=lambda rows: rows[0].update(text="x"))
    verify_bundle(good, mini_suites(), cache=cache)
    with pytest.raises(BundleRejected):
        verify_bundle(bad, mini_suites(), cache=cache)
    assert len(list((tmp_path / "cache").rglob("*.json"))) == 2

    def fail(*a: object, **k: object) -> None:
        raise AssertionError("re-derived despite the cache")

    monkeypatch.setattr(rederive_module, "rederive", fail)
    verify_bundle(good, mini_suites(), cache=cache)
    err = reject_cached(bad, cache)
    assert err.code == "text_mismatch"
    # Other thresholds (a stricter usage rule) are another outcome: re-derived.
    from leaderboard.rules import packaged_rules

    stricter = packaged_rules().model_copy(update={"max_chars_per_token": 2})
    with pytest.raises(AssertionError, match="re-derived despite the cache"):
        verify_bundle(good, mini_suites(), cache=cache, rules=stricter)
    with (good / "responses.jsonl").open("a") as f:
        f.write("\n")  # same records, other bytes
    with pytest.raises(AssertionError, match="re-derived despite the cache"):
        verify_bundle(good, mini_suites(), cache=cache)


def reject_cached(path: Path, cache: object) -> BundleRejected:
    with pytest.raises(BundleRejected) as info:
        verify_bundle(path, mini_suites(), cache=cache)  # type: ignore[arg-type]
    return info.value


# --------------------------------------------------------------------------- grounding's shortcut


@pytest.mark.parametrize(
    ("quote", "text", "found"),
    [
        ("lit the lamp", "He lit the lamp.", True),  # plain, verbatim: the shortcut
        ("lit  the lamp", "He lit the\n lamp.", True),  # whitespace forgiven: locate
        ("“lit the lamp”", "He said lit the lamp.", True),  # outer curly quotes dropped: locate
        ("lit the lamp...", "He lit the lamp…", True),  # the ellipsis character: locate
        ("lt; b", "a &lt; b", False),  # inside an entity, grounding decodes it: not there
        ("amp", "rock &amp; roll", False),
        ("rock", "rock &amp; roll", True),
        ("a & b", "a & b", True),  # "&" in the quote: locate decides
        ("   ", "a   b", False),  # nothing to ground
        (" lamp", "the lamp", True),  # trimmed by grounding
        ("the\n\nlamp", "He lit the\n\nlamp.", True),  # paragraphs: the shortcut
        ("the\n\nlamp", "He lit the lamp.", True),  # whitespace runs: locate
        ("the lamp\u200b", "the lamp\u200b", True),  # a character grounding drops: locate
        ("it’s lit", "it's lit", True),  # a character grounding maps: locate
        ("it’s lit", "it’s lit", True),
        ("x20;lamp", "a&#x20;lamp", False),  # an entity reaching in from before the quote
    ],
)
def test_quote_found_is_what_grounding_finds(quote: str, text: str, found: bool) -> None:
    """The shortcut for plain quotes found verbatim never says "found" where grounding's own
    locate() would not (hand-chosen cases around each of grounding's normalisations)."""
    from benchmark.engine.judging.grounding import locate
    from leaderboard.rederive import quote_found

    assert quote_found(quote, text) is found
    assert (locate(quote, text) is not None) is found
