"""Spot re-judging (leaderboard/rejudge.py) through the real SDK against the fake Anthropic
server: honest bundles pass, internally consistent flips of LLM verdicts are caught, the draw is
fixed per bundle and changes with it, rebuilds are served from the cache, failures are not
cached and are reported in one line, bad flags are refused before any call."""

from __future__ import annotations

import json
import math
import socket
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scipy import stats

from benchmark.cli import main as cli_main
from benchmark.engine.retry import RetryPolicy
from benchmark.errors import UsageError
from benchmark.records.schemas import ResolvedTask, RubricItem
from leaderboard.build import build_board
from leaderboard.rejudge import CODE, rejudge_config
from leaderboard.rejudge_sample import bundle_digest, candidates, draw
from leaderboard.rejudge_stats import des_raj, estimate_shift, wilson
from leaderboard.rules import BUNDLE_FILES
from leaderboard.verify import verify_bundle
from tests.fakes import FakeAnthropic, Fault, last_user_text, structured_schema
from tests.fakes.fixtures import point_anthropic_env
from tests.leaderboard_helpers import HAND_VERDICTS, bundle, edit_json, mini_suites

JUDGE = "anthropic/judge-x"
SAMPLES = 8  # 6 LLM verdicts per sample: a population of 48, 24 of them against the run
MESSAGES = "/v1/messages"
APP = str(Path(__file__).resolve().parents[2] / "leaderboard" / "app.py")


def honest_judge(body: dict[str, Any]) -> dict[str, Any]:
    """The judge that made the honest bundles: HAND_VERDICTS, no quotes."""
    schema = structured_schema(body) or {}
    return {
        item: {"evidence": "", "rationale": "as judged", "verdict": HAND_VERDICTS[item]}
        for item in schema.get("properties", {})
    }


def noisy_judge(body: dict[str, Any]) -> dict[str, Any]:
    """The same judge drawn again: about 1 verdict in 6 comes out the other way (fixed per item
    and response, so the test is deterministic)."""
    answer = honest_judge(body)
    text = last_user_text(body)
    for item, entry in answer.items():
        if zlib.crc32(f"{item}|{text}".encode()) % 6 == 0:
            entry["verdict"] = not entry["verdict"]
    return answer


@pytest.fixture
def judge(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAnthropic]:
    monkeypatch.setenv("MUSEBENCH_REJUDGE_KEY", "maintainer-key-for-tests")
    with FakeAnthropic(honest_judge) as server:
        point_anthropic_env(server, monkeypatch)  # type: ignore[arg-type]
        yield server


def flipped(n: int):  # type: ignore[no-untyped-def]
    """HAND_VERDICTS with the first `n` verdicts against the run (has_change, cliche,
    clear_action; sample by sample) turned in its favour."""
    against = [
        (task, s, item)
        for s in range(SAMPLES)
        for task, item in (("story", "has_change"), ("story", "cliche"), ("page", "clear_action"))
    ][:n]

    def verdict(task: ResolvedTask, sample: int, item: RubricItem) -> bool | None:
        v = HAND_VERDICTS[item.id]
        return (not v) if (task.id, sample, item.id) in against else v

    return verdict


def pinned(path: Path) -> Path:
    """The bundle with a fixed creation time: its bytes, so its draw, are the same every run."""
    edit_json(path / "manifest.json", lambda m: m.update(created_at="2026-12-01T00:00:00+00:00"))
    return path


def build(src: Path, out: Path, cache: Path, *, n: int, **kw: Any):  # type: ignore[no-untyped-def]
    config = rejudge_config([JUDGE], n, cache, retry=kw.pop("retry", None))
    return build_board(
        src, out, suites=mini_suites(), min_coverage=0, workers=1, cache=cache, rejudge=config, **kw
    )


