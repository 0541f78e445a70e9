"""`musebench audit judge`: a judge's bias card, measured on runs the user has.

Everything goes through the pairwise machinery (cached, resumable), in three directories under
--out:
- `pairs/`: the runs compared with each other (both orders, K judge samples): the position flip
  rate and first-seat win rate, self- and family-preference, and test–retest agreement;
- `length/`: each run against a padded copy of itself (padding.py: the same responses with
  neutral filler appended), both orders: the share of decisive verdicts won by the padded copy
  (0.5 would be indifference; a fair judge prefers the unpadded answer or ties);
- `bias_card.json`: the card (docs/PAIRWISE.md), also printed as a table.

All rates are over the `overall` criterion, with 95% CIs by bootstrap over tasks."""

from __future__ import annotations

import fnmatch
import hashlib
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ...errors import UsageError
from ...records.rundir import RunDir, write_json_atomic
from ..preflight import check_out_dir
from .outcomes import fold, position_stats
from .padding import padded_run_id, write_padded_run
from .plan import load_run
from .records import OVERALL, BiasCard, ComparisonRecord, FamilyBias, LengthBias, RateCI
from .session import PairwiseOptions, Prepared, check_options, execute, prepare

FAMILIES_FILE = "data/judge/families.yaml"
CARD = "bias_card.json"


@cache
def _families() -> list[dict[str, str]]:
    text = resources.files("benchmark").joinpath(FAMILIES_FILE).read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return [dict(f) for f in data["families"]]


def family_of(spec: str) -> str:
    name = spec.partition("/")[2].rstrip("/").rsplit("/", 1)[-1].lower() or spec.lower()
    for entry in _families():
        if fnmatch.fnmatchcase(name, entry["pattern"]):
            return entry["family"]
    lead = "".join(ch for ch in name.split("-")[0] if ch.isalpha())
    return lead or name


@dataclass
class AuditPlan:
    out: Path
    models: list[str]  # of the runs audited, in the order given
    pairs: Prepared | None  # None with a single run
    length: Prepared


def plan_audit(opts: PairwiseOptions, padded_root: Path) -> AuditPlan:
    """Everything checked and planned, no call made. The padded copies (free to make) are
    written under `padded_root`: OUT/padded, or a temporary directory for a dry run."""
    if not opts.runs:
        raise UsageError("audit judge: give at least one run directory")
    check_options(opts)
    check_out_dir(Path(opts.out), "--out")
    runs = [load_run(p) for p in opts.runs]  # every run readable before anything is written
    pairs = prepare(replace(opts, out=str(Path(opts.out) / "pairs"))) if len(runs) > 1 else None
    paths: list[str] = []
    pairs_of: list[tuple[str, str]] = []
    for run in runs:
        # Named by a hash of the run_id (which comes from an untrusted manifest), not by the
        # run's place on the command line, so a later command may list the runs in any order.
        padded = padded_root / hashlib.sha256(run.run_id.encode()).hexdigest()[:16]
        if not RunDir(padded).exists():
            write_padded_run(run, padded)
        paths += [str(run.path), str(padded)]
        pairs_of.append((run.run_id, padded_run_id(run.run_id)))
    length_opts = replace(
        opts, runs=paths, out=str(Path(opts.out) / "length"), judge_samples=1, anchors=[]
    )
    length = prepare(length_opts, run_pairs=pairs_of)
    return AuditPlan(Path(opts.out), [r.manifest.model for r in runs], pairs, length)


def _single_order(records: list[ComparisonRecord]) -> list[ComparisonRecord]:
    return [r for r in records if r.criterion == OVERALL and r.preferred is not None]


def _length_bias(records: list[ComparisonRecord], resamples: int, seed: int) -> LengthBias:
    wins: dict[str, list[float]] = defaultdict(list)
    verdicts = _single_order(records)
    for r in verdicts:
        if r.preferred != "tie":
            wins[r.task_id].append(1.0 if r.preferred == "run_b" else 0.0)  # run_b: the copy
    ties = sum(1 for r in verdicts if r.preferred == "tie")
    return LengthBias(
        padded_win_rate=RateCI.of(wins, resamples, seed),
        tie_rate=ties / len(verdicts) if verdicts else 0.0,
    )


