"""Padded copies of runs for the length-sensitivity test: the same responses with neutral filler
(benchmark/data/judge/filler.yaml) appended, written as a run directory so the ordinary pairwise
machinery compares each response with its own padded copy."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ...records.rundir import RunDir
from ...records.schemas import ResponseRecord
from .plan import LoadedRun

FILLER_FILE = "data/judge/filler.yaml"


@cache
def filler() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        resources.files("benchmark").joinpath(FILLER_FILE).read_text(encoding="utf-8")
    )
    return data


def pad_text(text: str) -> str:
    """`text` and a final paragraph of filler: `share` of its words, at least `min_words`."""
    spec = filler()
    target = max(int(len(text.split()) * float(spec["share"])), int(spec["min_words"]))
    out: list[str] = []
    words = 0
    while words < target:
        sentence = str(spec["sentences"][len(out) % len(spec["sentences"])])
        out.append(sentence)
        words += len(sentence.split())
    return text.rstrip() + "\n\n" + " ".join(out)


def padded_response(r: ResponseRecord) -> ResponseRecord:
    transcript = list(r.transcript)
    last = max(k for k, m in enumerate(transcript) if m.role == "assistant")
    transcript[last] = transcript[last].model_copy(
        update={"content": pad_text(transcript[last].content)}
    )
    return r.model_copy(update={"transcript": transcript, "text": pad_text(r.text)})


def padded_run_id(run_id: str) -> str:
    return run_id + "+padded"


def write_padded_run(run: LoadedRun, path: Path) -> Path:
    """A run dir holding `run`'s answered responses, each padded; its run_id and model say so."""
    out = RunDir(path)
    out.write_manifest(
        run.manifest.model_copy(
            update={
                "run_id": padded_run_id(run.run_id),
                "model": run.manifest.model + "+padded",
            }
        )
    )
    lines = [
        padded_response(r).model_dump_json() + "\n"
        for r in sorted(run.responses.values(), key=lambda r: (r.task_id, r.sample))
        if any(m.role == "assistant" for m in r.transcript)
    ]
    tmp = out.responses_path.with_name("responses.jsonl.tmp")
    tmp.write_text("".join(lines), encoding="utf-8")
    tmp.replace(out.responses_path)
    return path
