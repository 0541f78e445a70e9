"""build.rank_scores returns a verified bundle's ordinary scores as its rank score when no
verdict is missing, and computes worst_case_scores otherwise: either way the result must equal
worst_case_scores computed in full."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmark.engine.runner import RunConfig, Runner
from benchmark.measure.scoring import run_seed
from benchmark.records.schemas import Scores
from leaderboard.bound import worst_case_scores
from leaderboard.bundle_job import rank_scores
from leaderboard.rules import packaged_rules
from leaderboard.verify import VerifiedBundle, verify_bundle
from tests.leaderboard_helpers import HAND_VERDICTS, MINI, bundle, fixed, mini_suites

ADMIT_MOCK = packaged_rules().model_copy(update={"refused_providers": []})


def full(b: VerifiedBundle) -> Scores:
    m = b.manifest
    return worst_case_scores(m.model, b.tasks, m.samples, b.judgments, seed=run_seed(m.seed))


def test_no_missing_verdict_gives_the_ordinary_scores(tmp_path: Path) -> None:
    b = verify_bundle(bundle(tmp_path, "full", samples=2), mini_suites())
    assert b.scores.coverage.failed == 0
    got = rank_scores(b)
    assert got is b.scores
    assert got.model_dump() == full(b).model_dump()


@pytest.mark.parametrize("item", ["has_change", "cliche", "clear_action"])
def test_a_missing_verdict_is_counted_against_the_run(tmp_path: Path, item: str) -> None:
    verdicts = HAND_VERDICTS | {item: None}
    path = bundle(tmp_path, "gap", samples=2, verdict=fixed(verdicts))
    b = verify_bundle(path, mini_suites(), min_coverage=0.0)
    assert b.scores.coverage.failed == 2
    got = rank_scores(b)
    assert got.model_dump() == full(b).model_dump()
    assert got.model_dump() != b.scores.model_dump()


def test_a_real_run(tmp_path: Path) -> None:
    """The runner's own bundle (in-process mock model and judge)."""
    out = tmp_path / "run"
    config = RunConfig(
        model="mock/q0.7", judge="mock/q0.7", suite_dir=MINI, samples=2, progress=False
    )
    Runner(config, out).execute()
    b = verify_bundle(out, mini_suites(), rules=ADMIT_MOCK, min_coverage=0.0)
    assert rank_scores(b).model_dump() == full(b).model_dump()