def _task_scores(path: str) -> dict[str, float] | None:
    run = RunDir(path)
    if not run.scores_path.is_file():
        return None
    scores = run.read_scores()
    return {t: s.score for t, s in scores.tasks.items() if s.score is not None}


def _rubric_expectation(
    mine: dict[str, float] | None, other: dict[str, float] | None, task_id: str
) -> float | None:
    """1 if the family run's rubric score on the task is higher, 1/2 if equal, else 0."""
    if mine is None or other is None or task_id not in mine or task_id not in other:
        return None
    a, b = mine[task_id], other[task_id]
    return 1.0 if a > b else 0.5 if a == b else 0.0


def _family_bias(prep: Prepared, judge_family: str, resamples: int, seed: int) -> FamilyBias | None:
    fam = {r.run_id: family_of(r.manifest.model) == judge_family for r in prep.runs}
    if not any(fam.values()) or all(fam.values()):
        return None
    scores = {r.run_id: _task_scores(str(r.path)) for r in prep.runs}
    won: dict[str, list[float]] = defaultdict(list)
    expected: list[float] = []
    for o in fold(prep.store.comparisons(), OVERALL):
        if fam[o.run_a] == fam[o.run_b]:
            continue
        mine_side = "run_a" if fam[o.run_a] else "run_b"
        mine, other = (o.run_a, o.run_b) if fam[o.run_a] else (o.run_b, o.run_a)
        won[o.task_id].append(1.0 if o.result == mine_side else 0.5 if o.result == "tie" else 0.0)
        rubric = _rubric_expectation(scores[mine], scores[other], o.task_id)
        if rubric is not None:
            expected.append(rubric)
    return FamilyBias(
        family=judge_family,
        family_runs=[r.manifest.model for r in prep.runs if fam[r.run_id]],
        win_rate=RateCI.of(won, resamples, seed),
        rubric_win_rate=sum(expected) / len(expected) if expected else None,
    )


def _retest(records: list[ComparisonRecord], k: int, resamples: int, seed: int) -> RateCI | None:
    if k < 2:
        return None
    groups: dict[tuple[Any, ...], list[str]] = defaultdict(list)
    for r in _single_order(records):
        groups[(r.task_id, r.sample, r.sample_b, r.run_a, r.run_b, r.order)].append(str(r.winner))
    agree: dict[str, list[float]] = defaultdict(list)
    for key, winners in groups.items():
        if len(winners) == k:
            agree[key[0]].append(1.0 if len(set(winners)) == 1 else 0.0)
    return RateCI.of(agree, resamples, seed)


def run_audit(plan: AuditPlan, *, provider: Any = None) -> BiasCard | None:
    """The card, or None (and no bias_card.json) while no call has a verdict yet."""
    opts = plan.length.opts
    if plan.pairs is not None:
        execute(plan.pairs, provider=provider)
    execute(plan.length, provider=provider)
    length_records = plan.length.store.comparisons()
    if not _single_order(length_records):
        return None
    if plan.pairs is not None:
        pair_records = plan.pairs.store.comparisons()
        position = position_stats(pair_records, OVERALL, resamples=opts.resamples, seed=opts.seed)
    else:
        pair_records = []
        position = position_stats(length_records, OVERALL, resamples=opts.resamples)
    judge_family = family_of(opts.judge)
    k = plan.pairs.opts.judge_samples if plan.pairs is not None else 1
    card = BiasCard(
        judge=opts.judge,
        judge_family=judge_family,
        runs=plan.models,
        position=position,
        length=_length_bias(length_records, opts.resamples, opts.seed),
        family=_family_bias(plan.pairs, judge_family, opts.resamples, opts.seed)
        if plan.pairs is not None
        else None,
        retest_samples=k,
        retest_agreement=_retest(pair_records, k, opts.resamples, opts.seed),
    )
    write_json_atomic(plan.out / CARD, card.model_dump(mode="json"))
    return card
