"""Bundle verification: a submitted run bundle (manifest.json, responses.jsonl, judgments.jsonl,
scores.json) is accepted only if every number it states can be recomputed from its raw
judgments against the suite version it claims, and every verdict that can be re-derived from
the responses is.

Checks, in order (the first failure is the rejection reason):
1. the four files exist and every record matches its schema (JSONL validated as one array for
   speed; on failure the first bad line is named);
2. the suite version is one we hold, with the same suite hash and rubric hashes
   ("foreign suite hash" otherwise);
3. the records belong to the run: known tasks, samples in range, the manifest's model, items and
   points as the suite defines them, judgments by the manifest's judge (or `check`);
4. no key appears twice ("duplicated lines") and none is missing ("missing responses" /
   "missing judgments": the runner writes a line for every item of every answered response,
   judged or not; a failed response's items count against coverage instead);
5. re-derivation, response by response (rederive.py): text against transcript, failed
   responses, programmatic checks, grounding, votes, usage, judge response ids;
6. coverage (items with a verdict / items expected) is at least `min_coverage`;
7. scores recomputed with benchmark.scoring.score_run equal the stated scores.json within 1e-6
   ("stated score does not match").
The recomputed scores, never the stated ones, are what the board shows. What needs the other
bundles (run ids, copies, response ids across bundles) is decided by the build (identity.py)."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from benchmark.errors import UsageError
from benchmark.rundir import JUDGMENTS, MANIFEST, RESPONSES, SCORES
from benchmark.schemas import (
    JudgmentRecord,
    Manifest,
    ResolvedTask,
    ResponseRecord,
    RubricItem,
    Scores,
)
from benchmark.scoring import PARTIAL_BELOW, run_seed, score_run
from benchmark.suite import Suite, load_suite, shipped_suites

from .errors import BundleRejected as BundleRejected  # re-exported: callers import it here
from .rederive import RederiveCache, rederive_cached
from .rules import VerificationRules

BUNDLE_FILES = (MANIFEST, RESPONSES, JUDGMENTS, SCORES)
MIN_COVERAGE = PARTIAL_BELOW  # the same 99% below which a run is marked partial
TOLERANCE = 1e-6

R = TypeVar("R", bound=BaseModel)
_ADAPTERS: dict[type[BaseModel], TypeAdapter[Any]] = {}


@dataclass(frozen=True)
class VerifiedBundle:
    source: str  # where the bundle came from (a path, or a path inside a Hub repo)
    path: Path
    manifest: Manifest
    tasks: list[ResolvedTask]
    responses: list[ResponseRecord]
    judgments: list[JudgmentRecord]
    scores: Scores  # recomputed from the judgments
    response_ids: frozenset[str] = frozenset()  # judge response ids its lines carry


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


# --------------------------------------------------------------------------- reading


def _adapter(model: type[R]) -> TypeAdapter[list[R]]:
    if model not in _ADAPTERS:
        _ADAPTERS[model] = TypeAdapter(list[model])  # type: ignore[valid-type]
    return _ADAPTERS[model]


def _first_error(err: ValidationError) -> str:
    first = err.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "(root)"
    return f"{field}: {first['msg']}"


def read_records(path: Path, model: type[R]) -> list[R]:
    """All records of a JSONL file, validated in one pass; a bad line is named precisely."""
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        n = data.count(b"\n") + 1
        raise BundleRejected("schema", f"{path.name}:{n}: last line is truncated (no newline)")
    lines = [ln for ln in data.split(b"\n") if ln.strip()]
    try:
        records = _adapter(model).validate_json(b"[" + b",".join(lines) + b"]")
        if len(records) == len(lines):
            return records
    except ValidationError:
        pass
    # Slow path, only for a broken file: find the first line that does not validate alone.
    for n, line in enumerate(data.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            model.model_validate_json(line)
        except ValidationError as err:
            raise BundleRejected("schema", f"{path.name}:{n}:{_first_error(err)}") from None
    raise BundleRejected("schema", f"{path.name}: lines are not one JSON record each")


def _read_json_model(path: Path, model: type[R]) -> R:
    try:
        return model.model_validate_json(path.read_bytes())
    except ValidationError as err:
        raise BundleRejected("schema", f"{path.name}:{_first_error(err)}") from None


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


def _first_duplicate(keys: Iterator[tuple[Any, ...]]) -> tuple[Any, ...] | None:
    seen: set[tuple[Any, ...]] = set()
    for k in keys:
        if k in seen:
            return k
        seen.add(k)
    return None


def _fmt_key(key: tuple[Any, ...]) -> str:
    return "/".join(str(k) for k in key)


def _check_records(
    manifest: Manifest,
    tasks: list[ResolvedTask],
    responses: list[ResponseRecord],
    judgments: list[JudgmentRecord],
) -> None:
    samples = manifest.samples
    task_ids = {t.id for t in tasks}
    items: dict[tuple[str, str], RubricItem] = {(t.id, it.id): it for t in tasks for it in t.items}

    for r in responses:
        if r.model != manifest.model:
            raise BundleRejected(
                "model_mismatch",
                f"model mismatch: {RESPONSES} has a line by {r.model!r}, the manifest names "
                f"{manifest.model!r}",
            )
        if r.task_id not in task_ids or r.sample >= samples:
            raise BundleRejected(
                "orphan_record",
                f"orphan record: {RESPONSES} has {r.task_id}/{r.sample}, outside the manifest's "
                f"tasks x {samples} samples",
            )
    dup = _first_duplicate((r.task_id, r.sample) for r in responses)
    if dup is not None:
        raise BundleRejected(
            "duplicated_lines", f"duplicated lines: {RESPONSES} has two lines for {_fmt_key(dup)}"
        )

    answered = {(r.task_id, r.sample) for r in responses}
    for j in judgments:
        if j.model != manifest.model:
            raise BundleRejected(
                "model_mismatch",
                f"model mismatch: {JUDGMENTS} has a line by {j.model!r}, the manifest names "
                f"{manifest.model!r}",
            )
        item = items.get((j.task_id, j.item_id))
        if item is None or j.sample >= samples:
            raise BundleRejected(
                "orphan_record",
                f"orphan record: {JUDGMENTS} has {j.task_id}/{j.sample}/{j.item_id}, not an item "
                "of the manifest's tasks and samples",
            )
        if (j.task_id, j.sample) not in answered:
            raise BundleRejected(
                "orphan_record",
                f"orphan record: judgment {j.task_id}/{j.sample}/{j.item_id} has no response",
            )
        if item.points != j.points or item.dimension != j.dimension:
            raise BundleRejected(
                "suite_mismatch",
                f"judgment does not match the suite: {j.task_id}/{j.item_id} is "
                f"{j.dimension} {j.points:+d} in the bundle, {item.dimension} {item.points:+d} "
                "in the suite",
            )
        _check_judge(manifest, item, j)
    dup = _first_duplicate((j.task_id, j.sample, j.item_id) for j in judgments)
    if dup is not None:
        raise BundleRejected(
            "duplicated_lines", f"duplicated lines: {JUDGMENTS} has two lines for {_fmt_key(dup)}"
        )

    n_resp = len(tasks) * samples
    if len(responses) < n_resp:
        missing = next(
            (t.id, s) for t in tasks for s in range(samples) if (t.id, s) not in answered
        )
        raise BundleRejected(
            "missing_records",
            f"missing responses: {n_resp - len(responses)} of {n_resp} (task, sample) lines "
            f"absent, e.g. {_fmt_key(missing)}",
        )
    # The runner writes a line for every item of every response that exists (judged or not);
    # a failed response has none: its items count against coverage instead.
    ok = {(r.task_id, r.sample) for r in responses if r.error is None}
    have = {(j.task_id, j.sample, j.item_id) for j in judgments}
    wanted = [
        (t.id, s, it.id) for t in tasks for s in range(samples) if (t.id, s) in ok for it in t.items
    ]
    gaps = [k for k in wanted if k not in have]
    if gaps:
        raise BundleRejected(
            "missing_records",
            f"missing judgments: {len(gaps)} of {len(wanted)} (task, sample, item) lines of "
            f"answered responses absent, e.g. {_fmt_key(gaps[0])}",
        )


def _check_judge(manifest: Manifest, item: RubricItem, j: JudgmentRecord) -> None:
    if item.check is not None:
        ok = j.judge == "check"
    else:
        # An item the run never sent to a judge is recorded as judge "none" without a verdict.
        ok = j.judge == manifest.judge or (j.verdict is None and j.judge == "none")
    if not ok:
        expected = "check" if item.check is not None else manifest.judge
        raise BundleRejected(
            "judge_mismatch",
            f"judge mismatch: {j.task_id}/{j.sample}/{j.item_id} was judged by {j.judge!r}, "
            f"expected {expected!r}",
        )


def _diff(stated: Any, recomputed: Any, where: str) -> str | None:
    """The first path where two JSON trees differ (numbers within TOLERANCE)."""
    if isinstance(recomputed, dict):
        if not isinstance(stated, dict):
            return f"{where or '(root)'} stated {stated!r}, recomputed an object"
        for key in sorted(set(stated) | set(recomputed)):
            if key not in recomputed:
                return f"{where}{key} stated but not recomputed"
            if key not in stated:
                return f"{where}{key} missing from the stated scores"
            found = _diff(stated[key], recomputed[key], f"{where}{key}.")
            if found:
                return found
        return None
    if isinstance(recomputed, bool) or isinstance(stated, bool):
        same = stated is recomputed
    elif isinstance(recomputed, int | float) and isinstance(stated, int | float):
        same = math.isclose(float(stated), float(recomputed), rel_tol=0.0, abs_tol=TOLERANCE)
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


def verify_bundle(
    path: str | Path,
    suites: Mapping[str, Suite],
    *,
    min_coverage: float = MIN_COVERAGE,
    source: str | None = None,
    rules: VerificationRules | None = None,
    cache: RederiveCache | None = None,
) -> VerifiedBundle:
    """Verify one bundle directory; raises BundleRejected with the reason. `cache` keeps
    re-derivation outcomes between builds (rederive.RederiveCache)."""
    path = Path(path)
    missing = [f for f in BUNDLE_FILES if not (path / f).is_file()]
    if missing:
        raise BundleRejected("missing_file", f"missing file: {', '.join(missing)}")
    manifest = _read_json_model(path / MANIFEST, Manifest)
    stated = _read_json_model(path / SCORES, Scores)
    responses = read_records(path / RESPONSES, ResponseRecord)
    judgments = read_records(path / JUDGMENTS, JudgmentRecord)

    suite = _suite_for(manifest, suites)
    tasks = _tasks_for(manifest, suite)
    _check_records(manifest, tasks, responses, judgments)
    files = [cache.file_digest(path / f) for f in (MANIFEST, RESPONSES, JUDGMENTS)] if cache else []
    ids = rederive_cached(
        manifest,
        tasks,
        responses,
        judgments,
        suite_hash=suite.suite_hash,
        files=files,
        cache=cache,
        rules=rules,
    )

    scores = score_run(
        manifest.model, tasks, manifest.samples, judgments, seed=_scores_seed(manifest)
    )
    cov = scores.coverage
    if cov.fraction < min_coverage:
        raise BundleRejected(
            "coverage",
            f"coverage below threshold: {cov.judged}/{cov.expected} items have a verdict "
            f"({100 * cov.fraction:.1f}% < {100 * min_coverage:g}%)",
        )
    if stated.model != manifest.model:
        raise BundleRejected(
            "model_mismatch",
            f"model mismatch: {SCORES} is for {stated.model!r}, the manifest names "
            f"{manifest.model!r}",
        )
    diff = compare_scores(stated, scores)
    if diff is not None:
        raise BundleRejected("score_mismatch", f"stated score does not match: {diff}")
    return VerifiedBundle(
        source=source or str(path),
        path=path,
        manifest=manifest,
        tasks=tasks,
        responses=responses,
        judgments=judgments,
        scores=scores,
        response_ids=ids,
    )


def rejection_entry(source: str, path: Path, err: BundleRejected) -> dict[str, Any]:
    """One line of rejected.json: where, which run (when the manifest is readable), why."""
    entry: dict[str, Any] = {"source": source, "code": err.code, "reason": err.reason}
    try:
        m = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        if isinstance(m, dict):
            entry["model"] = m.get("model")
            entry["run_id"] = m.get("run_id")
    except (OSError, ValueError):
        pass
    return entry
