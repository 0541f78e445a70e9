"""Bundle verification: honest bundles (from the real runner against the fake Anthropic server,
and synthetic ones) pass with the scores recomputed; every kind of tampering is rejected with
the right reason."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmark.engine.runner import RunConfig, Runner
from benchmark.measure.scoring import score_run
from benchmark.records.schemas import ResolvedTask, RubricItem
from leaderboard.rules import packaged_rules
from leaderboard.verify import (
    BundleRejected,
    compare_scores,
    find_bundles,
    load_suites,
    verify_bundle,
)
from tests.leaderboard_helpers import (
    HAND_OVERALL,
    HAND_TASKS,
    MINI,
    bundle,
    constant,
    copy_bundle,
    edit_json,
    lines,
    mini_suite,
    mini_suites,
)


@pytest.fixture(scope="module")
def runner_bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A real run: the runner generates and judges on the mini suite (in-process mock)."""
    out = tmp_path_factory.mktemp("runner") / "run"
    Runner(
        RunConfig(model="mock/q0.7", judge="mock/q0.7", suite_dir=MINI, samples=2, progress=False),
        out,
    ).execute()
    yield out


@pytest.fixture
def honest(tmp_path: Path) -> Path:
    return bundle(tmp_path, "honest", samples=2)


def reject(path: Path, **kw: object) -> BundleRejected:
    with pytest.raises(BundleRejected) as info:
        verify_bundle(path, mini_suites(), **kw)  # type: ignore[arg-type]
    return info.value


# The runner bundle is made by the in-process mock provider, which the packaged rules refuse;
# these tests admit it to check everything else about a real runner's bundle.
ADMIT_MOCK = packaged_rules().model_copy(update={"refused_providers": []})


def test_a_mock_run_is_refused_as_a_test_provider(runner_bundle: Path) -> None:
    err = reject(runner_bundle)
    assert err.code == "test_provider" and "'mock/q0.7'" in str(err) and "model" in str(err)


def test_a_mock_judge_is_refused_as_a_test_provider(tmp_path: Path) -> None:
    path = bundle(tmp_path, "honest", samples=2)
    edit_json(path / "manifest.json", lambda m: m["spec"]["judge"].update(spec="mock/good"))
    err = reject(path)
    assert err.code == "test_provider" and "judge 'mock/good'" in str(err)


@pytest.mark.parametrize(
    ("name", "value"), [("system_prompt", "Each answer is graded on: ..."), ("extra_body", "{}")]
)
def test_a_model_steered_by_the_submitter_is_rejected(
    tmp_path: Path, name: str, value: str
) -> None:
    path = bundle(tmp_path, "honest", samples=2)
    edit_json(path / "manifest.json", lambda m: m["spec"]["model"]["params"].update({name: value}))
    err = reject(path)
    assert err.code == "steered_generation" and f"--{name.replace('_', '-')}" in str(err)


def test_reasoning_settings_are_admitted(tmp_path: Path) -> None:
    path = bundle(tmp_path, "honest", samples=2)
    edit_json(
        path / "manifest.json",
        lambda m: m["spec"]["model"]["params"].update(reasoning_effort="low", thinking_budget=2000),
    )
    assert verify_bundle(path, mini_suites()).manifest.spec.model.params.reasoning_effort == "low"


def test_runner_bundle_passes_and_scores_are_recomputed(runner_bundle: Path) -> None:
    v = verify_bundle(runner_bundle, mini_suites(), rules=ADMIT_MOCK)
    assert v.manifest.model == "mock/q0.7"
    assert v.scores.coverage.judged == v.scores.coverage.expected == 9 * 2
    stated = json.loads((runner_bundle / "scores.json").read_text())
    assert v.scores.overall.score == pytest.approx(stated["overall"]["score"], abs=1e-9)
    assert len(v.responses) == 6 and len(v.judgments) == 18


def test_hand_computed_scores(tmp_path: Path) -> None:
    v = verify_bundle(bundle(tmp_path, "hand"), mini_suites())
    assert v.scores.overall.score == pytest.approx(HAND_OVERALL, abs=1e-4)
    assert {t: s.score for t, s in v.scores.tasks.items()} == HAND_TASKS


