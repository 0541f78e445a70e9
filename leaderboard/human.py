"""Human labels on the board: whether each judge is calibrated per dimension (from
benchmark.measure.calibration) and PPI-corrected scores (benchmark.measure.ppi) where humans labelled responses.

Input: human ratings in the long format (DESIGN.md; e.g. the annotation app's export) with
`unit_id` = `task_id/sample/model`, `criterion` = rubric item id, `value` 1 (met) or 0.
- A unit's human verdict is the majority of its raters; a tie leaves the item to the judge.
- Labels apply to a model only when exactly one accepted run of that model is on the board
  (unit ids do not name the run, and two runs of one model hold different responses).
- Calibration pools, per judge and dimension, every LLM-judged item humans labelled, over all
  the runs that judge scored (unit = response x item, criterion = dimension, nominal level).
  "calibrated" means the judge passed the alternative-annotator test (calibration.py); the
  verdict is "insufficient" when the test could not run (too few humans or units).
- PPI per run and dimension: f = the response's dimension score from the judge's verdicts,
  y = the same score with the humans' verdicts put in place of the judge's where they exist;
  ppi_mean(f on all responses, f and y on the labelled ones), x 100. Responses are weighted
  equally (the same as tasks when every task has the same number of samples)."""

from __future__ import annotations

import numbers
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from benchmark.errors import RatingsError, UsageError
from benchmark.measure.ppi import ppi_mean
from benchmark.measure.ratings import load_ratings
from benchmark.measure.scoring import response_score

from .verify import VerifiedBundle

PPI_MIN_LABELLED = 2  # ppi_mean needs at least two labelled responses
OVERALL = "overall"

HumanKey = tuple[str, str, int, str]  # model, task, sample, item
Labels = dict[HumanKey, dict[str, float]]  # {key: {rater_id: value}}


