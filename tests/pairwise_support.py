"""Run directories of known quality on a generated suite, for the pairwise tests.

Each response's text carries `quality Q` (the fake judge in tests/fakes/pairwise_judge.py reads
it) and optional filler words, so runs of known strength and length can be compared."""

from __future__ import annotations

import shutil
from pathlib import Path

from benchmark.records.rundir import RunDir
from benchmark.records.schemas import Manifest, Message, ResponseRecord
from benchmark.suite import load_suite

MINI = Path(__file__).parent / "data" / "mini_suite"


def make_suite(root: Path, n_tasks: int, version: str = "0.0.1") -> Path:
    """A suite of `n_tasks` one-turn story tasks on the mini suite's rubrics."""
    shutil.copytree(MINI / "rubrics", root / "rubrics")
    tasks = root / "tasks" / "creative_writing"
    tasks.mkdir(parents=True)
    (root / "tasks" / "suite.yaml").write_text(
        f'name: pw\nversion: "{version}"\ncanary: "PW CANARY"\n', encoding="utf-8"
    )
    for k in range(n_tasks):
        (tasks / f"t{k:02d}.yaml").write_text(
            f"id: t{k:02d}\ncategory: creative_writing\ntitle: Story {k}\n"
            f'canary: "PW CANARY"\nprompt: Write story number {k}.\nitems:\n'
            "  - {id: vivid, dimension: writing, text: The story is vivid., points: 3}\n"
            "  - {id: talk, dimension: listening, text: A character listens., points: 2}\n",
            encoding="utf-8",
        )
    return root


def make_run(
    path: Path,
    suite_dir: Path,
    model: str,
    quality: float,
    *,
    samples: int = 1,
    words: int | list[int] = 20,
    run_id: str | None = None,
) -> Path:
    suite = load_suite(suite_dir)
    manifest = Manifest(
        run_id=run_id or f"run-{model.replace('/', '-')}",
        created_at="2026-01-01T00:00:00+00:00",
        **suite.manifest_fields(suite.tasks),
        model=model,
        generation_params={},
        judge=None,
        judge_params={},
        samples=samples,
        seed=0,
        status="complete",
    )
    run = RunDir(path)
    run.write_manifest(manifest)
    with run.responses_path.open("w", encoding="utf-8") as fh:
        for n, t in enumerate(suite.tasks):
            length = words if isinstance(words, int) else words[n % len(words)]
            for s in range(samples):
                text = f"A story ({t.id}, sample {s}) of quality {quality}. " + " ".join(
                    ["filler"] * length
                )
                rec = ResponseRecord(
                    task_id=t.id,
                    sample=s,
                    model=model,
                    transcript=[
                        Message(role="user", content=t.prompt),
                        Message(role="assistant", content=text),
                    ],
                    text=text,
                )
                fh.write(rec.model_dump_json() + "\n")
    return path
