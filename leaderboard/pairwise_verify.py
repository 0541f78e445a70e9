"""Pairwise bundle verification: a submitted pairwise bundle (pairwise.json, comparisons.jsonl,
ratings.json, optionally bias_card.json; as `musebench pairwise` / `audit judge` write them) is
accepted only if every comparison refers to a response of a run already accepted on the board,
both orders of every call are there, and the ratings it states are the ratings recomputed from
its comparisons (benchmark.engine.pairwise.ratings.build_ratings, the code that wrote them).

Checks, in order (the first failure is the rejection reason; codes in docs/LEADERBOARD.md):
1. files present and within size limits, then their schemas;
2. the judge is not a test provider; every run of pairwise.json is an accepted run bundle of the
   same model and suite version;
3. comparisons.jsonl line by line: its runs and models, its judge, the responses it names exist
   in those run bundles (answered, the same text by sha256, the same word counts: lengths
   drive the length-controlled rating), `preferred` is `winner` with the order undone, no second line for one key;
4. both orders of every call, and every shared task of every compared pair (no task dropped);
5. ratings recomputed from the comparisons equal the stated ones (RATING_TOLERANCE).
A bias card cannot be re-derived (it needs the audit's own calls): it is checked for its schema
and judge only, and shown as stated."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmark.engine.pairwise.bias_card import BiasCard
from benchmark.engine.pairwise.bradley_terry import DEFAULT_RIDGE
from benchmark.engine.pairwise.prompt import text_sha256
from benchmark.engine.pairwise.ratings import build_ratings
from benchmark.engine.pairwise.records import ComparisonRecord, PairwiseManifest, RatingsFile
from benchmark.engine.pairwise.runner import preferred_run
from benchmark.engine.pairwise.store import COMPARISONS, MANIFEST, RATINGS
from benchmark.errors import UsageError
from benchmark.records.schemas import ResponseRecord

from .errors import BundleRejected
from .reading import check_sizes, iter_records, read_model
from .rules import VerificationRules, packaged_rules
from .verify import MIN_COVERAGE, _diff

BIAS_CARD = "bias_card.json"
PAIRWISE_FILES = (MANIFEST, COMPARISONS, RATINGS)
# Ratings are stated to two decimals (points); a recomputation on other hardware may round the
# other way at the last digit. Shares and the length coefficient (four decimals) must agree
# more closely.
RATING_TOLERANCE = 0.011
SHARE_TOLERANCE = 1e-4
CI_PATTERN = re.compile(r"(\d+) resamples, seed (-?\d+)")

# (task id, sample) -> (word count, sha256 of the text) of an answered response
Answered = dict[tuple[str, int], tuple[int, str]]


@dataclass(frozen=True)
class RunFacts:
    """What pairwise verification needs of one accepted run bundle."""

    run_id: str
    model: str
    suite_version: str
    answered: Answered


def run_facts(
    run_id: str,
    model: str,
    suite_version: str,
    responses: Sequence[ResponseRecord],
    words: Sequence[list[str]] | None = None,
) -> RunFacts:
    """`words`: each response's `text.split()`, when the caller has split them already
    (word_count(text) is the length of that list)."""
    if words is None:
        words = [r.text.split() for r in responses]
    counts = [len(w) for w in words]
    answered = {
        (r.task_id, r.sample): (n, text_sha256(r.text))
        for r, n in zip(responses, counts, strict=True)
        if r.error is None
    }
    return RunFacts(run_id, model, suite_version, answered)


@dataclass(frozen=True)
class VerifiedPairwise:
    source: str
    manifest: PairwiseManifest
    ratings: RatingsFile  # recomputed from the comparisons
    bias_card: BiasCard | None  # as stated (not re-derivable)
    comparisons: int  # lines


def find_pairwise_bundles(root: Path) -> list[Path]:
    """Every directory under `root` holding a pairwise.json (a run bundle has manifest.json)."""
    return sorted(p.parent for p in root.rglob(MANIFEST) if p.is_file())


# --------------------------------------------------------------------------- checks


def _check_files(path: Path, rules: VerificationRules) -> list[str]:
    names = [*PAIRWISE_FILES, *([BIAS_CARD] if (path / BIAS_CARD).is_file() else [])]
    missing = [f for f in PAIRWISE_FILES if not (path / f).is_file()]
    if missing:
        raise BundleRejected("missing_file", f"missing file: {', '.join(missing)}")
    check_sizes(path, rules, names, "max_pairwise_file_mib")
    return names


def _check_runs(
    manifest: PairwiseManifest, runs: Mapping[str, RunFacts], rules: VerificationRules
) -> None:
    provider = manifest.judge.partition("/")[0]
    if provider in rules.refused_providers:
        raise BundleRejected(
            "test_provider",
            f"test provider: the pairwise judge {manifest.judge!r} is a test provider whose "
            "verdicts measure nothing",
        )
    for ref in manifest.runs:
        run = runs.get(ref.run_id)
        if run is None:
            raise BundleRejected(
                "pairwise_unknown_run",
                f"pairwise run not on the board: {ref.run_id!r} is not an accepted run bundle",
            )
        if run.model != ref.model:
            raise BundleRejected(
                "model_mismatch",
                f"model mismatch: {MANIFEST} names {ref.model!r} for run {ref.run_id!r}, its "
                f"bundle is by {run.model!r}",
            )
        if run.suite_version != manifest.suite_version:
            raise BundleRejected(
                "suite_mismatch",
                f"suite mismatch: {MANIFEST} is for suite {manifest.suite_version}, run "
                f"{ref.run_id!r} answered suite {run.suite_version}",
            )


class ComparisonIndex:
    """What the line checks keep: each line's key and order, never texts."""

    def __init__(self, manifest: PairwiseManifest, runs: Mapping[str, RunFacts]):
        self.manifest = manifest
        self.runs = {r.run_id: runs[r.run_id] for r in manifest.runs}
        self.models = {r.run_id: r.model for r in manifest.runs}
        self.lines: set[tuple[Any, ...]] = set()
        self.orders: dict[tuple[Any, ...], set[str]] = defaultdict(set)
        self.lines_of: Counter[str] = Counter()  # criterion -> lines
        self.failed_of: Counter[str] = Counter()  # criterion -> lines without a verdict

    def _where(self, r: ComparisonRecord) -> str:
        return f"{r.task_id}/{r.sample}/{r.sample_b}/{r.run_a}/{r.run_b}/{r.order}/{r.criterion}"

    def _response(
        self, r: ComparisonRecord, run_id: str, sample: int, words: int, sha: str | None
    ) -> None:
        """The response a line names is one the run bundle holds: answered, the same text
        (by hash) and the same word count (lengths drive the length-controlled rating)."""
        held = self.runs[run_id].answered.get((r.task_id, sample))
        if held is None:
            raise BundleRejected(
                "orphan_record",
                f"orphan record: {COMPARISONS} compares {r.task_id}/{sample} of run {run_id!r}, "
                "which has no such answered response",
            )
        if sha != held[1] or words != held[0]:
            said = "no text hash" if sha is None else f"{words} words, sha256 {sha[:12]}"
            raise BundleRejected(
                "pairwise_response_mismatch",
                f"response does not match: {COMPARISONS} {self._where(r)} says {run_id!r}'s "
                f"response has {said}; its bundle's has {held[0]} words, sha256 {held[1][:12]}",
            )

    def add(self, r: ComparisonRecord) -> None:
        m = self.manifest
        for run_id, model in ((r.run_a, r.model_a), (r.run_b, r.model_b)):
            if self.models.get(run_id) != model:
                raise BundleRejected(
                    "pairwise_unknown_run",
                    f"pairwise run not on the board: {COMPARISONS} {self._where(r)} names run "
                    f"{run_id!r} by {model!r}, not a run of {MANIFEST}",
                )
        if r.run_a == r.run_b or (m.sample_pairs == "same" and r.sample != r.sample_b):
            raise BundleRejected(
                "orphan_record", f"orphan record: {COMPARISONS} {self._where(r)} is not a pair"
            )
        if r.judge != m.judge or r.judge_sample >= m.judge_samples:
            raise BundleRejected(
                "judge_mismatch",
                f"judge mismatch: {COMPARISONS} {self._where(r)} was judged by {r.judge!r} "
                f"(draw {r.judge_sample}), {MANIFEST} names {m.judge!r} ({m.judge_samples} draws)",
            )
        self._response(r, r.run_a, r.sample, r.words_a, r.sha256_a)
        self._response(r, r.run_b, r.sample_b, r.words_b, r.sha256_b)
        if (r.winner is None) != (r.error is not None) or r.preferred != preferred_run(
            r.winner, r.order
        ):
            raise BundleRejected(
                "comparison_mismatch",
                f"comparison does not match: {COMPARISONS} {self._where(r)} has winner "
                f"{r.winner!r} in order {r.order}, which is {preferred_run(r.winner, r.order)!r}"
                f", not the stated {r.preferred!r}",
            )
        key = (r.task_id, r.sample, r.sample_b, r.run_a, r.run_b, r.judge_sample, r.criterion)
        if (*key, r.order) in self.lines:
            raise BundleRejected(
                "duplicated_lines",
                f"duplicated lines: {COMPARISONS} has two lines for {self._where(r)}",
            )
        self.lines.add((*key, r.order))
        self.orders[key].add(r.order)
        self.lines_of[r.criterion] += 1
        self.failed_of[r.criterion] += r.winner is None

    def check_complete(self, criterion: str) -> None:
        """Both orders of every call, every task both runs of a compared pair answered, and a
        verdict on nearly all of them: turning a lost comparison into an "error" line must not
        drop it from the ratings unnoticed."""
        lines, failed = self.lines_of[criterion], self.failed_of[criterion]
        if lines and (lines - failed) / lines < MIN_COVERAGE:
            raise BundleRejected(
                "coverage",
                f"coverage below threshold: {lines - failed}/{lines} {criterion} comparison "
                f"lines have a verdict ({100 * (lines - failed) / lines:.1f}% < "
                f"{100 * MIN_COVERAGE:g}%)",
            )
        for key, orders in sorted(self.orders.items()):
            if orders != {"ab", "ba"}:
                absent = "ba" if "ab" in orders else "ab"
                where = "/".join(str(k) for k in key)
                raise BundleRejected(
                    "missing_order",
                    f"one order missing: {COMPARISONS} has no order {absent} for {where}",
                )
        pairs = {(k[3], k[4]) for k in self.orders}
        for a, b in sorted(pairs):
            for need in self._expected(a, b):
                if (*need, criterion) not in self.orders:
                    where = "/".join(str(k) for k in need)
                    raise BundleRejected(
                        "missing_comparisons",
                        f"missing comparisons: runs {a!r} and {b!r} were compared, but not on "
                        f"{where} ({criterion}), which both answered",
                    )

    def _expected(self, a: str, b: str) -> list[tuple[Any, ...]]:
        got_a, got_b = self.runs[a].answered, self.runs[b].answered
        samples_b: dict[str, list[int]] = defaultdict(list)
        for task, sb in sorted(got_b):
            samples_b[task].append(sb)
        out = []
        for task, s in sorted(got_a):
            partners = samples_b.get(task, [])
            if self.manifest.sample_pairs == "same":
                partners = [s] if s in partners else []
            out += [
                (task, s, sb, a, b, k)
                for sb in partners
                for k in range(self.manifest.judge_samples)
            ]
        return out


