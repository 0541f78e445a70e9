"""`musebench leaderboard build SOURCE --out DIR`: verify every bundle under SOURCE (a local
folder or hf://datasets/ORG/NAME[@REVISION]) and write the precomputed board the app reads:

    DIR/leaderboard.parquet      one row per accepted run (recomputed scores, CIs, the rank
                                 score and tie-aware rank of runs of the whole suite, categories,
                                 dimensions, diversity, calibration, PPI, cost)
    DIR/rejected.json            every bundle left out, with the reason
    DIR/board.json               what was built from what: columns, notes, methods
    DIR/tasks.parquet            per-run, per-task scores (model page)
    DIR/details/<run>/responses.parquet, judgments.parquet   (the sample viewer)

Bundles are processed one at a time (bundle_job.py; in worker processes when there are many):
each is verified, summarised (scores, cost, diversity, its share of the human-label statistics)
and its details written, then its records are dropped, so memory stays flat whatever the number
of bundles.
The board is written to a temporary folder and swapped in at the end, so a failed build leaves
the previous board as it was."""

from __future__ import annotations

import gc
import json
import os
import pickle
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pandas as pd

from benchmark.errors import UsageError
from benchmark.suite import Suite

from .board_rows import (
    TASK_COLUMNS,
    BoardRow,
    Calibration,
    Interval,
    PPIEstimate,
    TaskRow,
    board_columns,
    task_columns,
)
from .bundle_job import (
    _STATE,
    RunSummary,
    _init_pool_worker,
    _init_worker,
    _process,
)
from .files import BOARD_FILE, DETAILS_DIR, META_FILE, NOT_ASKED, REJECTED_FILE, TASKS_FILE
from .hub import download_submissions, parse_hf_source
from .human import (
    HumanSummary,
    Labels,
    load_human_verdicts,
    summarise_humans,
)
from .identity import Ledger
from .metrics import DIVERSITY_KEYS
from .modelmeta import ModelDescription, ModelTable, load_model_table
from .pairwise_board import (
    PairwiseResult,
    collect_pairwise,
    pairwise_columns,
    pairwise_meta,
    pairwise_notes,
)
from .ranking import ALPHA, N_BOOT, SEED, RankInfo, tie_aware_ranks
from .rejudge import RejudgeConfig
from .rejudge_report import board_meta, rejudge_notes
from .rules import packaged_rules
from .verify import (
    MIN_COVERAGE,
    BundleRejected,
    find_bundles,
    load_suites,
    rejection_entry,
)

DEMO_PREFIX = "replay/illustrative-"
DEMO_LABEL = "illustrative (demo data)"
PARALLEL_FROM = 16  # bundles; below this, worker start-up costs more than it saves
RANK_METHOD = (
    "runs of the whole suite only, on the rank score (missing verdicts counted against the "
    "run); rank = 1 + number of runs significantly better; B is significantly better than A "
    "when the 2.5th percentile of the paired bootstrap of mean(B - A) over their tasks "
    f"({N_BOOT} resamples, seed {SEED}) is above 0"
)


@dataclass
class BuildResult:
    out: Path
    accepted: list[str] = field(default_factory=list)  # run keys
    rejected: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    rejudged: dict[str, dict[str, Any]] | None = None  # run key -> re-judging report

    def as_dict(self) -> dict[str, Any]:
        out = {
            "out": str(self.out),
            "accepted": len(self.accepted),
            "rejected": self.rejected,
            "seconds": round(self.seconds, 3),
            "notes": self.notes,
        }
        return out if self.rejudged is None else out | {"rejudged": self.rejudged}


# --------------------------------------------------------------------------- rows


def _row(
    run: RunSummary,
    *,
    meta: ModelDescription,
    categories: Sequence[str],
    dimensions: Sequence[str],
    humans: HumanSummary,
    ranked: RankInfo | None,
    pairwise: Mapping[str, Any],
) -> BoardRow:
    key, m, s = run.key, run.manifest, run.scores
    calib = humans.calibration.get(m.judge or "", {})
    ppi = humans.ppi.get(key, {})
    return BoardRow(
        run_key=key,
        run_id=m.run_id,
        model=m.model,
        label=meta.label or (DEMO_LABEL if m.model.startswith(DEMO_PREFIX) else ""),
        provider=meta.provider,
        weights=meta.weights,
        size_b=meta.size_b,
        judge=m.judge or "none",
        judge_params=json.dumps(m.judge_params, sort_keys=True),
        suite_version=m.suite_version,
        suite_hash=m.suite_hash[:12],
        created_at=m.created_at,
        samples=m.samples,
        n_tasks=len(m.task_ids),
        suite_tasks=run.suite_tasks,
        coverage=round(s.coverage.fraction, 6),
        status=s.status,
        cost_usd=run.cost,
        source=run.source,
        ranked=run.unranked is None,
        unranked_reason=run.unranked or "",
        rejudge=run.rejudge["columns"] if run.rejudge else {},
        overall=Interval.of(s.overall),
        rank_score=Interval.of(run.bound.overall),
        categories={c: Interval.of(s.categories.get(c)) for c in categories},
        dimensions={d: Interval.of(s.dimensions.get(d)) for d in dimensions},
        diversity={k: run.diversity.get(k) for k in DIVERSITY_KEYS},
        calibration={d: _calibration(calib.get(d)) for d in dimensions},
        ppi={scope: PPIEstimate(*ppi.get(scope, ())) for scope in ["overall", *dimensions]},
        rank=ranked.rank if ranked else None,
        n_better=len(ranked.better) if ranked else None,
        pairwise=pairwise,
    )


