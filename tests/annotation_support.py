"""Builders for the annotation tests: a run directory written by hand from the schemas (not by
the runner), and a fresh store. Transcripts are placeholder test texts, not model output."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from annotation_app import auth
from annotation_app.store import Assignment, Store, Unit, open_store
from benchmark.records.rundir import JUDGMENTS, RESPONSES, RunDir
from benchmark.records.schemas import (
    JudgmentRecord,
    Manifest,
    Message,
    ResolvedTask,
    ResponseRecord,
)
from benchmark.suite import Suite, load_suite

JUDGE = "anthropic/test-judge"


def suite() -> Suite:
    return load_suite()


def make_run(
    path: Path,
    *,
    model: str = "openai/test-model",
    n_tasks: int = 2,
    samples: int = 3,
    errors: tuple[tuple[int, int], ...] = (),
    judge: str | None = JUDGE,
    run_id: str | None = None,
    suite_hash: str | None = None,
    task_ids: list[str] | None = None,
    text: Callable[[ResolvedTask, int], str] | None = None,
) -> Path:
    """A complete run dir: the first `n_tasks` tasks (or `task_ids`) x `samples`; (task index,
    sample) pairs in `errors` are failed responses; `text` gives a response's text (default: a
    short placeholder). Check items get a check verdict, the others a judge verdict."""
    s = suite()
    tasks = [s.task(t) for t in task_ids] if task_ids else s.tasks[:n_tasks]
    rd = RunDir(path)
    rd.write_manifest(
        Manifest(
            run_id=run_id or f"run-{path.name}",
            created_at="2026-01-01T00:00:00Z",
            musebench_version="0.1.0",
            suite_version=s.version,
            suite_hash=suite_hash or s.suite_hash,
            rubric_versions=s.rubric_versions,
            rubric_hashes=s.rubric_hashes,
            task_ids=[t.id for t in tasks],
            model=model,
            generation_params={},
            judge=judge,
            judge_params={},
            samples=samples,
            seed=0,
            status="complete",
        )
    )
    responses, judgments = [], []
    for ti, task in enumerate(tasks):
        for sample in range(samples):
            failed = (ti, sample) in errors
            answer = (
                text(task, sample)
                if text
                else f"Test response {sample} to {task.id}. Is this fine? I hope so."
            )
            transcript = [Message(role="user", content=task.prompt)]
            if not failed:
                transcript.append(Message(role="assistant", content=answer))
            responses.append(
                ResponseRecord(
                    task_id=task.id,
                    sample=sample,
                    model=model,
                    transcript=transcript,
                    text="" if failed else answer,
                    error="provider error: test" if failed else None,
                )
            )
            if failed:
                continue
            for k, item in enumerate(task.items):
                by_check = item.check is not None
                if not by_check and judge is None:
                    continue
                judgments.append(
                    JudgmentRecord(
                        task_id=task.id,
                        sample=sample,
                        model=model,
                        item_id=item.id,
                        dimension=item.dimension,
                        points=item.points,
                        verdict=(sample + k) % 2 == 0,
                        judge="check" if by_check else str(judge),
                    )
                )
    (path / RESPONSES).write_text("".join(r.model_dump_json() + "\n" for r in responses))
    (path / JUDGMENTS).write_text("".join(j.model_dump_json() + "\n" for j in judgments))
    return path


def unit_of(store: Store, assignment_id: int) -> str:
    """The unit id (`task/sample/model`) an assignment is for."""
    with store.read() as s:
        return str(
            s.scalar(
                select(Unit.unit_id)
                .join(Assignment, Assignment.unit_pk == Unit.id)
                .where(Assignment.id == assignment_id)
            )
        )


def new_store(tmp_path: Path, name: str = "annotations.sqlite") -> Store:
    return open_store(db_url(tmp_path / name), create=True)


def db_url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture
def cheap_token_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tokens hashed with a low scrypt cost, for tests where token strength is not under test
    (test_annotation_store.py keeps the real cost). Not for tests whose server runs in another
    process: it would verify with the real cost."""
    monkeypatch.setattr(auth, "SCRYPT_N", 2**8)