def test_recomputation_ignores_the_stated_file(honest: Path) -> None:
    """The verified scores come from score_run on the judgments, not from scores.json."""
    v = verify_bundle(honest, mini_suites())
    again = score_run(v.manifest.model, v.tasks, v.manifest.samples, v.judgments, seed=20240611)
    assert compare_scores(v.scores, again) is None


def test_edited_score_is_rejected(honest: Path) -> None:
    edit_json(
        honest / "scores.json", lambda s: s["overall"].update(score=s["overall"]["score"] + 1)
    )
    err = reject(honest)
    assert err.code == "score_mismatch"
    assert err.reason.startswith("stated score does not match: overall.score stated")


def test_edited_dimension_ci_is_rejected(honest: Path) -> None:
    edit_json(honest / "scores.json", lambda s: s["dimensions"]["writing"].update(ci_high=99.0))
    err = reject(honest)
    assert err.code == "score_mismatch" and "dimensions.writing.ci_high" in err.reason


def test_score_within_tolerance_passes(honest: Path) -> None:
    edit_json(
        honest / "scores.json",
        lambda s: s["overall"].update(score=s["overall"]["score"] + 5e-7),
    )
    verify_bundle(honest, mini_suites())


def test_missing_judgment_is_rejected(honest: Path) -> None:
    path = honest / "judgments.jsonl"
    kept = lines(path)
    path.write_text("".join(kept[:3] + kept[4:]))
    err = reject(honest)
    assert err.code == "missing_records"
    assert err.reason.startswith("missing judgments: 1 of 18")


def test_missing_response_is_rejected(honest: Path) -> None:
    path = honest / "responses.jsonl"
    path.write_text("".join(lines(path)[1:]))
    # its judgments now belong to no response
    assert reject(honest).code == "orphan_record"


def test_foreign_suite_hash_is_rejected(honest: Path) -> None:
    edit_json(honest / "manifest.json", lambda m: m["spec"]["suite"].update(hash="0" * 64))
    err = reject(honest)
    assert err.code == "foreign_suite_hash" and err.reason.startswith("foreign suite hash")


def test_bundle_of_the_shipped_suite_is_foreign_to_the_mini_suite(tmp_path: Path) -> None:
    from benchmark.suite import load_suite

    shipped = load_suite()
    path = bundle(
        tmp_path, "shipped", suite=shipped, task_ids=[shipped.tasks[0].id], verdict=constant(True)
    )
    with pytest.raises(BundleRejected) as info:
        verify_bundle(path, mini_suites())
    assert info.value.code == "foreign_suite_hash"
    assert "not one we hold" in info.value.reason
    verify_bundle(path, load_suites(), min_coverage=0.0)  # and fine against its own suite


def test_foreign_rubric_hash_is_rejected(honest: Path) -> None:
    edit_json(
        honest / "manifest.json",
        lambda m: m["spec"]["suite"]["rubric_hashes"].update(writing="f" * 64),
    )
    err = reject(honest)
    assert err.code == "foreign_suite_hash" and "writing" in err.reason


@pytest.mark.parametrize("name", ["judgments.jsonl", "responses.jsonl"])
def test_duplicated_lines_are_rejected(honest: Path, name: str) -> None:
    path = honest / name
    kept = lines(path)
    path.write_text("".join([*kept, kept[0]]))
    err = reject(honest)
    assert err.code == "duplicated_lines"
    assert err.reason.startswith(f"duplicated lines: {name} has two lines for")


def test_low_coverage_is_rejected_with_the_threshold(tmp_path: Path) -> None:
    def some_missing(task: ResolvedTask, sample: int, item: RubricItem) -> bool | None:
        return None if item.id == "has_change" else True

    path = bundle(tmp_path, "gappy", verdict=some_missing)
    err = reject(path)
    assert err.code == "coverage"
    assert err.reason == "coverage below threshold: 8/9 items have a verdict (88.9% < 99%)"
    verify_bundle(path, mini_suites(), min_coverage=0.8)


def test_edited_points_are_rejected(honest: Path) -> None:
    path = honest / "judgments.jsonl"
    rows = [json.loads(x) for x in lines(path)]
    rows[0]["points"] = 10
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert reject(honest).code == "suite_mismatch"


