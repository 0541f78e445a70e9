"""`musebench annotate import`: queue a run's responses with their rubric items.

Everything is read and checked first (run dir, suite hash, tasks, limits, gold file); the writes
then happen in one transaction, so a failed import leaves the store as it was.

Every rubric item of the task is queued, programmatic (check) items included: their check
verdicts are known answers, so they double as hidden gold items for annotator accuracy. The LLM
judge's verdicts are stored for the judge-vs-human page."""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from benchmark.errors import RunDirError, UsageError
from benchmark.records.rundir import RunDir
from benchmark.records.schemas import Manifest, ResolvedTask, ResponseRecord
from benchmark.suite import Suite, load_suite

from .errors import StoreError
from .metrics import read_ratings
from .screenshots import Planned, add_screenshots, plan_screenshots
from .settings import Settings
from .store import GoldAnswer, JudgeVerdict, RunImport, Store, TaskItem, TaskRow, Unit


@dataclass(frozen=True)
class ImportReport:
    run_id: str
    model: str
    units_added: int
    units_already_queued: int
    responses_with_error: int
    responses_not_sampled: int
    items_queued: int
    gold_answers: int
    judge_verdicts: int
    overlap: int
    screenshots: int = 0  # PNGs copied from RUN/render/ (annotation_app/screenshots.py)

    def summary(self) -> str:
        return (
            f"queued {self.units_added} responses ({self.items_queued} rubric items) from run "
            f"{self.run_id} with overlap {self.overlap}; {self.units_already_queued} already "
            f"queued, {self.responses_with_error} skipped for errors, "
            f"{self.responses_not_sampled} not sampled; {self.gold_answers} gold answers, "
            f"{self.judge_verdicts} judge verdicts, {self.screenshots} screenshots"
        )


def unit_id_of(task_id: str, sample: int, model: str) -> str:
    return f"{task_id}/{sample}/{model}"


def _transcript_chars(r: ResponseRecord) -> int:
    return sum(len(m.content) for m in r.transcript)


def _gold_from_file(path: Path, known: set[str]) -> dict[tuple[str, str], bool]:
    """Expert answers from a ratings file (unit_id, criterion, value in {0, 1})."""
    df = read_ratings(path)
    gold: dict[tuple[str, str], bool] = {}
    for row in df.itertuples(index=False):
        unit, crit, value = str(row.unit_id), str(row.criterion), row.value
        if value not in (0, 1, True, False):
            raise UsageError(f"--gold {path}: value {value!r} for {unit} {crit} must be 0 or 1")
        if unit in known:
            gold[(unit, crit)] = bool(value)
    return gold


# Per unit: {item_id: (verdict, source)} known answers, and {(item_id, judge): verdict}.
KnownAnswers = dict[str, dict[str, tuple[bool, str]]]
JudgeAnswers = dict[str, dict[tuple[str, str], bool]]


@dataclass(frozen=True)
class _Plan:
    """Everything an import will write, read and checked before the store is touched."""

    rd: RunDir
    manifest: Manifest
    suite: Suite
    overlap: int
    seed: int
    rng: random.Random  # drew the sample; draws the units' shuffle keys next
    n_records: int
    n_ok: int
    n_chosen: int
    wanted: dict[str, ResponseRecord]  # unit id -> response, in (task, sample) order
    tasks: dict[str, ResolvedTask]
    gold_answers: KnownAnswers
    judged: JudgeAnswers
    screenshots: Planned


def _overlap(settings: Settings, overlap: int | None, sample: int | None) -> int:
    k = settings.overlap if overlap is None else overlap
    if not 1 <= k <= settings.max_overlap:
        raise UsageError(f"--overlap: must be between 1 and {settings.max_overlap}, not {k}")
    if sample is not None and sample < 1:
        raise UsageError(f"--sample: must be at least 1, not {sample}")
    return k


def _run_suite(rd: RunDir, manifest: Manifest, suite_dir: str | Path | None) -> Suite:
    """The suite the run answered (its hash must match the manifest's)."""
    suite = load_suite(suite_dir)
    if manifest.suite_hash != suite.suite_hash:
        raise RunDirError(
            f"{rd.path}: the run used suite {manifest.suite_hash[:12]} but the suite loaded from "
            f"{suite.root} is {suite.suite_hash[:12]} (pass --suite with the run's suite)"
        )
    return suite


def _tasks_of(rd: RunDir, ok: list[ResponseRecord], suite: Suite) -> dict[str, ResolvedTask]:
    tasks: dict[str, ResolvedTask] = {}
    for r in ok:
        if r.task_id in tasks:
            continue
        try:
            tasks[r.task_id] = suite.task(r.task_id)
        except KeyError:
            raise RunDirError(
                f"{rd.path}: response for task {r.task_id!r}, which the suite does not have"
            ) from None
    return tasks


