"""Who was first: a run id, a set of responses and a judge response id each belong to one entry.

Bundles are admitted one at a time in precedence order (build.py: the runs of the previous
board first, in the order they were admitted, then new bundles in path order), and the first
keeps what it holds:
- its `run_id`: a later bundle with the same run id is rejected (it used to displace the
  first on a rebuild, whichever sorted first by path);
- its responses: each answered response is hashed after whitespace and case normalisation (an
  exact copy hashes the same); a later bundle with more than `copy_share` of its responses equal
  to responses already on the board for the same task is rejected as a copy, whatever its model
  name;
- its judge response ids (`JudgmentRecord.response_id`): one provider response belongs to one
  bundle.
A rejected bundle holds nothing."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from benchmark.records.schemas import ResponseRecord

from .errors import BundleRejected
from .hub import model_slug

Digest = tuple[str, bytes]  # (task id, hash of the normalised text)


def normalise(text: str) -> str:
    """Runs of whitespace as one space, ends trimmed, case folded."""
    return normalise_words(text.split())


def normalise_words(words: list[str]) -> str:
    """normalise() of a text already split on whitespace (`text.split()`)."""
    return " ".join(words).casefold()


def response_digests(
    responses: Sequence[ResponseRecord], words: Sequence[list[str]] | None = None
) -> tuple[Digest, ...]:
    """One digest per answered, non-empty response (a failed or empty one proves nothing).
    `words`: each response's `text.split()`, when the caller has split them already."""
    split = words if words is not None else [r.text.split() for r in responses]
    out = []
    for r, w in zip(responses, split, strict=True):
        text = normalise_words(w)
        if r.error is None and text:
            out.append((r.task_id, hashlib.blake2b(text.encode(), digest_size=16).digest()))
    return tuple(out)


@dataclass(frozen=True)
class Identity:
    """What one verified bundle holds on the board, kept once its records are dropped."""

    run_id: str
    responses: tuple[Digest, ...]
    response_ids: frozenset[str] = frozenset()

    @property
    def key(self) -> str:
        return model_slug(self.run_id)  # the run's folder name on the board


@dataclass
class Ledger:
    """What the bundles admitted so far hold, and from which source."""

    copy_share: float
    runs: dict[str, str] = field(default_factory=dict)  # run key -> source
    responses: dict[Digest, str] = field(default_factory=dict)  # first source per digest
    response_ids: dict[str, str] = field(default_factory=dict)

    def admit(self, ident: Identity, source: str) -> None:
        """Record `ident` as `source`'s, or raise BundleRejected when an earlier entry holds
        its run id, its responses or a judge response id."""
        first = self.runs.get(ident.key)
        if first is not None:
            raise BundleRejected(
                "duplicate_run",
                f"duplicate run: run_id {ident.run_id} is already on the board from {first}",
            )
        self._check_copy(ident)
        taken = sorted(i for i in ident.response_ids if i in self.response_ids)
        if taken:
            raise BundleRejected(
                "duplicate_response_id",
                f"duplicate response id: {taken[0]!r} (and {len(taken) - 1} more) is already on "
                f"the board from {self.response_ids[taken[0]]}",
            )
        self.runs[ident.key] = source
        for d in ident.responses:
            self.responses.setdefault(d, source)
        for i in ident.response_ids:
            self.response_ids[i] = source

    def _check_copy(self, ident: Identity) -> None:
        if not ident.responses:
            return
        sources = Counter(self.responses[d] for d in ident.responses if d in self.responses)
        copied = sum(sources.values())
        share = copied / len(ident.responses)
        if share > self.copy_share:
            origin, n = sources.most_common(1)[0]
            raise BundleRejected(
                "copy",
                f"copy of another entry: {copied} of {len(ident.responses)} responses "
                f"({100 * share:.0f}% > {100 * self.copy_share:g}%) repeat responses already on "
                f"the board (after whitespace and case normalisation), {n} of them from {origin}",
            )