@dataclass
class HumanSummary:
    """What human labels add to the board, per run key."""

    # {run_key: {dimension | "overall": (estimate, ci_low, ci_high, n_labelled)}}
    ppi: dict[str, dict[str, tuple[float, float, float, int]]] = field(default_factory=dict)
    # {judge: {dimension: {"status", "winning_rate", "balanced_f1", "kappa", "n_units"}}}
    calibration: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _parse_unit(unit: str) -> tuple[str, int, str] | None:
    parts = unit.split("/", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    return parts[0], int(parts[1]), parts[2]


def load_human_verdicts(path: str | Path) -> Labels:
    """{(model, task, sample, item): {rater_id: value}} from a ratings file."""
    df = load_ratings(path)
    if "rater_type" in df.columns:
        df = df.loc[df["rater_type"] != "judge"]
    out: dict[HumanKey, dict[str, float]] = defaultdict(dict)
    bad = 0
    for unit, crit, rater, value in zip(
        df["unit_id"], df["criterion"], df["rater_id"], df["value"], strict=True
    ):
        parsed = _parse_unit(str(unit))
        if parsed is None or not isinstance(value, numbers.Real) or value not in (0, 1):
            bad += 1
            continue
        task, sample, model = parsed
        out[(model, task, sample, str(crit))][str(rater)] = float(value)
    if not out:
        raise RatingsError(
            f"{path}: no usable human label (unit_id must be task/sample/model and value 0 or 1"
            f"; {bad} rows skipped)"
        )
    return dict(out)


def _majority(values: dict[str, float]) -> bool | None:
    share = sum(values.values()) / len(values)
    return None if share == 0.5 else share > 0.5


def _ppi_for(b: VerifiedBundle, labels: Labels) -> dict[str, tuple[float, float, float, int]]:
    model = b.manifest.model
    judge_v: dict[tuple[str, int], dict[str, bool | None]] = defaultdict(dict)
    for j in b.judgments:
        judge_v[(j.task_id, j.sample)][j.item_id] = j.verdict
    out: dict[str, tuple[float, float, float, int]] = {}
    dims = sorted({it.dimension for t in b.tasks for it in t.items})
    for scope in [OVERALL, *dims]:
        f_all: list[float] = []
        f_lab: list[float] = []
        y_lab: list[float] = []
        for t in b.tasks:
            items = [it for it in t.items if scope == OVERALL or it.dimension == scope]
            if not items:
                continue
            for s in range(b.manifest.samples):
                verdicts = judge_v.get((t.id, s), {})
                f = response_score(items, verdicts)
                if f is None:
                    continue
                f_all.append(f)
                human = {}
                for it in items:
                    if it.check is not None:
                        continue  # programmatic items are decided by code, not by a judge
                    vals = labels.get((model, t.id, s, it.id))
                    if vals:
                        maj = _majority(vals)
                        if maj is not None:
                            human[it.id] = maj
                if human:
                    y = response_score(items, {**verdicts, **human})
                    if y is not None:
                        f_lab.append(f)
                        y_lab.append(y)
        if len(y_lab) >= PPI_MIN_LABELLED:
            est, lo, hi = ppi_mean(f_all, f_lab, y_lab)
            out[scope] = (100 * est, 100 * lo, 100 * hi, len(y_lab))
    return out


def _calibration_rows(
    b: VerifiedBundle, labels: Labels
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Long-format rows (humans, judge) for the LLM-judged items of `b` humans labelled."""
    model = b.manifest.model
    human_rows: list[dict[str, Any]] = []
    judge_rows: list[dict[str, Any]] = []
    checked = {(t.id, it.id) for t in b.tasks for it in t.items if it.check is not None}
    for j in b.judgments:
        if j.verdict is None or (j.task_id, j.item_id) in checked:
            continue
        vals = labels.get((model, j.task_id, j.sample, j.item_id))
        if not vals:
            continue
        unit = f"{j.task_id}/{j.sample}/{model}#{j.item_id}"
        base = {"unit_id": unit, "criterion": j.dimension, "system": model}
        judge_rows.append({**base, "rater_id": j.judge, "value": int(j.verdict)})
        human_rows.extend({**base, "rater_id": r, "value": v} for r, v in vals.items())
    return human_rows, judge_rows


@dataclass
class HumanPart:
    """What one verified run contributes (computed while its records are in memory)."""

    key: str
    model: str
    ppi: dict[str, tuple[float, float, float, int]]
    human_rows: list[dict[str, Any]]
    judge_rows: list[dict[str, Any]]


def human_part(key: str, b: VerifiedBundle, labels: Labels) -> HumanPart | None:
    """None when no label names the run's model."""
    model = b.manifest.model
    if not any(k[0] == model for k in labels):
        return None
    human_rows, judge_rows = _calibration_rows(b, labels)
    return HumanPart(key, model, _ppi_for(b, labels), human_rows, judge_rows)


def _status(entry: dict[str, Any]) -> str:
    passed = entry.get("alt_test_passed")
    if passed is True:
        return "calibrated"
    if passed is False:
        return "not calibrated"
    return "insufficient"


def summarise_humans(parts: Sequence[HumanPart], models_on_board: Sequence[str]) -> HumanSummary:
    """PPI per run and calibration per judge x dimension, from the runs' parts; labels of a
    model with several runs on the board are not applied (`models_on_board`: one entry per
    accepted run)."""
    out = HumanSummary()
    counts = Counter(models_on_board)
    ambiguous = sorted(m for m in {p.model for p in parts} if counts[m] > 1)
    if ambiguous:
        out.notes.append(
            "human labels not applied to "
            + ", ".join(ambiguous)
            + ": several runs of the model are on the board and unit ids do not name the run"
        )
    usable = [p for p in parts if counts[p.model] == 1]
    out.ppi = {p.key: p.ppi for p in usable}
    human = pd.DataFrame([r for p in usable for r in p.human_rows])
    judge = pd.DataFrame([r for p in usable for r in p.judge_rows])
    if human.empty:
        out.notes.append("no human label matches an LLM-judged item of an accepted run")
        return out
    from benchmark.measure.calibration import calibrate  # scikit-learn and scipy: imported on use

    try:
        result = calibrate(human, judge, level="nominal")
    except (RatingsError, UsageError) as err:
        out.notes.append(f"calibration not computed: {err}")
        return out
    for judge_name, block in result["judges"].items():
        out.calibration[judge_name] = {
            dim: {
                "status": _status(entry),
                "winning_rate": entry.get("alt_test_winning_rate"),
                "balanced_f1": entry.get("balanced_f1"),
                "kappa": entry.get("kappa"),
                "n_units": entry.get("n_units"),
            }
            for dim, entry in block["criteria"].items()
        }
    return out