def _choose(
    rd: RunDir, ok: list[ResponseRecord], sample: int | None, rng: random.Random, settings: Settings
) -> list[ResponseRecord]:
    """The responses to queue (a seeded sample when asked), within the store's limits."""
    chosen = ok if sample is None or sample >= len(ok) else rng.sample(ok, sample)
    chosen = sorted(chosen, key=lambda r: (r.task_id, r.sample))
    if len(chosen) > settings.max_units_per_import:
        raise StoreError(
            f"{rd.path}: {len(chosen)} responses exceed the import limit of "
            f"{settings.max_units_per_import} (use --sample N)"
        )
    for r in chosen:
        chars = _transcript_chars(r)
        if chars > settings.max_transcript_chars:
            raise StoreError(
                f"{rd.path}: response {unit_id_of(r.task_id, r.sample, r.model)} has "
                f"{chars} transcript characters, over the limit of {settings.max_transcript_chars}"
            )
    return chosen


def _known_verdicts(
    rd: RunDir, wanted: dict[str, ResponseRecord], gold: str | Path | None
) -> tuple[KnownAnswers, JudgeAnswers]:
    """The run's check verdicts (gold), its judge verdicts, and an expert gold file's answers
    (which win over the checks')."""
    gold_answers: KnownAnswers = {}
    judged: JudgeAnswers = {}
    for j in rd.judgments():
        uid = unit_id_of(j.task_id, j.sample, j.model)
        if uid not in wanted or j.verdict is None or j.error is not None:
            continue
        if j.judge == "check":
            gold_answers.setdefault(uid, {})[j.item_id] = (j.verdict, "check")
        else:
            judged.setdefault(uid, {})[(j.item_id, j.judge)] = j.verdict
    if gold is not None:
        for (uid, item_id), verdict in _gold_from_file(Path(gold), set(wanted)).items():
            gold_answers.setdefault(uid, {})[item_id] = (verdict, "expert")
    return gold_answers, judged


def _plan(
    store: Store,
    run_dir: str | Path,
    *,
    overlap: int | None,
    sample: int | None,
    seed: int,
    suite_dir: str | Path | None,
    gold: str | Path | None,
) -> _Plan:
    settings = store.settings
    k = _overlap(settings, overlap, sample)
    rd = RunDir(run_dir)
    manifest = rd.require()
    suite = _run_suite(rd, manifest, suite_dir)
    records = rd.responses()
    ok = [r for r in records if r.error is None]
    if not ok:
        raise RunDirError(f"{rd.path}: no responses without an error to annotate")
    tasks = _tasks_of(rd, ok, suite)
    rng = random.Random(seed)
    chosen = _choose(rd, ok, sample, rng, settings)
    wanted = {unit_id_of(r.task_id, r.sample, r.model): r for r in chosen}
    gold_answers, judged = _known_verdicts(rd, wanted, gold)
    shots = plan_screenshots(rd, wanted, {t.id: t.category for t in tasks.values()})
    return _Plan(
        rd,
        manifest,
        suite,
        k,
        seed,
        rng,
        n_records=len(records),
        n_ok=len(ok),
        n_chosen=len(chosen),
        wanted=wanted,
        tasks=tasks,
        gold_answers=gold_answers,
        judged=judged,
        screenshots=shots,
    )


def _already_queued(s: Session, plan: _Plan) -> dict[str, str]:
    """Unit id -> run id of the wanted units already in the store; only this run's may be."""
    existing = {
        uid: run_id
        for uid, run_id in s.execute(
            select(Unit.unit_id, RunImport.run_id)
            .join(RunImport, RunImport.id == Unit.import_pk)
            .where(Unit.unit_id.in_(list(plan.wanted)))
        )
    }
    clash = [uid for uid, run_id in existing.items() if run_id != plan.manifest.run_id]
    if clash:
        raise StoreError(
            f"{plan.rd.path}: response {clash[0]} is already in the store from run "
            f"{existing[clash[0]]} (a unit id is task/sample/model, so a store holds one run "
            "per model; use another --db)"
        )
    return existing


def _check_room(s: Session, plan: _Plan, n_new: int, limit: int) -> None:
    total = int(s.scalar(select(func.count()).select_from(Unit)) or 0)
    if total + n_new > limit:
        raise StoreError(
            f"{plan.rd.path}: importing {n_new} responses into a store holding {total} would "
            f"exceed its limit of {limit} responses"
        )


