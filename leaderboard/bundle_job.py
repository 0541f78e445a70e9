"""One bundle's job in a board build (build.py): verify it, summarise it (scores, cost,
diversity, its share of the human-label statistics) and write its details; what the build's
worker processes run. Apart from build.py so that a worker imports only what a bundle needs,
not what the board needs (pandas, the Hub client, ranking, the board's rows): a worker starts
~0.2 CPU-s sooner."""

from __future__ import annotations

import gc
import json
import pickle
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from benchmark.measure.cost import PriceTable, load_prices
from benchmark.measure.scoring import run_seed
from benchmark.records.schemas import Manifest, Message, Scores
from benchmark.suite import Suite

from .bound import worst_case_scores
from .hub import model_slug
from .identity import Identity, response_digests
from .metrics import DiversityCache, run_cost, run_diversity
from .pairwise_verify import RunFacts, run_facts
from .rederive import RederiveCache
from .rejudge import RejudgeConfig, Rejudger, rejection_fields, rejudge_summary
from .rules import BUNDLE_FILES
from .verify import BundleRejected, VerifiedBundle, rejection_entry, verify_bundle

if TYPE_CHECKING:  # human.py brings pandas; it is imported when a build has human labels
    from .human import HumanPart, Labels


@dataclass
class RunSummary:
    """What the board keeps of one verified run once its records are dropped."""

    key: str
    source: str
    manifest: Manifest
    scores: Scores
    bound: Scores  # the rank score: missing verdicts counted against the run (bound.py)
    unranked: str | None  # why the run is not ranked among full entries, None when it is
    suite_tasks: int
    titles: dict[str, tuple[str, str]]  # task id -> (category, title)
    cost: float | None
    diversity: dict[str, Any]
    diversity_note: str | None
    human: HumanPart | None
    staged: Path  # its details folder, moved into place when the run is kept
    identity: Identity  # its run id, response hashes and judge response ids
    rejudge: dict[str, Any] | None = None  # its re-judging columns and report (rejudge.py)
    facts: RunFacts | None = None  # what pairwise bundles are checked against


def run_key(bundle: VerifiedBundle) -> str:
    return model_slug(bundle.manifest.run_id)


RESPONSE_SCHEMA = pa.schema(
    [
        ("task_id", pa.string()),
        ("sample", pa.int32()),
        ("text", pa.string()),
        ("transcript", pa.string()),
        ("error", pa.string()),
    ]
)
JUDGMENT_SCHEMA = pa.schema(
    [
        ("task_id", pa.string()),
        ("sample", pa.int32()),
        ("item_id", pa.string()),
        ("dimension", pa.string()),
        ("points", pa.int32()),
        ("verdict", pa.bool_()),
        ("evidence", pa.string()),
        ("rationale", pa.string()),
        ("judge", pa.string()),
        ("grounded", pa.bool_()),
        ("error", pa.string()),
        ("item_text", pa.string()),
    ]
)


def _table(records: Sequence[Any], schema: pa.Schema, derived: Mapping[str, list[Any]]) -> pa.Table:
    """One column per schema field: the records' attribute of that name, or the column
    `derived` gives for it (a value per record, in record order). Built column by column: the
    same lists as record by record, without a dict look-up per value."""
    columns = {
        name: derived[name] if name in derived else list(map(attrgetter(name), records))
        for name in schema.names
    }
    return pa.table(columns, schema=schema)


def transcript_json(transcript: Sequence[Message]) -> str:
    """`json.dumps([m.model_dump() for m in transcript])`, the details' transcript column,
    with each message's dict built directly (Message's own serializer, a Python call per
    message, drops `given` when false; its fields are role, content, given, in that order)."""
    return json.dumps(
        [
            {"role": m.role, "content": m.content, "given": True}
            if m.given
            else {"role": m.role, "content": m.content}
            for m in transcript
        ]
    )


def _write_details(folder: Path, b: VerifiedBundle) -> None:
    """The sample viewer's data: responses and judgments (with each item's text)."""
    folder.mkdir(parents=True, exist_ok=True)
    transcripts = [transcript_json(r.transcript) for r in b.responses]
    responses = _table(b.responses, RESPONSE_SCHEMA, {"transcript": transcripts})
    pq.write_table(responses, folder / "responses.parquet")
    text = {(t.id, it.id): it.text for t in b.tasks for it in t.items}
    item_texts = [text[(j.task_id, j.item_id)] for j in b.judgments]
    judgments = _table(b.judgments, JUDGMENT_SCHEMA, {"item_text": item_texts})
    pq.write_table(judgments, folder / "judgments.parquet")


# Per-process state of the workers (set once by _init_worker, not pickled per bundle).
_STATE: dict[str, Any] = {}


def _init_worker(
    suites: Mapping[str, Suite],
    labels: Labels | None,
    min_coverage: float,
    min_samples: int,
    staging: Path,
    cache: Path | None,
    rejudge: RejudgeConfig | None = None,
) -> None:
    _STATE.update(
        rejudger=Rejudger(rejudge) if rejudge is not None else None,
        suites=suites,
        labels=labels,
        min_coverage=min_coverage,
        min_samples=min_samples,
        staging=staging,
        prices=load_prices(),
        diversity_cache=DiversityCache(cache / "diversity") if cache is not None else None,
        rederive_cache=RederiveCache(cache / "rederive") if cache is not None else None,
        freeze_between=True,  # build._run_jobs turns it off in a caller's process that froze objects
    )


