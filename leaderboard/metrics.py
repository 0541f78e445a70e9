"""Adapters between the board and the engine's metric modules: diversity (benchmark.analysis.diversity,
imported lazily: while it is absent the diversity columns are null with a note, never invented)
and cost (benchmark.measure.report, from the token usage the bundle recorded)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from benchmark.measure.cost import PriceTable, load_prices
from benchmark.measure.report import cost_lines
from benchmark.records.schemas import JudgmentRecord, Manifest, ResponseRecord

# The diversity columns the board shows (keys of benchmark.analysis.diversity.diversity_report).
DIVERSITY_KEYS = (
    "distinct_2",
    "compression_ratio",
    "mean_pairwise_similarity",
    "cross_prompt_similarity",
    "vendi",
    "distinct_k",
    "slop_per_1k",
    "n_texts",
)
DIVERSITY_MISSING = "diversity module not installed"


def diversity_available() -> bool:
    try:
        import benchmark.analysis.diversity  # noqa: F401
    except ImportError:
        return False
    return True


def diversity_columns(
    texts: Mapping[str, Sequence[ResponseRecord]],
) -> tuple[dict[str, dict[str, Any]], str | None]:
    """Diversity metrics per run: ({run_key: {key: value}}, note). The note is set when the
    numbers could not be computed; the values are then all None. Texts are measured in the
    order given (some metrics, e.g. the compression ratio, depend on it)."""
    empty = {run: dict.fromkeys(DIVERSITY_KEYS) for run in texts}
    try:
        from benchmark.analysis.diversity import diversity_report
    except ImportError:
        return empty, DIVERSITY_MISSING
    records = [
        (r.task_id, run, r.text)
        for run, responses in texts.items()
        for r in responses
        if r.error is None  # failed responses are not texts of the model (as in the runner)
    ]
    if not records:
        return empty, "no response text to measure"
    # Each run is measured on its own texts only, so runs do not affect each other's numbers.
    # The headline numbers are the full report's, computed at about half the cost.
    report = diversity_report(records, detail=False)
    out = {run: {k: report.get(run, {}).get(k) for k in DIVERSITY_KEYS} for run in texts}
    return out, None


@cache
def diversity_signature() -> str | None:
    """A hash of the diversity code and its data (None when the module is absent): cached
    values are reused only while neither changes."""
    if not diversity_available():
        return None
    import benchmark
    import benchmark.analysis.diversity

    pkg = Path(benchmark.analysis.diversity.__file__).parent
    data = Path(benchmark.__file__).parent / "data"
    h = hashlib.sha256()
    for f in [*sorted(pkg.glob("*.py")), *sorted(data.glob("*.yaml"))]:
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


class DiversityCache:
    """Diversity metrics of a run, keyed by the bytes of its responses.jsonl and the diversity
    code's signature: rebuilding a board re-measures only the runs it has not seen. Computing
    them costs about 0.08 CPU-s per full-suite run of English prose (docs/DIVERSITY.md)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def key(self, responses: bytes) -> str | None:
        signature = diversity_signature()
        if signature is None:
            return None
        return hashlib.sha256(signature.encode() + b"\0" + responses).hexdigest()

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            value = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return value if isinstance(value, dict) else None

    def put(self, key: str, value: dict[str, Any]) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(value), encoding="utf-8")
        os.replace(tmp, path)  # atomic: workers may write the same key at once


def run_diversity(
    key: str, responses: Sequence[ResponseRecord], raw: bytes, store: DiversityCache | None
) -> tuple[dict[str, Any], str | None]:
    """One run's diversity columns and note, from the cache when it holds them."""
    cache_key = store.key(raw) if store is not None else None
    if store is not None and cache_key is not None:
        hit = store.get(cache_key)
        if hit is not None:
            return hit, None
    values, note = diversity_columns({key: responses})
    if store is not None and cache_key is not None and note is None:
        store.put(cache_key, values[key])
    return values[key], note


def run_cost(
    manifest: Manifest,
    responses: list[ResponseRecord],
    judgments: list[JudgmentRecord],
    prices: PriceTable | None = None,
) -> float | None:
    """List-price dollars for the run's recorded tokens (model + judge), None when a spec has
    no price. Batch discounts are not applied: the bundle does not record them."""
    lines = cost_lines(manifest, responses, judgments, prices or load_prices())
    if any(ln.dollars is None for ln in lines):
        return None
    return round(sum(ln.dollars or 0.0 for ln in lines), 6)