def _add_import(s: Session, plan: _Plan, n_units: int) -> RunImport:
    imp = RunImport(
        run_id=plan.manifest.run_id,
        run_dir=str(plan.rd.path.resolve()),
        model=plan.manifest.model,
        judge=plan.manifest.judge,
        suite_version=plan.suite.version,
        suite_hash=plan.suite.suite_hash,
        overlap=plan.overlap,
        seed=plan.seed,
        n_units=n_units,
        imported_at=time.time(),
    )
    s.add(imp)
    s.flush()
    return imp


def _add_unit(
    s: Session, plan: _Plan, uid: str, r: ResponseRecord, import_pk: int, task_pk: int
) -> int:
    unit = Unit(
        unit_id=uid,
        import_pk=import_pk,
        task_pk=task_pk,
        sample=r.sample,
        system=r.model,
        transcript=json.dumps([m.model_dump() for m in r.transcript], ensure_ascii=False),
        overlap=plan.overlap,
        shuffle_key=plan.rng.random(),
        active=True,
    )
    s.add(unit)
    s.flush()
    return unit.id


def _add_known(
    s: Session, plan: _Plan, uid: str, unit_pk: int, item_ids: set[str]
) -> tuple[int, int]:
    """The unit's gold answers and judge verdicts on the task's items: (gold, judge) counts."""
    gold = [
        GoldAnswer(unit_pk=unit_pk, item_id=item_id, verdict=verdict, source=source)
        for item_id, (verdict, source) in plan.gold_answers.get(uid, {}).items()
        if item_id in item_ids
    ]
    judged = [
        JudgeVerdict(unit_pk=unit_pk, item_id=item_id, judge=judge, verdict=verdict)
        for (item_id, judge), verdict in plan.judged.get(uid, {}).items()
        if item_id in item_ids
    ]
    s.add_all([*gold, *judged])
    return len(gold), len(judged)


def _write(s: Session, plan: _Plan, new: dict[str, ResponseRecord]) -> tuple[int, int, int, int]:
    """The import, its tasks and new units with their known answers and screenshots: (items
    queued, gold answers, judge verdicts, screenshots)."""
    imp = _add_import(s, plan, len(new))
    task_pks = {
        task_id: _ensure_task(s, plan.suite.suite_hash, plan.tasks[task_id])
        for task_id in sorted({r.task_id for r in new.values()})
    }
    items_queued = n_gold = n_judged = n_shots = 0
    for uid, r in new.items():
        unit_pk = _add_unit(s, plan, uid, r, imp.id, task_pks[r.task_id])
        n_shots += add_screenshots(s, unit_pk, plan.screenshots.get(uid, []))
        item_ids = {it.id for it in plan.tasks[r.task_id].items}
        items_queued += len(item_ids)
        gold, judged = _add_known(s, plan, uid, unit_pk, item_ids)
        n_gold += gold
        n_judged += judged
    return items_queued, n_gold, n_judged, n_shots


def import_run(
    store: Store,
    run_dir: str | Path,
    *,
    overlap: int | None = None,
    sample: int | None = None,
    seed: int = 0,
    suite_dir: str | Path | None = None,
    gold: str | Path | None = None,
) -> ImportReport:
    plan = _plan(
        store, run_dir, overlap=overlap, sample=sample, seed=seed, suite_dir=suite_dir, gold=gold
    )
    with store.write() as s:
        existing = _already_queued(s, plan)
        new = {uid: r for uid, r in plan.wanted.items() if uid not in existing}
        _check_room(s, plan, len(new), store.settings.max_units_total)
        items_queued, n_gold, n_judged, n_shots = _write(s, plan, new)
    return ImportReport(
        run_id=plan.manifest.run_id,
        model=plan.manifest.model,
        units_added=len(new),
        units_already_queued=len(existing),
        responses_with_error=plan.n_records - plan.n_ok,
        responses_not_sampled=plan.n_ok - plan.n_chosen,
        items_queued=items_queued,
        gold_answers=n_gold,
        judge_verdicts=n_judged,
        overlap=plan.overlap,
        screenshots=n_shots,
    )


def _ensure_task(s: Session, suite_hash: str, task: ResolvedTask) -> int:
    row = s.scalar(
        select(TaskRow).where(TaskRow.suite_hash == suite_hash, TaskRow.task_id == task.id)
    )
    if row is not None:
        return row.id
    row = TaskRow(suite_hash=suite_hash, task_id=task.id, title=task.title, category=task.category)
    s.add(row)
    s.flush()
    for pos, it in enumerate(task.items):
        s.add(
            TaskItem(
                task_pk=row.id,
                item_id=it.id,
                position=pos,
                dimension=it.dimension,
                text=it.text,
                guidance=it.guidance,
                example_met=it.examples.met if it.examples else "",
                example_not_met=it.examples.not_met if it.examples else "",
                points=it.points,
                programmatic=it.check is not None,
            )
        )
    return row.id
