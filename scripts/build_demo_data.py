"""Assemble the offline demo's replay files, benchmark/data/demo/<model>.jsonl, from the
hand-written sources in benchmark/data/demo/src/ and the suite's own task text.

The sources hold only the assistant turns (illustrative texts written for the demo, not model
output). The user turns are copied from the loaded suite, so every transcript carries the task's
prompt and scripted turns byte for byte. Re-run after a starter task's prompt, turns or id
changes:

    python scripts/build_demo_data.py            # rewrite the JSONL files
    python scripts/build_demo_data.py --check    # exit 1 if any JSONL file is stale
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a plain script from a source checkout
    sys.path.insert(0, str(REPO))

from benchmark.errors import UsageError  # noqa: E402
from benchmark.records.schemas import Message, ResolvedTask, ResponseRecord, Usage  # noqa: E402
from benchmark.suite import Suite, load_suite  # noqa: E402

DEMO_DIR = REPO / "benchmark" / "data" / "demo"
SRC_DIR = DEMO_DIR / "src"
TASKS_FILE = "tasks.yaml"
# The demo replays each file under this spec prefix: `replay/illustrative-careful`.
MODEL_PREFIX = "replay/"


class _StarterTask(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[str] = Field(min_length=1)


class _StarterTasks(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tasks: dict[str, _StarterTask] = Field(min_length=1)


class _Sample(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assistant: list[str] = Field(min_length=1)


class _Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    samples: list[_Sample] = Field(min_length=1)


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise UsageError(f"{path}: cannot read YAML: {exc}") from exc


def _validated(model: type[BaseModel], path: Path) -> Any:
    try:
        return model.model_validate(_read_yaml(path))
    except ValidationError as err:
        e = err.errors()[0]
        where = ".".join(str(p) for p in e["loc"]) or "(root)"
        raise UsageError(f"{path}:{where}: {e['msg']}") from err


def starter_tasks(suite: Suite, src_dir: Path = SRC_DIR) -> dict[str, ResolvedTask]:
    """Every task the sources answer, by source key: the keys of tasks.yaml (starter tasks that
    were renamed; the first listed id the suite holds wins), then every other source file, whose
    name is the task id itself."""
    spec: _StarterTasks = _validated(_StarterTasks, src_dir / TASKS_FILE)
    known = {t.id for t in suite.tasks}
    found: dict[str, ResolvedTask] = {}
    for key, entry in spec.tasks.items():
        task_id = next((i for i in entry.ids if i in known), None)
        if task_id is None:
            raise UsageError(
                f"{src_dir / TASKS_FILE}:tasks.{key}.ids: none of {entry.ids} is a task in "
                f"{suite.root} (add the task's new id to the list)"
            )
        found[key] = suite.task(task_id)
    for model in model_names(src_dir):
        for path in sorted((src_dir / model).glob("*.yaml")):
            if path.stem in found:
                continue
            if path.stem not in known:
                raise UsageError(f"{path}: no task {path.stem!r} in {suite.root}")
            found[path.stem] = suite.task(path.stem)
    return found


def model_names(src_dir: Path = SRC_DIR) -> list[str]:
    """One illustrative model per source directory."""
    return sorted(p.name for p in src_dir.iterdir() if p.is_dir())


def build_records(
    model: str, tasks: dict[str, ResolvedTask], src_dir: Path = SRC_DIR
) -> list[ResponseRecord]:
    """Every (task, sample) response of one model, in tasks.yaml order then sample order."""
    records: list[ResponseRecord] = []
    for key, task in tasks.items():
        path = src_dir / model / f"{key}.yaml"
        if not path.is_file():
            raise UsageError(f"{path}: missing (model {model!r} has no responses to task {key!r})")
        source: _Source = _validated(_Source, path)
        users = [task.prompt, *task.turns]
        for n, sample in enumerate(source.samples):
            if len(sample.assistant) != len(users):
                raise UsageError(
                    f"{path}:samples[{n}].assistant: {len(sample.assistant)} turns, but task "
                    f"{task.id!r} needs {len(users)} (one reply per user message)"
                )
            if any(not turn.strip() for turn in sample.assistant):
                raise UsageError(f"{path}:samples[{n}].assistant: empty turn")
            transcript: list[Message] = []
            for user, reply in zip(users, sample.assistant, strict=True):
                transcript.append(Message(role="user", content=user))
                transcript.append(Message(role="assistant", content=reply))
            records.append(
                ResponseRecord(
                    task_id=task.id,
                    sample=n,
                    model=MODEL_PREFIX + model,
                    transcript=transcript,
                    text="\n\n".join(sample.assistant),
                    usage=Usage(),
                    error=None,
                )
            )
    return records


def render_jsonl(records: list[ResponseRecord]) -> str:
    # Written, not generated: no provider stopped them, so no stop reason (replays count them
    # as unknown, as they count lines written before stop reasons were recorded).
    return "".join(
        json.dumps(r.model_dump(exclude={"stop_reason"}), ensure_ascii=False) + "\n"
        for r in records
    )


def build_all(suite: Suite, src_dir: Path = SRC_DIR) -> dict[str, str]:
    """JSONL text per model name."""
    tasks = starter_tasks(suite, src_dir)
    return {m: render_jsonl(build_records(m, tasks, src_dir)) for m in model_names(src_dir)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a JSONL file is stale")
    parser.add_argument("--suite", type=Path, default=None, help="suite dir (default: shipped)")
    args = parser.parse_args(argv)
    try:
        built = build_all(load_suite(args.suite))
    except UsageError as err:
        print(f"build_demo_data: error: {err}", file=sys.stderr)
        return 2
    stale = []
    for model, text in built.items():
        out = DEMO_DIR / f"{model}.jsonl"
        current = out.read_text(encoding="utf-8") if out.is_file() else None
        if current == text:
            continue
        stale.append(out)
        if not args.check:
            out.write_text(text, encoding="utf-8")
    if args.check and stale:
        names = ", ".join(p.name for p in stale)
        print(
            f"build_demo_data: stale: {names} (run python scripts/build_demo_data.py)",
            file=sys.stderr,
        )
        return 1
    if args.check:
        print(f"up to date: {len(built)} files in {DEMO_DIR}")
    else:
        print(f"wrote {len(stale)} of {len(built)} files in {DEMO_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