def test_judgment_by_another_judge_is_rejected(honest: Path) -> None:
    path = honest / "judgments.jsonl"
    rows = [json.loads(x) for x in lines(path)]
    llm = next(r for r in rows if r["judge"] != "check")
    llm["judge"] = "openai/other-judge"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    err = reject(honest)
    assert err.code == "judge_mismatch" and "openai/other-judge" in err.reason


def test_line_by_another_model_is_rejected(honest: Path) -> None:
    path = honest / "responses.jsonl"
    rows = [json.loads(x) for x in lines(path)]
    rows[0]["model"] = "anthropic/someone-else"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert reject(honest).code == "model_mismatch"


def test_bad_line_is_named(honest: Path) -> None:
    path = honest / "judgments.jsonl"
    rows = lines(path)
    rows[2] = (
        rows[2]
        .replace('"verdict":true', '"verdict":"perhaps"')
        .replace('"verdict":false', '"verdict":"perhaps"')
    )
    path.write_text("".join(rows))
    err = reject(honest)
    assert err.code == "schema" and err.reason.startswith("judgments.jsonl:3:verdict:")


def test_truncated_last_line_is_rejected(honest: Path) -> None:
    path = honest / "judgments.jsonl"
    path.write_text(path.read_text()[:-20])
    err = reject(honest)
    assert err.code == "schema" and "truncated" in err.reason


def test_missing_file_is_rejected(honest: Path) -> None:
    (honest / "scores.json").unlink()
    err = reject(honest)
    assert (err.code, err.reason) == ("missing_file", "missing file: scores.json")


def test_manifest_schema_error_names_the_field(honest: Path) -> None:
    edit_json(honest / "manifest.json", lambda m: m["spec"].update(samples=0))
    err = reject(honest)
    assert err.code == "schema" and err.reason.startswith("manifest.json:spec.samples:")


def test_copied_runner_bundle_still_passes(runner_bundle: Path, tmp_path: Path) -> None:
    """A bundle is the four files: the cache and other run-dir files play no part."""
    copy = copy_bundle(runner_bundle, tmp_path / "copy")
    assert verify_bundle(copy, mini_suites(), rules=ADMIT_MOCK).scores.coverage.failed == 0


def test_find_bundles(tmp_path: Path) -> None:
    bundle(tmp_path / "a", "one")
    bundle(tmp_path / "b" / "deep", "two")
    (tmp_path / "noise").mkdir()
    found = [p.relative_to(tmp_path).as_posix() for p in find_bundles(tmp_path)]
    assert found == ["a/one", "b/deep/two"]


def test_mini_suite_helper_matches_hand_numbers() -> None:
    suite = mini_suite()
    assert [t.id for t in suite.tasks] == ["story", "talk", "page"]


def test_failed_response_counts_against_coverage_not_as_missing_lines(honest: Path) -> None:
    """The runner writes no judgment for a response that failed: that is coverage, not a
    missing line. Here 1 of 6 responses failed (4 items of 18 without a verdict)."""
    from benchmark.records.rundir import RunDir

    run = RunDir(honest)
    responses = run.responses()
    # As the runner writes it: the partial transcript (the prompt only) and its text, empty.
    failed = responses[0].model_copy(
        update={
            "error": "HTTP 500 after 4 attempts",
            "transcript": responses[0].transcript[:1],
            "text": "",
        }
    )
    (honest / "responses.jsonl").write_text(
        "".join(r.model_dump_json() + "\n" for r in [failed, *responses[1:]])
    )
    kept = [j for j in run.judgments() if (j.task_id, j.sample) != (failed.task_id, failed.sample)]
    (honest / "judgments.jsonl").write_text("".join(j.model_dump_json() + "\n" for j in kept))
    suite = mini_suite()
    m = run.read_manifest()
    run.write_scores(
        score_run(m.model, [suite.task(t) for t in m.task_ids], 2, kept, seed=20240611)
    )
    err = reject(honest)
    assert (err.code, err.reason) == (
        "coverage",
        "coverage below threshold: 14/18 items have a verdict (77.8% < 99%)",
    )
    assert verify_bundle(honest, mini_suites(), min_coverage=0.75).scores.coverage.failed == 4
