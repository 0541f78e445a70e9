"""`musebench audit suite` from the command line: without a judge on the whole shipped suite
(checked against hand-derivable facts and against `benchmark.measure.scoring` on the kept run dirs),
bad input, and with the in-process mock judge."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from benchmark.cli import main
from benchmark.engine.audit import POLICY_NAMES
from benchmark.engine.audit.suite_audit import NO_JUDGE_SCOPE, judged_scope
from benchmark.engine.judging import judge_groups
from benchmark.engine.providers.replay import load_records
from benchmark.measure.scoring import run_seed, score_run
from benchmark.records.rundir import RunDir
from benchmark.records.schemas import ResolvedTask, RubricItem
from benchmark.suite import load_suite
from tests.mock_calls import MockCalls

SUITE = load_suite()
CATS = sorted({t.category for t in SUITE.tasks})


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def unjudged(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """One audit of the whole shipped suite without a judge, its run dirs kept."""
    out = tmp_path_factory.mktemp("audit") / "out"
    code, stdout, stderr = _run(["audit", "suite", "--json", "--out", str(out)])
    assert code == 0, stderr
    return json.loads(stdout), out  # the whole of stdout is one JSON document


def _empty_reply_meets(item: RubricItem) -> bool:
    """By hand: what each check type says of an empty reply. Nothing is counted (0 words,
    paragraphs, questions), no phrase occurs, and there is no HTML at all."""
    check = item.check
    assert check is not None
    if check.type in ("word_count", "paragraph_count", "question_count"):
        return check.min in (None, 0)
    return check.type == "banned_phrases"


def _programmatic(task: ResolvedTask) -> list[RubricItem]:
    return [it for it in task.items if it.check is not None]


@pytest.mark.slow
def test_structure_and_scope(unjudged: tuple[dict[str, Any], Path]) -> None:
    doc, out = unjudged
    assert doc["scope"] == NO_JUDGE_SCOPE and doc["judge"] is None
    assert doc["suite"]["version"] == SUITE.version and doc["suite"]["hash"] == SUITE.suite_hash
    assert doc["tasks"] == len(SUITE.tasks) and doc["task_ids"] == [t.id for t in SUITE.tasks]
    assert list(doc["policies"]) == list(POLICY_NAMES)
    assert doc["release_rule"]["evaluated"] is False and doc["release_rule"]["passed"] is None
    n_items = sum(len(t.items) for t in SUITE.tasks)
    n_checks = sum(len(_programmatic(t)) for t in SUITE.tasks)
    for name, block in doc["policies"].items():
        assert set(block["categories"]) == set(CATS)
        assert set(block["programmatic_points"]) == {"all", *CATS}
        # Only the checks have verdicts; the LLM items are "not judged", never invented.
        assert block["coverage"] == {
            "expected": n_items,
            "judged": n_checks,
            "failed": n_items - n_checks,
            "not_applicable": 0,  # suite 1.0.0's element checks count absence as met
        }
        assert block["items"]["judged"] == n_checks
        assert block["status"] == "partial"
        assert block["run_dir"] == str(out / name)
        assert block["model"] == f"replay/audit-{name}"


@pytest.mark.slow
def test_numbers_are_what_scoring_gives_for_the_same_judgments(
    unjudged: tuple[dict[str, Any], Path],
) -> None:
    doc, out = unjudged
    for name, block in doc["policies"].items():
        run = RunDir(out / name)
        manifest, judgments = run.read_manifest(), run.judgments()
        assert {j.judge for j in judgments if j.verdict is not None} == {"check"}
        scores = score_run(
            manifest.model, SUITE.tasks, 1, judgments, seed=run_seed(manifest.seed)
        ).model_dump(mode="json")
        assert block["overall"] == scores["overall"]
        assert block["categories"] == scores["categories"]
        # The "no LLM item met" figures: the same judgments with every LLM verdict False.
        checks = {(t.id, it.id) for t in SUITE.tasks for it in _programmatic(t)}
        floor = [
            j if (j.task_id, j.item_id) in checks else j.model_copy(update={"verdict": False})
            for j in judgments
        ]
        floor_scores = score_run(
            manifest.model, SUITE.tasks, 1, floor, seed=run_seed(manifest.seed)
        ).model_dump(mode="json")
        assert block["if_no_llm_item_met"]["overall"] == floor_scores["overall"]
        assert block["if_no_llm_item_met"]["categories"] == floor_scores["categories"]
        # Point shares and item counts, recounted from the run dir.
        items = {(t.id, it.id): it for t in SUITE.tasks for it in t.items}
        met = [j for j in judgments if j.verdict]
        assert block["items"]["met"] == len(met)
        pos = [
            (items[(j.task_id, j.item_id)].points, bool(j.verdict))
            for j in judgments
            if j.verdict is not None and items[(j.task_id, j.item_id)].points > 0
        ]
        assert block["programmatic_points"]["all"]["met"] == sum(p for p, v in pos if v)
        assert block["programmatic_points"]["all"]["possible"] == sum(p for p, _ in pos)


@pytest.mark.slow
def test_the_runs_scored_exactly_the_policies_replies(
    unjudged: tuple[dict[str, Any], Path],
) -> None:
    _, out = unjudged
    for name in POLICY_NAMES:
        replayed = load_records(out / "replay" / f"{name}.jsonl")
        for r in RunDir(out / name).responses():
            assert r.error is None
            assert r.transcript == replayed[(r.task_id, 0)].transcript


@pytest.mark.slow
def test_empty_policy_by_hand(unjudged: tuple[dict[str, Any], Path]) -> None:
    doc, out = unjudged
    block = doc["policies"]["empty"]
    judgments = {(j.task_id, j.item_id): j for j in RunDir(out / "empty").judgments()}
    met_points: Counter[str] = Counter()
    possible: Counter[str] = Counter()
    floor: dict[str, list[float]] = {c: [] for c in CATS}
    n_met = 0
    for task in SUITE.tasks:
        task_met = 0
        for it in _programmatic(task):
            j = judgments[(task.id, it.id)]
            assert j.verdict is _empty_reply_meets(it), (task.id, it.id, j.rationale)
            if it.check is not None and it.check.type == "word_count":
                assert j.rationale.startswith("0 words;"), j.rationale
            n_met += j.verdict
            possible[task.category] += it.points
            met_points[task.category] += it.points if j.verdict else 0
            task_met += it.points if j.verdict else 0
        floor[task.category].append(task_met / sum(it.points for it in task.items if it.points > 0))
    assert block["items"] == {
        "judged": sum(len(_programmatic(t)) for t in SUITE.tasks),
        "met": n_met,
        "met_positive": n_met,
        "met_negative": 0,
    }
    for c in CATS:
        assert block["programmatic_points"][c]["met"] == met_points[c]
        assert block["programmatic_points"][c]["possible"] == possible[c]
        expected = 100 * sum(floor[c]) / len(floor[c])
        assert block["if_no_llm_item_met"]["categories"][c]["score"] == pytest.approx(
            expected, abs=1e-3
        )
    # No HTML in an empty reply: not one HTML check is met, so design gets only the
    # placeholder-text bans.
    design = [
        it
        for t in SUITE.tasks
        if t.category == "visual_design"
        for it in _programmatic(t)
        if judgments[(t.id, it.id)].verdict
    ]
    assert {it.check.type for it in design if it.check is not None} <= {"banned_phrases"}


def test_table_without_judge_says_so_and_fits_80_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the default --out goes
    code, stdout, stderr = _run(
        ["audit", "suite", "--tasks", "ei_vent_lost_suitcase,vd_signup_form"]
    )
    assert code == 0, stderr
    lines = stdout.splitlines()
    assert lines[0] == NO_JUDGE_SCOPE
    assert max(len(line) for line in lines) <= 80, stdout
    for name in POLICY_NAMES:
        assert any(line.startswith(name + " ") for line in lines), name
    assert "release rule" in stdout and "not evaluated" in stdout
    assert "tasks scored: EI 1/1, design 1/1" in stdout
    assert not list(tmp_path.iterdir())  # the temporary run dirs are gone


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["--tasks", "no_such_task*"], "--tasks"),
        (["--judge", "nosuch/model"], "--judge"),
        (["--judge", "anthropic"], "--judge"),
        (["--judge", "anthropic/judge-x"], "--judge"),  # no API key
        (["--judge", "mock/great"], "--judge"),  # not a mock quality
    ],
)
def test_bad_input_is_one_line_naming_the_flag(
    argv: list[str], flag: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    out = tmp_path / "out"
    code, stdout, stderr = _run(["audit", "suite", "--out", str(out), *argv])
    assert code == 2
    assert stdout == ""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and flag in lines[0], stderr
    assert "Traceback" not in stderr
    assert not out.exists()  # refused before any run dir was made


def test_out_that_is_a_file(tmp_path: Path) -> None:
    f = tmp_path / "file"
    f.write_text("x")
    code, _, stderr = _run(["audit", "suite", "--out", str(f), "--tasks", "ei_vent_*"])
    assert code == 2 and stderr.strip().splitlines() == [
        f"musebench: error: --out: {f} exists and is not a directory"
    ]


JUDGED_TASKS = "cw_drabble_piano_tuner,ei_vent_lost_suitcase,vd_signup_form"


def test_with_a_judge_every_item_gets_a_verdict(tmp_path: Path, mock_calls: MockCalls) -> None:
    out = tmp_path / "out"
    argv = ["audit", "suite", "--judge", "mock/q0.7", "--tasks", JUDGED_TASKS]
    argv += ["--out", str(out), "--no-progress"]
    tasks = SUITE.select(JUDGED_TASKS)
    # One call per (policy, response): none of these tasks has items judged from screenshots.
    calls = len(POLICY_NAMES) * sum(len(judge_groups(t.items, "response")) for t in tasks)
    assert calls == len(POLICY_NAMES) * len(tasks)

    code, stdout, stderr = _run(argv)
    assert code == 0, stderr
    # The count announced before starting is the number of calls made.
    assert f": {calls} judge calls (" in stderr
    assert len(mock_calls("judge")) == calls and not mock_calls("model")
    lines = stdout.splitlines()
    assert lines[0] == judged_scope("mock/q0.7")
    assert max(len(line) for line in lines) <= 80, stdout
    for name in POLICY_NAMES:
        assert any(line.startswith(name + " ") for line in lines), name
    assert "if no LLM-judged item" not in stdout  # that table is for unjudged audits only
    assert "release rule: every policy at most 10" in stdout

    # The same command again, as JSON: resumed from the run dirs, no call paid twice.
    code, stdout, stderr = _run([*argv, "--json"])
    assert code == 0, stderr
    assert len(mock_calls()) == calls
    doc = json.loads(stdout)
    assert doc["judge"] == "mock/q0.7" and doc["release_rule"]["evaluated"] is True
    n_items = sum(len(t.items) for t in tasks)
    for name, block in doc["policies"].items():
        assert block["coverage"] == {
            "expected": n_items,
            "judged": n_items,
            "failed": 0,
            "not_applicable": 0,
        }
        assert block["status"] == "complete" and block["if_no_llm_item_met"] is None
        judgments = RunDir(out / name).judgments()
        assert len(judgments) == n_items and all(j.verdict is not None for j in judgments)
        assert {j.judge for j in judgments} == {"check", "mock/q0.7"}
        manifest = RunDir(out / name).read_manifest()
        scores = score_run(manifest.model, tasks, 1, judgments, seed=run_seed(manifest.seed))
        assert block["overall"] == scores.overall.model_dump(mode="json")
    rule = doc["release_rule"]
    assert (
        rule["embedded_instruction_overall"]
        == doc["policies"]["embedded_instruction"]["overall"]["score"]
    )
    assert rule["decent_plain_overall"] == doc["policies"]["decent_plain"]["overall"]["score"]


def test_an_unjudged_audit_refuses_a_judged_out_dir(tmp_path: Path) -> None:
    out = tmp_path / "out"
    base = ["audit", "suite", "--tasks", "ei_vent_lost_suitcase", "--out", str(out)]
    assert _run([*base, "--judge", "mock/q0.7", "--no-progress"])[0] == 0
    code, stdout, stderr = _run(base)
    assert code == 2 and stdout == ""
    assert "--judge mock/q0.7" in stderr and len(stderr.strip().splitlines()) == 1