def test_honest_bundle_passes_and_the_board_shows_the_line(
    judge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "src"
    bundle(src, "honest", judge=JUDGE, samples=SAMPLES)
    result = build(src, tmp_path / "board", tmp_path / "cache", n=20)
    assert result.rejected == []
    report = result.rejudged["run-honest"]
    assert report["population"] == 6 * SAMPLES
    assert report["drawn"] == report["rejudged"] == 20
    assert report["disagree"] == 0 and report["shift"] == 0.0 and not report["rejected"]
    assert report["calls"] == len(judge.requests_to(MESSAGES)) > 0
    import pandas as pd

    row = pd.read_parquet(tmp_path / "board" / "leaderboard.parquet").iloc[0]
    assert row["rejudge"].startswith(f"re-judged 20 of 48 LLM verdicts with {JUDGE}: 0 disagree")
    assert row["rejudge_shift"] == 0.0 and row["rejudge_disagreement"] == 0.0
    meta = json.loads((tmp_path / "board" / "board.json").read_text())
    assert meta["rejudge"]["judges"] == [JUDGE] and meta["rejudge"]["n"] == 20

    # The run's page shows the line (inert, like every board field).
    from streamlit.testing.v1 import AppTest

    from leaderboard.boarddata import DATA_ENV

    monkeypatch.setenv(DATA_ENV, str(tmp_path / "board"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["run"] = "run-honest"
    at.run()
    at = at.switch_page("views/model.py").run()
    assert not at.exception, at.exception
    shown = [str(h.value) for h in at.html]
    assert any(f"re-judged 20 of 48 LLM verdicts with {JUDGE}" in h for h in shown)


def test_judge_noise_does_not_reject_an_honest_bundle(judge, tmp_path: Path) -> None:
    judge.responder = noisy_judge
    src = tmp_path / "src"
    pinned(bundle(src, "honest", judge=JUDGE, samples=SAMPLES))
    result = build(src, tmp_path / "board", tmp_path / "cache", n=48)
    assert result.rejected == []
    report = result.rejudged["run-honest"]
    # Every verdict re-judged; the noise disagrees both ways, so the sign test stays quiet.
    assert report["disagree"] >= 5 and 0 < report["favour"] < report["disagree"]
    assert report["p_value"] > 0.001


def test_fourteen_flipped_verdicts_are_caught(judge, tmp_path: Path) -> None:
    src = tmp_path / "src"
    pinned(bundle(src, "honest", judge=JUDGE, samples=SAMPLES))
    pinned(bundle(src, "liar", judge=JUDGE, samples=SAMPLES, verdict=flipped(14)))
    # On this small bundle the 14 flips are 14 of the 24 verdicts against the run (+23 points).
    # With a judge that always agrees, the sign test needs 10 of them drawn (0.5**10 < 0.001):
    # re-judging all 48 draws all 14 (p = 0.5**14).
    result = build(src, tmp_path / "board", tmp_path / "cache", n=48)
    assert [r["code"] for r in result.rejected] == [CODE]
    entry = result.rejected[0]
    assert entry["run_id"] == "run-liar"
    assert entry["reason"].startswith(f"re-judging mismatch: {JUDGE} disagrees with 14 of 48 ")
    assert "\n" not in entry["reason"]
    assert entry["rejudge"]["favour"] == entry["rejudge"]["disagree"] == 14
    assert entry["rejudge"]["p_value"] == 0.5**14
    assert result.accepted == ["run-honest"]
    on_board = json.loads((tmp_path / "board" / "rejected.json").read_text())
    assert on_board[0]["code"] == CODE


def test_the_draw_is_fixed_per_bundle_and_changes_with_it(judge, tmp_path: Path) -> None:
    path = bundle(tmp_path, "b", judge=JUDGE, samples=SAMPLES)
    b = verify_bundle(path, mini_suites())
    pop = candidates(b.tasks, SAMPLES, b.responses, b.judgments, JUDGE)
    key = b"k"
    first = [c.key for c in draw(pop, 10, key=key, digest=bundle_digest(path, BUNDLE_FILES))]
    again = [c.key for c in draw(pop, 10, key=key, digest=bundle_digest(path, BUNDLE_FILES))]
    assert first == again
    edit_json(path / "manifest.json", lambda m: m.update(created_at="2026-01-01T00:00:00+00:00"))
    changed = [c.key for c in draw(pop, 10, key=key, digest=bundle_digest(path, BUNDLE_FILES))]
    assert set(changed) != set(first)
    other_key = [c.key for c in draw(pop, 10, key=b"x", digest=bundle_digest(path, BUNDLE_FILES))]
    assert set(other_key) != set(changed)


def test_a_rebuild_pays_nothing(judge, tmp_path: Path) -> None:
    src = tmp_path / "src"
    bundle(src, "honest", judge=JUDGE, samples=SAMPLES)
    build(src, tmp_path / "board", tmp_path / "cache", n=20)
    paid = len(judge.requests_to(MESSAGES))
    again = build(src, tmp_path / "board", tmp_path / "cache", n=20)
    assert len(judge.requests_to(MESSAGES)) == paid
    report = again.rejudged["run-honest"]
    assert report["calls"] == 0 and report["cache_hits"] == paid
    assert report["drawn"] == 20


def test_a_failed_call_is_reported_in_one_line_and_not_cached(judge, tmp_path: Path) -> None:
    src = tmp_path / "src"
    bundle(src, "honest", judge=JUDGE, samples=SAMPLES)
    judge.inject(Fault.bad_request(path=MESSAGES))
    once = RetryPolicy(max_attempts=1)
    result = build(src, tmp_path / "board", tmp_path / "cache", n=20, retry=once)
    report = result.rejudged["run-honest"]
    assert report["failed"] >= 1 and report["rejudged"] == 20 - report["failed"]
    assert "judge call failed" in report["error"] and "\n" not in report["line"]
    assert f"{report['failed']} without a new verdict (judge call failed" in report["line"]
    notes = [n for n in result.notes if "got no new verdict" in n]
    assert len(notes) == 1 and "\n" not in notes[0]
    paid = len(judge.requests_to(MESSAGES))
    again = build(src, tmp_path / "board", tmp_path / "cache", n=20, retry=once)
    assert len(judge.requests_to(MESSAGES)) == paid + 1  # only the failed call is asked again
    assert again.rejudged["run-honest"]["failed"] == 0


def test_a_refused_key_stops_the_build(judge, tmp_path: Path) -> None:
    src = tmp_path / "src"
    bundle(src, "honest", judge=JUDGE, samples=SAMPLES)
    judge.inject(Fault.unauthorized(path=MESSAGES))
    with pytest.raises(UsageError, match=rf"^--rejudge: {JUDGE} refused the credentials"):
        build(src, tmp_path / "board", tmp_path / "cache", n=20)
    assert not (tmp_path / "board").exists()


def test_an_unreachable_judge_stops_the_build(
    judge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "src"
    bundle(src, "honest", judge=JUDGE, samples=1)
    build(src, tmp_path / "board", tmp_path / "cache", n=2)
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    monkeypatch.setenv("ANTHROPIC_BASE_URL", f"http://127.0.0.1:{closed}")
    with pytest.raises(UsageError, match=rf"^--rejudge: {JUDGE}: "):
        build(src, tmp_path / "board", tmp_path / "cache2", n=2)
    assert (tmp_path / "board" / "leaderboard.parquet").is_file()  # the previous board stays


def test_a_bundle_of_another_judge_is_not_rejudged(judge, tmp_path: Path) -> None:
    src = tmp_path / "src"
    bundle(src, "other", judge="anthropic/judge-y", samples=1)
    result = build(src, tmp_path / "board", tmp_path / "cache", n=20)
    assert result.rejected == [] and judge.requests_to(MESSAGES) == []
    assert result.rejudged is not None
    assert result.rejudged["run-other"]["line"].startswith("not re-judged: judged by anthropic/")
    import pandas as pd

    row = pd.read_parquet(tmp_path / "board" / "leaderboard.parquet").iloc[0]
    assert row["rejudge"].startswith("not re-judged: judged by anthropic/judge-y")


# --------------------------------------------------------------------------- flags


def test_flags_are_checked_before_any_call(
    judge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "src"
    bundle(src, "honest", judge=JUDGE, samples=1)
    base = ["leaderboard", "build", str(src), "--out", str(tmp_path / "b"), "--min-coverage", "0"]
    cases = {
        "--rejudge-n": ["--rejudge", JUDGE, "--rejudge-n", "0"],
        "--rejudge-n: needs --rejudge": ["--rejudge-n", "5"],
        "--rejudge: unknown provider": ["--rejudge", "nope/judge"],
        "--rejudge: 'replay/x' cannot judge": ["--rejudge", "replay/x"],
    }
    for expected, extra in cases.items():
        try:
            code = cli_main([*base, "--suite", "tests/data/mini_suite", *extra])
        except SystemExit as exc:  # argparse's own refusal
            code = exc.code  # type: ignore[assignment]
        assert code == 2
        err = capsys.readouterr().err
        assert expected in err and "Traceback" not in err
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    with pytest.raises(UsageError, match=r"--rejudge: .*ANTHROPIC_API_KEY"):
        rejudge_config([JUDGE], 10, tmp_path / "cache")
    assert judge.requests_to(MESSAGES) == []
    assert not (tmp_path / "b").exists()


def test_json_output_carries_the_reports(
    judge, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "src"
    bundle(src, "honest", judge=JUDGE, samples=2)
    args = ["leaderboard", "build", str(src), "--out", str(tmp_path / "b"), "--min-coverage", "0"]
    args += ["--suite", "tests/data/mini_suite", "--cache", str(tmp_path / "cache")]
    assert cli_main([*args, "--rejudge", JUDGE, "--rejudge-n", "5", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["rejudged"]["run-honest"]["drawn"] == 5
    assert doc["rejudged"]["run-honest"]["line"].startswith("re-judged 5 of 12 LLM verdicts")


# --------------------------------------------------------------------------- arithmetic


def test_wilson_interval_by_hand() -> None:
    # 3 of 10 at z = 1.96: centre (0.3 + 0.19208) / 1.38416, half 1.96 * sqrt(0.021 + 0.009604)
    # / 1.38416 -> 0.10779 to 0.60322 (Wilson 1927; Newcombe 1998 table I: 0.1078, 0.6032)
    lo, hi = wilson(3, 10)
    assert lo == pytest.approx(0.1078, abs=1e-4) and hi == pytest.approx(0.6032, abs=1e-4)


def test_des_raj_by_hand() -> None:
    # Units drawn in order with initial probabilities 0.5, 0.25, 0.25 and values 2, 1, 3:
    # t1 = 2 / 0.5 = 4; t2 = 2 + 1 / 0.25 * 0.5 = 4; t3 = 3 + 3 / 0.25 * 0.25 = 6;
    # mean 14/3; variance sum((t - mean)^2) / (3 * 2) = (4/9 + 4/9 + 16/9) / 6 = 4/9.
    est, se = des_raj([2, 1, 3], [0.5, 0.25, 0.25])
    assert est == pytest.approx(14 / 3) and se == pytest.approx(2 / 3)
    whole = estimate_shift([2, 1, 3], [0.5, 0.25, 0.25], population=3)
    assert whole.exact and whole.shift == 6 and whole.ci_low == whole.ci_high == 6


def test_des_raj_is_unbiased_on_a_small_population() -> None:
    # Every ordered draw of 2 from 3 units, with its successive-sampling probability.
    values, weights = [5.0, -1.0, 2.0], [1.0, 2.0, 3.0]
    p = [w / sum(weights) for w in weights]
    expected = 0.0
    for i in range(3):
        for j in range(3):
            if i != j:
                prob = p[i] * p[j] / (1 - p[i])
                expected += prob * des_raj([values[i], values[j]], [p[i], p[j]])[0]
    assert expected == pytest.approx(sum(values))


def test_the_issues_figure_for_uniform_draws() -> None:
    # Issue 15: "re-judging 100 random items catches a 14-flip fabrication with probability
    # 0.83" among 845 LLM verdicts: 1 - C(831, 100) / C(845, 100).
    p = 1 - math.comb(831, 100) / math.comb(845, 100)
    assert round(p, 2) == 0.83
    assert stats.hypergeom.sf(0, 845, 14, 100) == pytest.approx(p)