# --------------------------------------------------------------------------- ratings


def _ratings_options(stated: RatingsFile) -> tuple[bool, int, int, float]:
    """margin weights, bootstrap resamples, seed and ridge, from the stated method."""
    method = stated.method
    found = CI_PATTERN.search(str(method.get("ci", "")))
    ridge = method.get("ridge", DEFAULT_RIDGE)
    weights = method.get("weights")
    if (
        found is None
        or not isinstance(ridge, int | float)
        or ridge <= 0
        or weights
        not in (
            "mean margin",
            "one per pair outcome",
        )
    ):
        raise BundleRejected(
            "schema", f"{RATINGS}:method: not the method `musebench pairwise` writes"
        )
    return weights == "mean margin", int(found.group(1)), int(found.group(2)), float(ridge)


def _as_tree(r: RatingsFile) -> dict[str, Any]:
    out = r.model_dump(mode="json")
    out["runs"] = {row["run_id"]: row for row in out["runs"]}
    return out


def recompute_ratings(
    manifest: PairwiseManifest, stated: RatingsFile, records: list[ComparisonRecord]
) -> RatingsFile:
    """The ratings of `records`, made as `stated` says they were; BundleRejected when the
    stated ones differ."""
    index = {r.run_id: k for k, r in enumerate(manifest.runs)}
    unknown = [r for r in stated.anchors if r not in index]
    if unknown or not stated.anchors or len(stated.anchors) > 2:
        raise BundleRejected(
            "pairwise_unknown_run",
            f"pairwise run not on the board: {RATINGS} anchors {sorted(stated.anchors)} are "
            f"not one or two runs of {MANIFEST}",
        )
    margin_weights, resamples, seed, ridge = _ratings_options(stated)
    if resamples > 5000:
        raise BundleRejected("too_large", f"too large: {RATINGS} states {resamples} resamples")
    try:
        ratings = build_ratings(
            records,
            manifest.runs,
            {index[r]: v for r, v in stated.anchors.items()},
            judge=manifest.judge,
            criterion=stated.criterion,
            margin_weights=margin_weights,
            resamples=resamples,
            seed=seed,
            ridge=ridge,
        )
    except UsageError as err:
        raise BundleRejected("rating_mismatch", f"stated rating does not match: {err}") from None
    want, have = _as_tree(ratings), _as_tree(stated)
    # The ratings first: the difference a reader cares about is named.
    for key in sorted(set(want) | set(have), key=lambda k: (k != "runs", k)):
        tol = RATING_TOLERANCE if key in ("runs", "anchors") else SHARE_TOLERANCE
        diff = _diff(have.get(key), want.get(key), f"{key}.", tol=tol)
        if diff is not None:
            raise BundleRejected("rating_mismatch", f"stated rating does not match: {diff}")
    return ratings


