"""The board's pairwise columns: verify every pairwise bundle under the source against the
accepted runs, then give each run its rating, CI and length-controlled rating from the pairwise
bundle shown, with the anchor named and the judge's position and bias figures.

Ratings of two pairwise bundles are on scales fixed by their own anchors and are not comparable,
so the board shows one: the accepted pairwise bundle that rates the most accepted runs (ties:
path order). The others are listed in board.json."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import BundleRejected
from .pairwise_verify import (
    RunFacts,
    VerifiedPairwise,
    find_pairwise_bundles,
    pairwise_rejection,
    verify_pairwise,
)

# Every row carries these (None without a pairwise rating), so the board's columns are stable.
PAIRWISE_COLUMNS = (
    "pw_rating",
    "pw_ci_low",
    "pw_ci_high",
    "pw_lc_rating",
    "pw_lc_ci_low",
    "pw_lc_ci_high",
    "pw_comparisons",
    "pw_anchor",
    "pw_judge",
    "pw_flip_rate",
    "pw_flip_ci_low",
    "pw_flip_ci_high",
    "pw_first_seat_win_rate",
)


@dataclass
class PairwiseResult:
    shown: VerifiedPairwise | None = None
    accepted: list[VerifiedPairwise] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)


def collect_pairwise(root: Path, label: str | None, runs: Mapping[str, RunFacts]) -> PairwiseResult:
    out = PairwiseResult()
    for path in find_pairwise_bundles(root):
        rel = path.relative_to(root).as_posix()
        source = f"{label}/{rel}" if label else str(path)
        try:
            out.accepted.append(verify_pairwise(path, runs, source=source))
        except BundleRejected as err:
            out.rejected.append(pairwise_rejection(source, err))
    if out.accepted:
        out.shown = max(out.accepted, key=lambda p: len(p.manifest.runs))  # first of the most
    return out


def _anchor_names(p: VerifiedPairwise) -> str:
    models = {r.run_id: r.model for r in p.manifest.runs}
    return ", ".join(f"{models[r]} ({r}) = {v:g}" for r, v in p.ratings.anchors.items())


def pairwise_columns(p: VerifiedPairwise | None, run_id: str) -> dict[str, Any]:
    """One run's pairwise columns from the bundle shown (all None when it has no rating)."""
    row = next((r for r in p.ratings.runs if r.run_id == run_id), None) if p else None
    if p is None or row is None:
        return dict.fromkeys(PAIRWISE_COLUMNS)
    pos = p.ratings.position
    return {
        "pw_rating": row.rating,
        "pw_ci_low": row.ci_low,
        "pw_ci_high": row.ci_high,
        "pw_lc_rating": row.lc_rating,
        "pw_lc_ci_low": row.lc_ci_low,
        "pw_lc_ci_high": row.lc_ci_high,
        "pw_comparisons": row.comparisons,
        "pw_anchor": row.anchor,
        "pw_judge": p.manifest.judge,
        "pw_flip_rate": pos.flip_rate,
        "pw_flip_ci_low": pos.flip_ci_low,
        "pw_flip_ci_high": pos.flip_ci_high,
        "pw_first_seat_win_rate": pos.first_seat_win_rate,
    }


def _card(p: VerifiedPairwise) -> dict[str, Any] | None:
    c = p.bias_card
    if c is None:
        return None
    return {
        "stated": "as submitted: a bias card is not re-derived (it needs the audit's own calls)",
        "flip_rate": c.position.flip_rate,
        "first_seat_win_rate": c.position.first_seat_win_rate,
        "padded_win_rate": c.length.padded_win_rate.rate,
        "padded_tie_rate": c.length.tie_rate,
        "family": c.family.family if c.family else None,
        "family_win_rate": c.family.win_rate.rate if c.family else None,
        "family_rubric_win_rate": c.family.rubric_win_rate if c.family else None,
        "retest_samples": c.retest_samples,
        "retest_agreement": c.retest_agreement.rate if c.retest_agreement else None,
    }


def describe(p: VerifiedPairwise, shown: bool) -> dict[str, Any]:
    """A pairwise bundle in board.json (every name a plain string, shown as text)."""
    pos = p.ratings.position
    return {
        "source": p.source,
        "shown": shown,
        "judge": p.manifest.judge,
        "criterion": p.ratings.criterion,
        "anchors": _anchor_names(p),
        "runs": [r.run_id for r in p.manifest.runs],
        "comparison_lines": p.comparisons,
        "method": p.ratings.method,
        "position": pos.model_dump(mode="json"),
        "length_coefficient": p.ratings.length_coefficient,
        "bias_card": _card(p),
    }


def pairwise_meta(result: PairwiseResult) -> dict[str, Any]:
    return {
        "bundles": [describe(p, p is result.shown) for p in result.accepted],
        "n_rejected": len(result.rejected),
    }


def pairwise_notes(result: PairwiseResult) -> list[str]:
    if result.shown is None or len(result.accepted) <= 1:
        return []
    return [
        f"{len(result.accepted)} pairwise bundles passed verification; their ratings are on "
        f"scales fixed by different anchors, so only {result.shown.source} (the one rating the "
        "most runs) is shown"
    ]
