"""A run directory as the tables the viewer shows, and the viewer's filters. No Streamlit here:
the page (app.py) only draws what these functions return.

The tables have the columns of the leaderboard's sample viewer (leaderboard/build.py
RESPONSE_SCHEMA and JUDGMENT_SCHEMA), so its pieces show a local run exactly as a board's."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from benchmark.records.loaded_run import LoadedRun, load_run
from benchmark.records.schemas import ResolvedTask
from benchmark.suite import Suite, load_suite, shipped_suites

RUNS_ENV = "MUSEBENCH_VIEW_RUNS"  # the run dirs to show, os.pathsep-separated
SUITES_ENV = "MUSEBENCH_VIEW_SUITES"  # extra suite dirs for task titles and item texts


@dataclass(frozen=True)
class RunTables:
    run: LoadedRun
    tasks: pd.DataFrame  # task_id, title, category, score, ci_low, ci_high
    responses: pd.DataFrame  # task_id, sample, text, transcript (JSON), error
    judgments: pd.DataFrame  # one row per verdict, with item_text, votes, vote_agreement


@dataclass(frozen=True)
class Filters:
    failed_only: bool = False  # items that cost points (see `lost_points`)
    dimension: str | None = None
    disagreements_only: bool = False  # judge samples that did not all agree


def suites(extra: Sequence[str | Path] = ()) -> list[Suite]:
    """The suites task titles and item texts are looked up in: extra ones first."""
    return [*(load_suite(p) for p in extra), *shipped_suites()]


def _task_index(run: LoadedRun, known: Sequence[Suite]) -> dict[str, ResolvedTask]:
    """The run's tasks from the suite it was run on (same hash), else from any suite that has
    them; a task found in none is shown by its id alone."""
    ordered = sorted(known, key=lambda s: s.suite_hash != run.manifest.suite_hash)
    index: dict[str, ResolvedTask] = {}
    for suite in reversed(ordered):  # the preferred suite is written last and wins
        index.update({t.id: t for t in suite.tasks})
    return index


def tables(run: LoadedRun, known: Sequence[Suite]) -> RunTables:
    index = _task_index(run, known)
    scored = run.scores.tasks if run.scores is not None else {}
    task_rows = []
    for tid in run.manifest.task_ids:
        task, ci = index.get(tid), scored.get(tid)
        task_rows.append(
            {
                "task_id": tid,
                "title": task.title if task else "",
                "category": task.category if task else "",
                "score": ci.score if ci else None,
                "ci_low": ci.ci_low if ci else None,
                "ci_high": ci.ci_high if ci else None,
            }
        )
    responses = pd.DataFrame(
        [
            {
                "task_id": r.task_id,
                "sample": r.sample,
                "text": r.text,
                "transcript": json.dumps([m.model_dump() for m in r.transcript]),
                "error": r.error or "",
            }
            for r in run.responses
        ],
        columns=["task_id", "sample", "text", "transcript", "error"],
    )
    items = {(t.id, it.id): it.text for t in index.values() for it in t.items}
    judgments = pd.DataFrame(
        [
            {
                **j.model_dump(exclude={"usage", "model", "response_id"}),
                "error": j.error or "",
                "item_text": items.get((j.task_id, j.item_id), ""),
            }
            for j in run.judgments
        ],
        columns=[
            "task_id", "sample", "item_id", "dimension", "points", "verdict", "evidence",
            "rationale", "judge", "error", "not_applicable", "grounded", "votes",
            "vote_agreement", "item_text",
        ],
    )  # fmt: skip
    return RunTables(run, pd.DataFrame(task_rows), responses, judgments)


def load_tables(run_dir: str | Path, known: Sequence[Suite]) -> RunTables:
    return tables(load_run(run_dir), known)


def lost_points(judgments: pd.DataFrame) -> pd.Series:
    """Verdicts that cost the response points: a positive item not met, or a negative item (a
    flaw) found. An item with no verdict costs nothing here (coverage counts it)."""
    verdict = judgments["verdict"]
    has = verdict.notna()
    met = verdict.where(has, False).astype(bool)
    positive = judgments["points"] > 0
    return has & ((positive & ~met) | (~positive & met))


def disagreed(judgments: pd.DataFrame) -> pd.Series:
    """Verdicts whose judge samples did not all agree (only with --judge-samples > 1)."""
    agreement = pd.to_numeric(judgments["vote_agreement"], errors="coerce")
    return agreement.notna() & (agreement < 1.0)


def apply_filters(t: RunTables, f: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(responses, judgments) left by the filters: the verdicts that pass every filter, and the
    responses that have at least one of them. With no filter on, everything."""
    j = t.judgments
    keep = pd.Series(True, index=j.index)
    if f.failed_only:
        keep &= lost_points(j)
    if f.dimension is not None:
        keep &= j["dimension"] == f.dimension
    if f.disagreements_only:
        keep &= disagreed(j)
    if not (f.failed_only or f.dimension is not None or f.disagreements_only):
        return t.responses, j
    kept = j.loc[keep]
    pairs = set(zip(kept["task_id"], kept["sample"], strict=True))
    r = t.responses
    mask = [(tid, s) in pairs for tid, s in zip(r["task_id"], r["sample"], strict=True)]
    return r.loc[mask], kept
