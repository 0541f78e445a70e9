"""The offline demo's bundled responses (benchmark/data/demo/<model>.jsonl).

They are illustrative texts written for the demo, replayed as `replay/illustrative-*`. These
tests pin their format (DESIGN.md's responses.jsonl), their coverage of the starter tasks,
that every user turn is the suite's own text, that the files are rebuilt from their sources, and
the quality profile each illustrative model is meant to show (so the demo's figures separate
them for the reasons the README gives)."""

from __future__ import annotations

import importlib.util
import itertools
import json
import re
import shutil
import sys
from collections import defaultdict
from pathlib import Path
from types import ModuleType

import pytest

from benchmark.errors import UsageError
from benchmark.records.schemas import (
    BannedPhrasesCheck,
    QuestionCountCheck,
    ResolvedTask,
    ResponseRecord,
    WordCountCheck,
)
from benchmark.suite import Suite, load_suite

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "benchmark" / "data" / "demo"
MODELS = ("illustrative-careful", "illustrative-average", "illustrative-formulaic")
SAMPLES = 3
STARTER_KEYS = (
    "memory_cost_magic",
    "lighthouse_keeper_voice",
    "signup_form",
    "pricing_table",
    "grief_pet",
)


def _load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_demo_data", REPO / "scripts" / "build_demo_data.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_demo_data"] = module  # pydantic resolves the annotations here
    spec.loader.exec_module(module)
    return module


builder = _load_builder()


@pytest.fixture(scope="module")
def suite() -> Suite:
    return load_suite(REPO)


@pytest.fixture(scope="module")
def starters(suite: Suite) -> dict[str, ResolvedTask]:
    tasks: dict[str, ResolvedTask] = builder.starter_tasks(suite)
    return tasks


def _records(model: str) -> list[ResponseRecord]:
    lines = (DEMO / f"{model}.jsonl").read_text(encoding="utf-8").splitlines()
    return [ResponseRecord.model_validate_json(line) for line in lines]


# --------------------------------------------------------------------------- format and coverage


