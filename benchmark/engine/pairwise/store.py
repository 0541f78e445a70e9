"""The pairwise output directory: pairwise.json, comparisons.jsonl, ratings.json, cache.sqlite.

comparisons.jsonl is append-only while calls are made. On open, lines of calls that ended in an
error, and the lines of a call cut short by a kill (fewer lines than its criteria), are rewritten
away (atomically), so a resume asks those calls again (a completed call from the cache, free)
and every key ends with exactly one set of lines."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ...errors import RunDirError
from ...records.rundir import OutputDir, read_jsonl, rewrite_jsonl, write_json_atomic
from .records import ComparisonRecord, PairwiseManifest, RatingsFile, RunRef

MANIFEST = "pairwise.json"
COMPARISONS = "comparisons.jsonl"
RATINGS = "ratings.json"

CallKey = tuple[str, int, int, str, str, str, int]


def call_key(r: ComparisonRecord) -> CallKey:
    return (r.task_id, r.sample, r.sample_b, r.run_a, r.run_b, r.order, r.judge_sample)


class PairwiseDir(OutputDir):
    manifest_name = MANIFEST

    @property
    def comparisons_path(self) -> Path:
        return self.path / COMPARISONS

    @property
    def ratings_path(self) -> Path:
        return self.path / RATINGS

    def read_manifest(self) -> PairwiseManifest | None:
        if not self.manifest_path.is_file():
            return None
        try:
            return PairwiseManifest.model_validate_json(self.manifest_path.read_bytes())
        except ValueError as err:
            raise RunDirError(f"{self.manifest_path}: not a pairwise manifest ({err})") from None

    def comparisons(self) -> list[ComparisonRecord]:
        return list(read_jsonl(self.comparisons_path, ComparisonRecord))

    def write_ratings(self, ratings: RatingsFile) -> None:
        write_json_atomic(self.ratings_path, ratings.model_dump(mode="json"))

    def drop_incomplete(self, criteria_of: dict[str, int]) -> int:
        """Remove the lines of failed or cut-short calls; `criteria_of[task_id]` is how many
        lines one call writes. Returns how many lines were dropped."""
        records = self.comparisons()
        lines = Counter(call_key(r) for r in records)
        failed = {call_key(r) for r in records if r.error is not None}
        keep = [
            r
            for r in records
            if call_key(r) not in failed and lines[call_key(r)] == criteria_of.get(r.task_id, -1)
        ]
        if len(keep) != len(records):
            rewrite_jsonl(self.comparisons_path, keep)
        return len(records) - len(keep)


def merge_manifest(
    old: PairwiseManifest | None, new: PairwiseManifest, where: Path
) -> PairwiseManifest:
    """A resume (or runs added later) must use the same judge and options; runs accumulate."""
    if old is None:
        return new
    for name in ("suite_version", "judge", "judge_endpoint", "judge_params", "sample_pairs",
                 "truncate", "judge_samples"):  # fmt: skip
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            raise RunDirError(
                f"{where}: existing comparisons were made with a different {name} ({a}; this "
                f"command: {b}); use the same options or choose a new --out"
            )
    runs: list[RunRef] = list(old.runs)
    known = {r.run_id for r in runs}
    runs += [r for r in new.runs if r.run_id not in known]
    return old.model_copy(update={"runs": runs})
