"""Bundle verification: a submitted run bundle (manifest.json, responses.jsonl, judgments.jsonl,
scores.json) is accepted only if every number it states can be recomputed from its raw
judgments against the suite version it claims, and every verdict that can be re-derived from
the responses is.

Checks, in order (the first failure is the rejection reason):
1. the four files exist, each within its size limit (verification.yaml `max_file_mib`, checked
   before anything is parsed: "too large"), and the manifest and scores.json match their schema;
2. the suite version is one we hold, with the same suite hash and rubric hashes
   ("foreign suite hash" otherwise), and the manifest's tasks are in it;
3. responses.jsonl, then judgments.jsonl, line by line (reading.py: no line over
   `max_line_mib`, validated a chunk of lines at a time, the first bad line named), each line in
   turn: its schema, the manifest's model, its place among the manifest's tasks, samples and the
   suite's items and points, the judge (the manifest's, or `check`), no second line for its key
   ("duplicated lines");
4. none is missing ("missing responses" / "missing judgments": the runner writes a line for
   every item of every answered response, judged or not; a failed response's items count
   against coverage instead);
5. re-derivation, response by response (rederive.py): text against transcript, failed
   responses, programmatic checks, grounding, votes, usage, judge response ids;
6. coverage (items with a verdict / items expected) is at least `min_coverage`;
7. scores recomputed with benchmark.measure.scoring.score_run equal the stated scores.json within 1e-6
   ("stated score does not match").
The recomputed scores, never the stated ones, are what the board shows. What needs the other
bundles (run ids, copies, response ids across bundles) is decided by the build (identity.py)."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from benchmark.errors import UsageError
from benchmark.measure.scoring import PARTIAL_BELOW, run_seed, score_run
from benchmark.records.rundir import JUDGMENTS, MANIFEST, RESPONSES, SCORES
from benchmark.records.schemas import (
    JudgmentRecord,
    Manifest,
    ResolvedTask,
    ResponseRecord,
    RubricItem,
    Scores,
)
from benchmark.suite import Suite, load_suite, shipped_suites

from .errors import BundleRejected as BundleRejected  # re-exported: callers import it here
from .reading import MIB, check_sizes, iter_records, read_model
from .rederive import RederiveCache, rederive_cached
from .rules import BUNDLE_FILES, VerificationRules, packaged_rules

MIN_COVERAGE = PARTIAL_BELOW  # the same 99% below which a run is marked partial
TOLERANCE = 1e-6


@dataclass(frozen=True)
class VerifiedBundle:
    source: str  # where the bundle came from (a path, or a path inside a Hub repo)
    path: Path
    manifest: Manifest
    tasks: list[ResolvedTask]
    held_responses: list[ResponseRecord] | None  # None: above stream_above_mib, not held
    judgments: list[JudgmentRecord]
    scores: Scores  # recomputed from the judgments
    response_ids: frozenset[str] = frozenset()  # judge response ids its lines carry
    rules: VerificationRules | None = None  # the limits it was read with (None: packaged)

    @cached_property
    def responses(self) -> list[ResponseRecord]:
        """The responses, as held, or read again from a bundle verified without holding them
        (the board's build, unlike verification, needs them all at once)."""
        if self.held_responses is not None:
            return self.held_responses
        rules = self.rules or packaged_rules()
        return list(iter_records(self.path / RESPONSES, ResponseRecord, rules))


def load_suites(dirs: Sequence[str | Path] | None = None) -> dict[str, Suite]:
    """The suite versions bundles may claim, keyed by version: by default the shipped suite and
    every archived earlier version (benchmark/data/suites/); `dirs` names others instead (see
    docs/LEADERBOARD.md)."""
    suites = [load_suite(d) for d in dirs] if dirs else shipped_suites()
    out: dict[str, Suite] = {}
    for s in suites:
        if s.version in out and out[s.version].suite_hash != s.suite_hash:
            raise UsageError(
                f"--suite: two suite directories claim version {s.version} with different "
                f"content ({out[s.version].root}, {s.root})"
            )
        out[s.version] = s
    return out


def find_bundles(root: str | Path) -> list[Path]:
    """Every directory under `root` (itself included) that holds a manifest.json."""
    root = Path(root)
    if not root.is_dir():
        raise UsageError(f"{root}: bundle folder not found")
    return sorted(p.parent for p in root.rglob(MANIFEST) if p.is_file())


# --------------------------------------------------------------------------- checks


def _suite_for(manifest: Manifest, suites: Mapping[str, Suite]) -> Suite:
    suite = suites.get(manifest.suite_version)
    if suite is None:
        known = ", ".join(sorted(suites)) or "none"
        raise BundleRejected(
            "foreign_suite_hash",
            f"foreign suite hash: suite version {manifest.suite_version} is not one we hold "
            f"(known: {known})",
        )
    if manifest.suite_hash != suite.suite_hash:
        raise BundleRejected(
            "foreign_suite_hash",
            f"foreign suite hash: manifest claims suite {manifest.suite_version} with hash "
            f"{manifest.suite_hash[:12]}, ours is {suite.suite_hash[:12]}",
        )
    if manifest.rubric_hashes != suite.rubric_hashes:
        differ = sorted(
            k
            for k in set(manifest.rubric_hashes) | set(suite.rubric_hashes)
            if manifest.rubric_hashes.get(k) != suite.rubric_hashes.get(k)
        )
        raise BundleRejected(
            "foreign_suite_hash",
            f"foreign suite hash: rubric hashes differ from suite {suite.version} "
            f"({', '.join(differ)})",
        )
    return suite


def _check_providers(manifest: Manifest, rules: VerificationRules) -> None:
    """A test provider's answers or verdicts measure nothing, however consistent the bundle."""
    for role, spec in (("model", manifest.model), ("judge", manifest.judge)):
        provider = spec.partition("/")[0] if spec else ""
        if provider in rules.refused_providers:
            raise BundleRejected(
                "test_provider",
                f"test provider: the {role} {spec!r} is a test provider whose "
                f"{'answers' if role == 'model' else 'verdicts'} measure nothing",
            )


def _check_params(manifest: Manifest, rules: VerificationRules) -> None:
    """A model steered by the submitter's own system prompt or extra request fields is not the
    model the board ranks."""
    params = manifest.spec.model.params
    for name in rules.refused_params:
        if getattr(params, name, None) is not None:
            raise BundleRejected(
                "steered_generation",
                f"steered generation: the model was run with {name} set "
                f"(--{name.replace('_', '-')}), which the board does not admit",
            )


def _tasks_for(manifest: Manifest, suite: Suite) -> list[ResolvedTask]:
    known = {t.id: t for t in suite.tasks}
    unknown = [t for t in manifest.task_ids if t not in known]
    if unknown:
        raise BundleRejected(
            "unknown_task", f"unknown task: {unknown[0]} is not in suite {suite.version}"
        )
    dup = [k for k, n in Counter(manifest.task_ids).items() if n > 1]
    if dup:
        raise BundleRejected("duplicated_lines", f"duplicated lines: manifest lists {dup[0]} twice")
    if not manifest.task_ids:
        raise BundleRejected("schema", f"{MANIFEST}:task_ids: no tasks")
    return [known[t] for t in manifest.task_ids]


def _fmt_key(key: tuple[Any, ...]) -> str:
    return "/".join(str(k) for k in key)


@dataclass
class RecordIndex:
    """What the record checks keep of the lines read so far: keys, never texts."""

    manifest: Manifest
    tasks: list[ResolvedTask]
    answered: set[tuple[str, int]] = field(default_factory=set)  # (task, sample) with a line
    ok: set[tuple[str, int]] = field(default_factory=set)  # ... and no error
    judged: set[tuple[str, int, str]] = field(default_factory=set)  # (task, sample, item)

    def __post_init__(self) -> None:
        self.task_ids = {t.id for t in self.tasks}
        self.items = {(t.id, it.id): it for t in self.tasks for it in t.items}
        self.n_items = sum(len(t.items) for t in self.tasks)
        # The manifest's properties, read once rather than once per line.
        self.model = self.manifest.model
        self.samples = self.manifest.samples
        self.judge = self.manifest.judge

    def _model(self, file: str, model: str) -> None:
        if model != self.model:
            raise BundleRejected(
                "model_mismatch",
                f"model mismatch: {file} has a line by {model!r}, the manifest names "
                f"{self.manifest.model!r}",
            )

    def add_response(self, r: ResponseRecord) -> None:
        """One line of responses.jsonl: its model, its place in the manifest's tasks x
        samples, and no second line for its (task, sample)."""
        self._model(RESPONSES, r.model)
        key = (r.task_id, r.sample)
        if r.task_id not in self.task_ids or r.sample >= self.samples:
            raise BundleRejected(
                "orphan_record",
                f"orphan record: {RESPONSES} has {_fmt_key(key)}, outside the manifest's "
                f"tasks x {self.manifest.samples} samples",
            )
        if key in self.answered:
            raise BundleRejected(
                "duplicated_lines",
                f"duplicated lines: {RESPONSES} has two lines for {_fmt_key(key)}",
            )
        self.answered.add(key)
        if r.error is None:
            self.ok.add(key)

    def add_judgment(self, j: JudgmentRecord) -> None:
        """One line of judgments.jsonl (after every response line): its model, an item of an
        answered response, the suite's points and dimension, the judge, no second line."""
        self._model(JUDGMENTS, j.model)
        key = (j.task_id, j.sample, j.item_id)
        item = self.items.get((j.task_id, j.item_id))
        if item is None or j.sample >= self.samples:
            raise BundleRejected(
                "orphan_record",
                f"orphan record: {JUDGMENTS} has {_fmt_key(key)}, not an item of the manifest's "
                "tasks and samples",
            )
        if (j.task_id, j.sample) not in self.answered:
            raise BundleRejected(
                "orphan_record", f"orphan record: judgment {_fmt_key(key)} has no response"
            )
        if item.points != j.points or item.dimension != j.dimension:
            raise BundleRejected(
                "suite_mismatch",
                f"judgment does not match the suite: {j.task_id}/{j.item_id} is "
                f"{j.dimension} {j.points:+d} in the bundle, {item.dimension} {item.points:+d} "
                "in the suite",
            )
        _check_judge(self.judge, item, j)
        if key in self.judged:
            raise BundleRejected(
                "duplicated_lines",
                f"duplicated lines: {JUDGMENTS} has two lines for {_fmt_key(key)}",
            )
        self.judged.add(key)

    def check_complete(self) -> None:
        """A line for every (task, sample), and for every item of every answered response (the
        runner writes them judged or not; a failed response's items count against coverage)."""
        samples = self.samples
        n_resp = len(self.tasks) * samples
        if len(self.ok) == n_resp and len(self.judged) == samples * self.n_items:
            # Every response answered without error and as many judged keys, all distinct items
            # of the manifest's tasks and samples (add_judgment): none is missing.
            return
        if len(self.answered) < n_resp:
            missing = next(
                (t.id, s)
                for t in self.tasks
                for s in range(samples)
                if (t.id, s) not in self.answered
            )
            raise BundleRejected(
                "missing_records",
                f"missing responses: {n_resp - len(self.answered)} of {n_resp} (task, sample) "
                f"lines absent, e.g. {_fmt_key(missing)}",
            )
        wanted = [
            (t.id, s, it.id)
            for t in self.tasks
            for s in range(samples)
            if (t.id, s) in self.ok
            for it in t.items
        ]
        gaps = [k for k in wanted if k not in self.judged]
        if gaps:
            raise BundleRejected(
                "missing_records",
                f"missing judgments: {len(gaps)} of {len(wanted)} (task, sample, item) lines of "
                f"answered responses absent, e.g. {_fmt_key(gaps[0])}",
            )


def _check_judge(judge: str | None, item: RubricItem, j: JudgmentRecord) -> None:
    """`judge`: the manifest's."""
    if item.check is not None:
        ok = j.judge == "check"
    else:
        # An item the run never sent to a judge is recorded as judge "none" without a verdict.
        ok = j.judge == judge or (j.verdict is None and j.judge == "none")
    if not ok:
        expected = "check" if item.check is not None else judge
        raise BundleRejected(
            "judge_mismatch",
            f"judge mismatch: {j.task_id}/{j.sample}/{j.item_id} was judged by {j.judge!r}, "
            f"expected {expected!r}",
        )


def _diff(stated: Any, recomputed: Any, where: str, *, tol: float = TOLERANCE) -> str | None:
    """The first path where two JSON trees differ (numbers within `tol`)."""
    if isinstance(recomputed, dict):
        if not isinstance(stated, dict):
            return f"{where or '(root)'} stated {stated!r}, recomputed an object"
        for key in sorted(set(stated) | set(recomputed)):
            if key not in recomputed:
                return f"{where}{key} stated but not recomputed"
            if key not in stated:
                return f"{where}{key} missing from the stated scores"
            found = _diff(stated[key], recomputed[key], f"{where}{key}.", tol=tol)
            if found:
                return found
        return None
    if isinstance(recomputed, bool) or isinstance(stated, bool):
        same = stated is recomputed
    elif isinstance(recomputed, int | float) and isinstance(stated, int | float):
        same = math.isclose(float(stated), float(recomputed), rel_tol=0.0, abs_tol=tol)
    else:
        same = stated == recomputed
    if same:
        return None
    return f"{where.rstrip('.')} stated {stated!r}, recomputed {recomputed!r}"


def _scores_seed(manifest: Manifest) -> int:
    return run_seed(manifest.seed)


def compare_scores(stated: Scores, recomputed: Scores) -> str | None:
    """None when the stated scores equal the recomputed ones, else the first difference.
    Extra blocks a later stage may add to scores.json (e.g. diversity) are not compared."""
    want = recomputed.model_dump(mode="json")
    have = stated.model_dump(mode="json")
    have = {k: v for k, v in have.items() if k in want}
    return _diff(have, want, "")


# --------------------------------------------------------------------------- entry point


def _read_responses(
    path: Path, index: RecordIndex, rules: VerificationRules
) -> list[ResponseRecord] | None:
    """Every response line read and checked (RecordIndex.add_response); the records are
    returned when the file is small enough to hold (stream_above_mib), else None."""
    hold = (path / RESPONSES).stat().st_size <= rules.stream_above_mib * MIB
    held: list[ResponseRecord] = []
    for r in iter_records(path / RESPONSES, ResponseRecord, rules):
        index.add_response(r)
        if hold:
            held.append(r)
    return held if hold else None


def _read_judgments(
    path: Path, index: RecordIndex, rules: VerificationRules
) -> list[JudgmentRecord]:
    judgments = []
    for j in iter_records(path / JUDGMENTS, JudgmentRecord, rules):
        index.add_judgment(j)
        judgments.append(j)
    return judgments


def _check_coverage(scores: Scores, min_coverage: float) -> None:
    cov = scores.coverage
    if cov.fraction < min_coverage:
        raise BundleRejected(
            "coverage",
            f"coverage below threshold: {cov.judged}/{cov.expected} items have a verdict "
            f"({100 * cov.fraction:.1f}% < {100 * min_coverage:g}%)",
        )


def _check_stated(manifest: Manifest, stated: Scores, scores: Scores) -> None:
    if stated.model != manifest.model:
        raise BundleRejected(
            "model_mismatch",
            f"model mismatch: {SCORES} is for {stated.model!r}, the manifest names "
            f"{manifest.model!r}",
        )
    diff = compare_scores(stated, scores)
    if diff is not None:
        raise BundleRejected("score_mismatch", f"stated score does not match: {diff}")


def verify_bundle(
    path: str | Path,
    suites: Mapping[str, Suite],
    *,
    min_coverage: float = MIN_COVERAGE,
    source: str | None = None,
    rules: VerificationRules | None = None,
    cache: RederiveCache | None = None,
    on_read: Callable[[], None] | None = None,
) -> VerifiedBundle:
    """Verify one bundle directory; raises BundleRejected with the reason. `cache` keeps
    re-derivation outcomes between builds (rederive.RederiveCache). Files are size-checked
    before parsing and JSONL is read a chunk of lines at a time (reading.py); a responses.jsonl
    above stream_above_mib is read twice, line by line, rather than held. `on_read` is called
    once every line is read and its record checks passed, before re-derivation (the board's
    build freezes the records there for the garbage collector)."""
    path = Path(path)
    limits = rules or packaged_rules()
    missing = [f for f in BUNDLE_FILES if not (path / f).is_file()]
    if missing:
        raise BundleRejected("missing_file", f"missing file: {', '.join(missing)}")
    check_sizes(path, limits)
    manifest = read_model(path / MANIFEST, Manifest)
    _check_providers(manifest, limits)
    _check_params(manifest, limits)
    stated = read_model(path / SCORES, Scores)
    suite = _suite_for(manifest, suites)
    tasks = _tasks_for(manifest, suite)
    index = RecordIndex(manifest, tasks)
    held = _read_responses(path, index, limits)
    judgments = _read_judgments(path, index, limits)
    index.check_complete()
    if on_read is not None:
        on_read()

    files = [cache.file_digest(path / f) for f in (MANIFEST, RESPONSES, JUDGMENTS)] if cache else []
    ids = rederive_cached(
        manifest,
        tasks,
        held if held is not None else iter_records(path / RESPONSES, ResponseRecord, limits),
        judgments,
        suite_hash=suite.suite_hash,
        files=files,
        cache=cache,
        rules=rules,
    )
    scores = score_run(
        manifest.model, tasks, manifest.samples, judgments, seed=_scores_seed(manifest)
    )
    _check_coverage(scores, min_coverage)
    _check_stated(manifest, stated, scores)
    return VerifiedBundle(
        source=source or str(path),
        path=path,
        manifest=manifest,
        tasks=tasks,
        held_responses=held,
        judgments=judgments,
        scores=scores,
        response_ids=ids,
        rules=rules,
    )


def _raw_model(m: dict[str, Any]) -> Any:
    """The model of a manifest that may not validate: version 2 nests it under spec.model."""
    spec = m.get("spec")
    part = spec.get("model") if isinstance(spec, dict) else None
    return part.get("spec") if isinstance(part, dict) else m.get("model")


def rejection_entry(source: str, path: Path, err: BundleRejected) -> dict[str, Any]:
    """One line of rejected.json: where, which run (when the manifest is readable), why."""
    entry: dict[str, Any] = {"source": source, "code": err.code, "reason": err.reason}
    try:
        m = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        if isinstance(m, dict):
            entry["model"] = _raw_model(m)
            entry["run_id"] = m.get("run_id")
    except (OSError, ValueError):
        pass
    return entry