@pytest.mark.parametrize("model", MODELS)
def test_every_line_is_a_response_record(model: str) -> None:
    lines = (DEMO / f"{model}.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines, f"{model}.jsonl is empty"
    for n, line in enumerate(lines, 1):
        raw = json.loads(line)
        # Exactly DESIGN.md's fields, nothing the schema would silently default.
        assert set(raw) == {"task_id", "sample", "model", "transcript", "text", "usage", "error"}, n
        rec = ResponseRecord.model_validate(raw)
        assert rec.model == f"replay/{model}"
        assert rec.error is None
        assert raw["usage"] == {
            "input_tokens": 0,
            "output_tokens": 0,
            "cache_read_tokens": 0,
            "cache_write_tokens": 0,
        }


def test_starter_keys_are_the_demo_tasks(starters: dict[str, ResolvedTask]) -> None:
    assert tuple(starters)[: len(STARTER_KEYS)] == STARTER_KEYS
    cats = [t.category for t in starters.values()]
    assert sorted(set(cats)) == ["creative_writing", "emotional_intelligence", "visual_design"]
    assert starters["grief_pet"].multi_turn and len(starters["grief_pet"].turns) == 2


@pytest.mark.parametrize("model", MODELS)
def test_every_starter_task_has_three_samples(
    model: str, starters: dict[str, ResolvedTask]
) -> None:
    keys = [(r.task_id, r.sample) for r in _records(model)]
    assert len(keys) == len(set(keys)), "duplicate (task_id, sample)"
    # The starter tasks carry three samples each (for within-prompt diversity); every other
    # task answered has samples 0..n-1 with no gap; every model answers the same tasks.
    first = {starters[k].id for k in STARTER_KEYS}
    assert {(t, s) for t, s in keys if t in first} == {
        (t, s) for t in first for s in range(SAMPLES)
    }
    by_task: dict[str, set[int]] = defaultdict(set)
    for t, s in keys:
        by_task[t].add(s)
    assert all(samples == set(range(len(samples))) for samples in by_task.values())
    assert set(by_task) == {t.id for t in starters.values()}


@pytest.mark.parametrize("model", MODELS)
def test_user_turns_are_the_task_text(model: str, suite: Suite) -> None:
    for rec in _records(model):
        task = suite.task(rec.task_id)
        roles = [m.role for m in rec.transcript]
        assert roles == ["user", "assistant"] * (len(task.turns) + 1), (rec.task_id, rec.sample)
        users = [m.content for m in rec.transcript if m.role == "user"]
        assert users == [task.prompt, *task.turns], (rec.task_id, rec.sample)
        assert all(m.content.strip() for m in rec.transcript if m.role == "assistant")


@pytest.mark.parametrize("model", MODELS)
def test_text_is_the_assistant_turns_joined(model: str) -> None:
    for rec in _records(model):
        replies = [m.content for m in rec.transcript if m.role == "assistant"]
        assert rec.text == "\n\n".join(replies), (rec.task_id, rec.sample)


def test_jsonl_files_are_built_from_the_sources(suite: Suite) -> None:
    built = builder.build_all(suite)
    assert sorted(built) == sorted(MODELS)
    for model, text in built.items():
        assert (DEMO / f"{model}.jsonl").read_text(encoding="utf-8") == text, (
            f"{model}.jsonl is stale: run python scripts/build_demo_data.py"
        )


def test_readme_labels_the_data_illustrative() -> None:
    readme = (DEMO / "README.md").read_text(encoding="utf-8").lower()
    assert "not outputs of any real model" in readme
    for model in MODELS:
        assert model in readme


# --------------------------------------------------------------------------- build script errors


def _copy_src(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(DEMO / "src", src)
    return src


def test_builder_names_file_and_field_on_wrong_turn_count(tmp_path: Path, suite: Suite) -> None:
    src = _copy_src(tmp_path)
    path = src / "illustrative-careful" / "grief_pet.yaml"
    data = path.read_text(encoding="utf-8")
    # Drop the third assistant turn of sample 0: two replies for three user messages.
    cut = data.index("      - |-", data.index("What did the two of you do together"))
    path.write_text(data[:cut] + data[data.index("  - assistant:", cut) :], encoding="utf-8")
    with pytest.raises(UsageError, match=r"grief_pet\.yaml:samples\[0\]\.assistant: 2 turns"):
        builder.build_all(suite, src)


def test_builder_names_the_task_list_when_an_id_is_unknown(tmp_path: Path, suite: Suite) -> None:
    src = _copy_src(tmp_path)
    tasks = src / "tasks.yaml"
    text = tasks.read_text(encoding="utf-8")
    tasks.write_text(text.replace("[pricing_table, vd_pricing_table]", "[no_such_task]"))
    with pytest.raises(UsageError, match=r"tasks\.yaml:tasks\.pricing_table\.ids"):
        builder.build_all(suite, src)


def test_builder_check_mode_passes_on_the_committed_files(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert builder.main(["--check"]) == 0
    assert "up to date" in capsys.readouterr().out


# --------------------------------------------------------------------------- quality profiles
# Simple re-implementations of the suite's programmatic checks, enough to pin each profile.


def _words(text: str) -> int:
    return len(text.split())


def _phrase_found(phrase: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, re.IGNORECASE) is not None


def _check_failures(rec: ResponseRecord, task: ResolvedTask) -> list[str]:
    """Ids of the task's word-count, banned-phrase and question-count items the response fails."""
    replies = [m.content for m in rec.transcript if m.role == "assistant"]
    failed = []
    for item in task.items:
        chk = item.check
        if isinstance(chk, WordCountCheck) and chk.max is not None:
            fails = _words(rec.text) > chk.max
        elif isinstance(chk, BannedPhrasesCheck):
            fails = any(_phrase_found(p, rec.text) for p in chk.phrases)
        elif isinstance(chk, QuestionCountCheck) and chk.max is not None:
            fails = any(r.count("?") > chk.max for r in replies)
        else:
            continue
        if fails:
            failed.append(item.id)
    return failed


def test_careful_passes_every_text_check(suite: Suite) -> None:
    for rec in _records("illustrative-careful"):
        assert _check_failures(rec, suite.task(rec.task_id)) == [], (rec.task_id, rec.sample)


def test_formulaic_fails_text_checks(suite: Suite, starters: dict[str, ResolvedTask]) -> None:
    fails: dict[str, set[str]] = defaultdict(set)
    for rec in _records("illustrative-formulaic"):
        task = suite.task(rec.task_id)
        fails[task.category].update(_check_failures(rec, task))
    assert {"word_limit", "no_stock_phrasing"} <= fails["creative_writing"]
    assert "at_most_two_questions" in fails["emotional_intelligence"]
    form_id = starters["signup_form"].id
    for rec in _records("illustrative-formulaic"):
        if rec.task_id == form_id:
            assert "<label" not in rec.text  # placeholder-only inputs
            assert "outline: none" in rec.text  # focus outline removed, nothing in its place


def test_average_fails_some_checks_but_fewer_than_formulaic(suite: Suite) -> None:
    def total(model: str) -> int:
        return sum(len(_check_failures(r, suite.task(r.task_id))) for r in _records(model))

    assert 0 < total("illustrative-average") < total("illustrative-formulaic")


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def _within_prompt_similarity(model: str) -> dict[str, float]:
    """Mean pairwise Jaccard overlap of word trigrams between a task's samples."""
    by_task: dict[str, list[set[tuple[str, ...]]]] = defaultdict(list)
    for rec in _records(model):
        by_task[rec.task_id].append(_trigrams(rec.text))
    out = {}
    for task_id, grams in by_task.items():
        if len(grams) < 2:
            continue
        sims = [len(a & b) / len(a | b) for a, b in itertools.combinations(grams, 2)]
        out[task_id] = sum(sims) / len(sims)
    return out


def test_samples_differ_most_for_careful_and_least_for_formulaic() -> None:
    careful, average, formulaic = (_within_prompt_similarity(m) for m in MODELS)
    for task_id in careful:
        assert careful[task_id] < average[task_id] < formulaic[task_id], task_id
    # The formulaic samples are near-duplicates; the careful stories share almost nothing.
    assert min(formulaic.values()) > 0.6
    assert careful["cw_memory_cost_magic"] < 0.05


@pytest.mark.parametrize("model", MODELS)
def test_demo_covers_the_whole_suite(model: str, suite: Suite) -> None:
    assert {r.task_id for r in _records(model)} == {t.id for t in suite.tasks}