def _calibration(entry: Mapping[str, Any] | None) -> Calibration:
    if not entry:
        return Calibration()
    return Calibration(entry["status"], entry["winning_rate"], entry["balanced_f1"])


# --------------------------------------------------------------------------- one bundle each


def _run_jobs(
    jobs: list[tuple[int, Path, str]], init: tuple[Any, ...], workers: int
) -> Iterator[RunSummary | dict[str, Any]]:
    """Each job's outcome, in the jobs' order."""
    if workers <= 1 or len(jobs) < PARALLEL_FROM:
        _init_worker(*init)
        # In the caller's own process, objects are frozen between bundles only if it froze
        # none itself, and all are unfrozen at the end: its later garbage is collected as ever.
        own = _STATE["freeze_between"] = gc.get_freeze_count() == 0
        try:
            yield from map(_process, jobs)
        finally:
            _STATE.clear()
            if own:
                gc.unfreeze()
        return
    # The workers' state (the suites: ~0.5 MB) goes through a file in the staging folder, not
    # the spawn pipe: a pipe holds 64 KiB, and the parent's write would block until the first
    # worker had imported bundle_job.py to read the rest, so the workers would start one after
    # the other.
    state = Path(init[4]) / "worker-state.pickle"
    state.write_bytes(pickle.dumps(init, protocol=pickle.HIGHEST_PROTOCOL))
    # "spawn": safe even when the caller has threads (the app builds boards from the Hub).
    pool = ProcessPoolExecutor(
        workers, mp_context=get_context("spawn"), initializer=_init_pool_worker, initargs=(state,)
    )
    try:
        # One bundle per task, the largest first (as schedulers do): the last tasks are the
        # smallest, so neither worker is left alone with a big one at the end.
        futures: dict[int, Future[RunSummary | dict[str, Any]]] = {}
        for job in sorted(jobs, key=lambda j: -_bundle_bytes(j[1])):  # stable: ties in order
            futures[job[0]] = pool.submit(_process, job)
        for job in jobs:
            yield futures[job[0]].result()
    finally:
        # On an error the pending bundles are dropped and the running ones awaited, so none
        # writes into a staging folder the caller is about to remove. The workers are always
        # waited for: a caller counting its children's CPU (scripts/bench_leaderboard.py)
        # sees only the finished ones.
        pool.shutdown(wait=True, cancel_futures=True)


def _bundle_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.iterdir() if f.is_file())


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


# --------------------------------------------------------------------------- build


def _prepare_out(out: Path) -> Path:
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out: {out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / META_FILE).is_file():
        raise UsageError(
            f"--out: {out} is not empty and holds no board ({META_FILE}); choose a new folder"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))