def _settle_heap() -> None:
    """Before a bundle: the previous one's cyclic garbage collected, then whatever is still
    alive (caches, what the first bundles imported) frozen like the imports. The collections
    during the bundle then walk only the bundle's own objects rather than, at every full
    collection, some ten thousand that live as long as the process (~5 ms of a bundle's
    ~13 ms of collection); the collection here is short, having nearly nothing unfrozen to
    walk. Nothing dead is frozen, so memory stays flat over any number of bundles."""
    gc.collect()
    gc.freeze()


def _records_read() -> None:
    """verify_bundle's `on_read`: the bundle's records (thousands of models, each a few
    tracked objects, read with the collector off) frozen as they are, so that no collection
    walks them while the checks and diversity run (~4 ms a bundle). Reading makes no cyclic
    garbage (validated records, their index), so nothing dead is frozen; the records are
    freed by reference counting when the bundle is done, frozen or not."""
    gc.freeze()
    gc.enable()


@contextmanager
def _bundle_heap(settle: bool) -> Iterator[Callable[[], None] | None]:
    """Around verifying one bundle in a worker (`settle`): _settle_heap, the collector off
    while the lines are read, then _records_read (given to verify_bundle as `on_read`). The
    collector is on again however verification ends."""
    if not settle:
        yield None
        return
    _settle_heap()
    gc.disable()
    try:
        yield _records_read
    finally:
        gc.enable()


def _init_pool_worker(state: Path) -> None:
    """A worker process's start: its state, read from the file `_run_jobs` wrote, then
    everything alive so far (modules, the suites) moved out of the garbage collector's reach.
    Verifying a bundle allocates millions of objects, and each full collection would otherwise
    walk the imports again (~10% of a worker's CPU). Only in workers: freezing a caller's
    process would keep its garbage."""
    with state.open("rb") as f:
        _init_worker(*pickle.load(f))
    gc.freeze()


def _process(job: tuple[int, Path, str]) -> RunSummary | dict[str, Any]:
    """Verify and summarise one bundle: a RunSummary, or its rejection entry."""
    index, path, source = job
    try:
        with _bundle_heap(_STATE["freeze_between"]) as on_read:
            b = verify_bundle(
                path,
                _STATE["suites"],
                min_coverage=_STATE["min_coverage"],
                source=source,
                cache=_STATE["rederive_cache"],
                on_read=on_read,
            )
        rejudged = rejudge_summary(_STATE["rejudger"], b, _STATE["suites"], BUNDLE_FILES)
    except BundleRejected as err:
        return rejection_entry(source, path, err) | rejection_fields(err)
    key = run_key(b)
    staged = Path(_STATE["staging"]) / str(index)
    _write_details(staged, b)
    raw = (path / "responses.jsonl").read_bytes()
    # A canonical order (the manifest's tasks, then samples), whatever the file's order.
    order = {t: i for i, t in enumerate(b.manifest.task_ids)}
    texts = sorted(b.responses, key=lambda r: (order[r.task_id], r.sample))
    diversity, note = run_diversity(key, texts, raw, _STATE["diversity_cache"])
    # Each text split on whitespace once: the copy digests and the pairwise word counts use it.
    words = [r.text.split() for r in b.responses]
    prices: PriceTable = _STATE["prices"]
    labels: Labels | None = _STATE["labels"]
    suite: Suite = _STATE["suites"][b.manifest.suite_version]
    m = b.manifest
    return RunSummary(
        key=key,
        source=source,
        manifest=m,
        scores=b.scores,
        bound=rank_scores(b),
        unranked=unranked_reason(m, suite, _STATE["min_samples"]),
        suite_tasks=len(suite.tasks),
        titles={t.id: (t.category, t.title) for t in b.tasks},
        cost=run_cost(b.manifest, b.responses, b.judgments, prices),
        diversity=diversity,
        diversity_note=note,
        human=_human_part(key, b, labels),
        staged=staged,
        identity=Identity(m.run_id, response_digests(b.responses, words), b.response_ids),
        rejudge=rejudged,
        facts=run_facts(m.run_id, m.model, m.suite_version, b.responses, words),
    )


def _human_part(key: str, b: VerifiedBundle, labels: Labels | None) -> HumanPart | None:
    if not labels:
        return None
    from .human import human_part

    return human_part(key, b, labels)


def rank_scores(b: VerifiedBundle) -> Scores:
    """The run's rank score (bound.py). A verified bundle's judgment lines are distinct slots
    (task, sample, item) of its tasks and samples (verify.RecordIndex); with as many lines as
    slots, every slot has one, and `failed` of the recomputed coverage counts exactly the lines
    worst_case_judgments would fill (no verdict, and not a check that does not apply). With
    none, the rank score is score_run on the very same lines: the ordinary scores."""
    m = b.manifest
    slots = m.samples * sum(len(t.items) for t in b.tasks)
    if len(b.judgments) == slots and b.scores.coverage.failed == 0:
        return b.scores
    return worst_case_scores(m.model, b.tasks, m.samples, b.judgments, seed=run_seed(m.seed))


def unranked_reason(manifest: Manifest, suite: Suite, min_samples: int) -> str | None:
    """Why a run cannot be ranked among full entries (None: it can): a ranked entry answers
    every task of the suite version it declares, with at least `min_samples` per task."""
    missing = len({t.id for t in suite.tasks} - set(manifest.task_ids))
    if missing:
        n = len(suite.tasks)
        return f"subset of the suite: {n - missing} of {n} tasks of suite {suite.version}"
    if manifest.samples < min_samples:
        return f"{manifest.samples} sample(s) per task; a ranked entry has at least {min_samples}"
    return None
