"""Which LLM verdicts of a bundle are judged again, and what each would move.

- The population: every LLM-judged item of an answered response that the bundle claims a verdict
  for (True or False), with weight |points|. Items without a verdict already count against the
  run's coverage and rank score; re-judging them could not lower its claim.
- Each item's effect: how much the run's overall score (0-100) would move if only that item's
  verdict were the other one, the rest of the bundle as claimed (the product's own
  `response_score`, clipping included, divided by the number of scored tasks and of the task's
  scored samples, as `score_run` averages).
- The draw: successive sampling without replacement with probability proportional to |points|
  (Efraimidis-Spirakis keys log(u)/w, largest first: the order of the keys is the order of a
  successive draw). Each item's u comes from a keyed hash of (the key, the bundle's digest, the
  item): the same bundle always draws the same items in the same order, any change to the
  bundle draws new ones, and without the maintainer's key nobody can compute the draw."""

from __future__ import annotations

import hashlib
import hmac
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmark.measure.scoring import response_score
from benchmark.records.schemas import JudgmentRecord, ResolvedTask, ResponseRecord

ItemKey = tuple[str, int, str]  # (task id, sample, item id)
_U_SCALE = float(1 << 64)


@dataclass(frozen=True)
class Candidate:
    """One LLM verdict that may be re-judged."""

    key: ItemKey
    points: int
    claimed: bool
    effect: float  # overall-score change (points on 0-100) if the verdict were the other one

    @property
    def weight(self) -> float:
        return float(abs(self.points))

    @property
    def favourable(self) -> bool:
        """The claimed verdict is the better one for the run (met, or a failure not met)."""
        return self.claimed == (self.points > 0)


def bundle_digest(path: Path, files: Sequence[str]) -> bytes:
    """SHA-256 over the bundle's files (name, size, bytes), read in chunks."""
    h = hashlib.sha256()
    for name in files:
        f = path / name
        h.update(f"{name}\0{f.stat().st_size}\0".encode())
        with f.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    return h.digest()


def _scored_counts(
    tasks: Sequence[ResolvedTask],
    samples: int,
    verdicts: dict[tuple[str, int], dict[str, bool | None]],
) -> dict[str, int]:
    """Task id -> number of its samples that have a score (score_run's averaging)."""
    out: dict[str, int] = {}
    for t in tasks:
        n = sum(
            1
            for s in range(samples)
            if response_score(t.items, verdicts.get((t.id, s), {})) is not None
        )
        if n:
            out[t.id] = n
    return out


def candidates(
    tasks: Sequence[ResolvedTask],
    samples: int,
    responses: Iterable[ResponseRecord],
    judgments: Iterable[JudgmentRecord],
    judge: str | None,
) -> list[Candidate]:
    """The population of a verified bundle, in the manifest's task order."""
    answered = {(r.task_id, r.sample) for r in responses if r.error is None}
    verdicts: dict[tuple[str, int], dict[str, bool | None]] = defaultdict(dict)
    by_judge: set[ItemKey] = set()
    for j in judgments:
        verdicts[(j.task_id, j.sample)][j.item_id] = j.verdict
        if j.judge == judge and j.verdict is not None:
            by_judge.add((j.task_id, j.sample, j.item_id))
    scored = _scored_counts(tasks, samples, verdicts)
    if not scored:
        return []
    out: list[Candidate] = []
    for t in tasks:
        if t.id not in scored:
            continue
        scale = 100.0 / (len(scored) * scored[t.id])
        for s in range(samples):
            if (t.id, s) not in answered:
                continue
            claimed = verdicts[(t.id, s)]
            before = response_score(t.items, claimed)
            if before is None:
                continue
            for it in t.items:
                key = (t.id, s, it.id)
                if it.check is not None or key not in by_judge:
                    continue
                v = bool(claimed[it.id])
                after = response_score(t.items, {**claimed, it.id: not v})
                effect = scale * ((after if after is not None else 0.0) - before)
                out.append(Candidate(key, it.points, v, effect))
    return out


def _uniform(key: bytes, digest: bytes, item: ItemKey) -> float:
    """A number in (0, 1) from a keyed hash of the bundle and the item."""
    msg = digest + "\0".join([item[0], str(item[1]), item[2]]).encode()
    x = int.from_bytes(hmac.new(key, msg, hashlib.sha256).digest()[:8], "big")
    return (x + 0.5) / _U_SCALE


def draw(
    population: Sequence[Candidate],
    n: int,
    *,
    key: bytes,
    digest: bytes,
    weighted: bool = True,
) -> list[Candidate]:
    """The first `n` items of a successive draw without replacement, in draw order:
    probability proportional to |points| (or uniform when not `weighted`)."""
    keyed = []
    for c in population:
        if weighted and c.weight <= 0:
            continue  # an item worth no points cannot move the score
        u = _uniform(key, digest, c.key)
        keyed.append((math.log(u) / (c.weight if weighted else 1.0), c))
    keyed.sort(key=lambda kc: kc[0], reverse=True)
    return [c for _, c in keyed[:n]]