def _swap_in(tmp: Path, out: Path) -> None:
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
    os.replace(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def previous_admissions(board: Path | None) -> list[str]:
    """The bundles (paths relative to the source) a board admitted, in the order it admitted
    them: a rebuild keeps that precedence. Empty for no board or one built before it was kept."""
    meta = board / META_FILE if board is not None else None
    if meta is None or not meta.is_file():
        return []
    try:
        admitted = json.loads(meta.read_text(encoding="utf-8")).get("admitted", [])
    except (OSError, ValueError, AttributeError):
        raise UsageError(f"--previous: {meta} is not a board's {META_FILE}") from None
    return [a for a in admitted if isinstance(a, str)]


def _collect(
    root: Path,
    label: str | None,
    tmp: Path,
    init: tuple[Any, ...],
    workers: int,
    ledger: Ledger,
    first: list[str],
) -> tuple[list[RunSummary], list[dict[str, Any]], list[str]]:
    """Summaries of the accepted runs (details moved into tmp/details), rejections, and the
    accepted bundles' paths in the order they were admitted. Bundles a previous board admitted
    come first, in its order, then new ones in path order: the first keeps a run id and its
    responses (identity.py)."""
    paths = find_bundles(root)
    rank = {rel: i for i, rel in enumerate(first)}
    rels = {p: p.relative_to(root).as_posix() for p in paths}
    paths.sort(key=lambda p: (rank.get(rels[p], len(rank)), rels[p]))
    jobs = [(i, p, f"{label}/{rels[p]}" if label else str(p)) for i, p in enumerate(paths)]
    accepted: list[RunSummary] = []
    rejected: list[dict[str, Any]] = []
    admitted: list[str] = []
    details = tmp / DETAILS_DIR
    details.mkdir()
    for (_, path, source), outcome in zip(jobs, _run_jobs(jobs, init, workers), strict=True):
        if isinstance(outcome, dict):
            rejected.append(outcome)
            continue
        try:
            ledger.admit(outcome.identity, source)
        except BundleRejected as err:
            rejected.append(rejection_entry(source, path, err))
            shutil.rmtree(outcome.staged, ignore_errors=True)
            continue
        os.replace(outcome.staged, details / outcome.key)
        accepted.append(outcome)
        admitted.append(rels[path])
    return accepted, rejected, admitted


def build_board(
    source: str | Path,
    out: str | Path,
    *,
    suites: Mapping[str, Suite] | None = None,
    min_coverage: float = MIN_COVERAGE,
    min_samples: int | None = None,
    human: str | Path | None = None,
    models: str | Path | None = None,
    workers: int | None = None,
    cache: str | Path | None = None,
    previous: str | Path | None = None,
    rejudge: RejudgeConfig | None = None,
    screenshots: bool = False,
) -> BuildResult:
    """Verify the bundles under `source` and write the board to `out`. `cache`: a folder
    where per-run diversity metrics are kept between builds (None: none kept).
    `min_samples`: samples per task of a ranked entry (default: leaderboard/rules.py).
    `previous`: a board whose admission order is kept (default: the board at `out`, if any).
    `rejudge`: spot re-judging (rejudge.py; validated by `rejudge_config` before any call).
    `screenshots`: render the accepted runs' visual-design pages (screenshots.py)."""
    rules = packaged_rules()
    if min_samples is None:
        min_samples = rules.min_samples
    started = time.perf_counter()
    out = Path(out)
    suites = suites or load_suites()
    table: ModelTable = load_model_table(models)
    labels = load_human_verdicts(human) if human is not None else None
    hub = parse_hf_source(str(source))
    result = BuildResult(out=out)
    first = previous_admissions(Path(previous) if previous is not None else out)
    tmp = _prepare_out(out)
    try:
        with tempfile.TemporaryDirectory(prefix="musebench-board-src-") as download:
            if hub is not None:
                root = download_submissions(hub, download)
                label: str | None = str(hub)
            else:
                root = Path(source)
                label = None
            staging = tmp / ".staging"
            staging.mkdir()
            accepted, rejected, admitted = _collect(
                root,
                label,
                tmp,
                (
                    suites,
                    labels,
                    min_coverage,
                    min_samples,
                    staging,
                    Path(cache) if cache else None,
                    rejudge,
                ),
                default_workers() if workers is None else workers,
                Ledger(copy_share=rules.copy_share),
                first,
            )
            shutil.rmtree(staging)
            facts = {r.manifest.run_id: r.facts for r in accepted if r.facts is not None}
            pairwise = collect_pairwise(root, label, facts)
        rejected += pairwise.rejected
        result.rejected = rejected
        result.accepted = [r.key for r in accepted]
        meta = _write_board(
            tmp,
            accepted,
            rejected,
            suites,
            table,
            labels,
            source=str(source),
            human=human,
            pairwise=pairwise,
        )
        meta["min_coverage"] = min_coverage
        meta["min_samples"] = min_samples
        meta["copy_share"] = rules.copy_share
        meta["admitted"] = admitted
        meta["screenshots"] = _screenshots(tmp, accepted) if screenshots else _not_asked()
        if screenshots and not meta["screenshots"]["made"]:
            meta["notes"].append(f"screenshots not made: {meta['screenshots']['note']}")
        if rejudge is not None:
            result.rejudged = {r.key: r.rejudge["report"] for r in accepted if r.rejudge}
            meta["rejudge"] = board_meta(rejudge, result.rejudged, rejected)
            meta["notes"] += rejudge_notes(rejudge, result.rejudged, rejected)
        result.notes = meta["notes"]
        result.seconds = time.perf_counter() - started
        meta["build_seconds"] = round(result.seconds, 3)
        (tmp / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        _swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return result


def _screenshots(board: Path, accepted: list[RunSummary]) -> dict[str, Any]:
    # Imported here: the renderer brings streamlit, which the build's worker processes (which
    # import this module) never use.
    from .screenshots import render_board

    return render_board(board, {r.key: {t: c for t, (c, _) in r.titles.items()} for r in accepted})


def _not_asked() -> dict[str, Any]:
    return {"made": False, "note": NOT_ASKED}


def _humans(accepted: list[RunSummary], labels: Labels | None) -> HumanSummary:
    if not labels:
        return HumanSummary()
    return summarise_humans(
        [r.human for r in accepted if r.human], [r.manifest.model for r in accepted]
    )


def _ranks(accepted: list[RunSummary]) -> dict[str, RankInfo]:
    """Only runs of the whole suite are ranked, on the rank score (bound.py)."""
    return tie_aware_ranks(
        {
            r.key: {t: v.score for t, v in r.bound.tasks.items() if v.score is not None}
            for r in accepted
            if r.unranked is None
        }
    )


def _task_rows(run: RunSummary) -> list[TaskRow]:
    return [
        TaskRow(
            run_key=run.key,
            task_id=tid,
            category=run.titles[tid][0],
            title=run.titles[tid][1],
            score=sc.score,
            rank_score=run.bound.tasks[tid].score,
            n=sc.n,
        )
        for tid, sc in run.scores.tasks.items()
    ]


def _board_frame(rows: list[BoardRow]) -> pd.DataFrame:
    """Ranked runs first, by rank then rank score; then the unranked."""
    frame = pd.DataFrame(board_columns(rows))
    if frame.empty:
        return frame
    frame["rank"] = frame["rank"].astype("Int64")
    frame["n_better"] = frame["n_better"].astype("Int64")
    return frame.sort_values(
        ["ranked", "rank", "rank_score"],
        ascending=[False, True, False],
        kind="stable",
        na_position="last",
    )


def _unranked_notes(rows: list[BoardRow]) -> list[str]:
    unranked = [r for r in rows if not r.ranked]
    if not unranked:
        return []
    more = " (and others)" if len(unranked) > 1 else ""
    return [
        f"{len(unranked)} run(s) shown unranked, apart from the ranked board: "
        f"{unranked[0].unranked_reason}{more}"
    ]


def _write_board(
    tmp: Path,
    accepted: list[RunSummary],
    rejected: list[dict[str, Any]],
    suites: Mapping[str, Suite],
    table: ModelTable,
    labels: Labels | None,
    *,
    source: str,
    human: str | Path | None,
    pairwise: PairwiseResult | None = None,
) -> dict[str, Any]:
    pairwise = pairwise or PairwiseResult()
    notes: list[str] = pairwise_notes(pairwise)
    categories = sorted({c for r in accepted for c, _ in r.titles.values()})
    dimensions = sorted({d for r in accepted for d in r.scores.dimensions})
    div_notes = sorted({r.diversity_note for r in accepted if r.diversity_note})
    div_note = "; ".join(div_notes) or None
    if div_note:
        notes.append(f"diversity: {div_note}")
    humans = _humans(accepted, labels)
    notes.extend(f"human labels: {n}" for n in humans.notes)
    ranks = _ranks(accepted)
    rows = [
        _row(
            run,
            meta=table.describe(run.manifest.model),
            categories=categories,
            dimensions=dimensions,
            humans=humans,
            ranked=ranks.get(run.key),
            pairwise=pairwise_columns(pairwise.shown, run.manifest.run_id),
        )
        for run in accepted
    ]
    _board_frame(rows).to_parquet(tmp / BOARD_FILE, index=False)
    tasks = task_columns([t for run in accepted for t in _task_rows(run)])
    pd.DataFrame(tasks, columns=TASK_COLUMNS).to_parquet(tmp / TASKS_FILE, index=False)
    (tmp / REJECTED_FILE).write_text(json.dumps(rejected, indent=2) + "\n", encoding="utf-8")
    notes.extend(_unranked_notes(rows))
    return {
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "source": source,
        "suite_versions": {v: s.suite_hash for v, s in suites.items()},
        "n_accepted": len(rows),
        "n_rejected": len(rejected),
        "categories": categories,
        "dimensions": dimensions,
        "diversity_keys": list(DIVERSITY_KEYS),
        "diversity_note": div_note,
        "human_labels": str(human) if human is not None else None,
        "calibration": humans.calibration,
        "ranking": {"method": RANK_METHOD, "n_boot": N_BOOT, "seed": SEED, "alpha": ALPHA},
        "labels": sorted({r.label for r in rows if r.label}),
        "pairwise": pairwise_meta(pairwise),
        "notes": notes,
    }