# --------------------------------------------------------------------------- entry point


def verify_pairwise(
    path: Path,
    runs: Mapping[str, RunFacts],
    *,
    source: str | None = None,
    rules: VerificationRules | None = None,
) -> VerifiedPairwise:
    """Verify one pairwise bundle against the accepted runs (`runs`, by run id)."""
    limits = rules or packaged_rules()
    names = _check_files(path, limits)
    manifest = read_model(path / MANIFEST, PairwiseManifest)
    stated = read_model(path / RATINGS, RatingsFile)
    card = read_model(path / BIAS_CARD, BiasCard) if BIAS_CARD in names else None
    _check_runs(manifest, runs, limits)
    if card is not None and card.judge != manifest.judge:
        raise BundleRejected(
            "judge_mismatch",
            f"judge mismatch: {BIAS_CARD} is for {card.judge!r}, {MANIFEST} names "
            f"{manifest.judge!r}",
        )
    if stated.judge != manifest.judge:
        raise BundleRejected(
            "judge_mismatch",
            f"judge mismatch: {RATINGS} is for {stated.judge!r}, {MANIFEST} names "
            f"{manifest.judge!r}",
        )
    index = ComparisonIndex(manifest, runs)
    records = []
    for r in iter_records(path / COMPARISONS, ComparisonRecord, limits):
        index.add(r)
        records.append(r)
    index.check_complete(stated.criterion)
    ratings = recompute_ratings(manifest, stated, records)
    return VerifiedPairwise(source or str(path), manifest, ratings, card, len(records))


def pairwise_rejection(source: str, err: BundleRejected) -> dict[str, Any]:
    """One line of rejected.json for a pairwise bundle."""
    return {"source": source, "kind": "pairwise", "code": err.code, "reason": err.reason}
