"""Re-deriving what a bundle states from what it submitted, one response at a time.

A bundle's scores are recomputed from its verdicts (verify.py); this module checks the verdicts
and the records around them against the responses themselves, with the product's own code:
- `text` is the transcript's assistant turns joined as the runner joins them (`joined_text`:
  a fixed-history task's given turns are not the model's);
- a failed response (error set) has no line that counts (no verdict, not "not applicable");
- every programmatic item is decided again by the runner's own code (`check_results`, the
  task's gate applied) and must give the submitted verdict;
- every quoted evidence is grounded again (`grounding.locate`): the `grounded` flag must be what
  grounding gives, and no "met" verdict may rest on a quote that is not in the response;
- votes (with `judge_samples` > 1) must give the verdict and the agreement figure;
- usage must be plausible: a response's tokens and each judge call's tokens at least what the
  texts they read and wrote need (leaderboard/rules.py);
- a judge response id, when recorded, names one judge call: its lines are one item group of
  one response.

Each check is a function of one response and its judgment lines (plus `ResponseIds`, the ids
seen so far), so a streaming pass can run them as records arrive and a re-judging step can sit
beside them. Each failure raises BundleRejected with a stable code and a one-line reason."""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from benchmark.analysis import html_memo
from benchmark.checks import CheckResult
from benchmark.engine.generation import joined_text
from benchmark.engine.judging import judge_groups
from benchmark.engine.judging.check_records import check_results, result_record
from benchmark.engine.judging.grounding import grounded_verbatim, locate, normalise
from benchmark.records.schemas import JudgmentRecord, Manifest, ResolvedTask, ResponseRecord, Usage

from .errors import BundleRejected
from .rules import VerificationRules, packaged_rules

REPLAY_PREFIX = "replay/"  # responses generated elsewhere: usage may not have been recorded
TOLERANCE = 1e-6


def _where(r: ResponseRecord | JudgmentRecord) -> str:
    return f"{r.task_id}/{r.sample}"


def _line(j: JudgmentRecord) -> str:
    return f"{j.task_id}/{j.sample}/{j.item_id}"


def _short(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _min_tokens(chars: int, rules: VerificationRules) -> int:
    return math.ceil(chars / rules.max_chars_per_token)


_NO_USAGE = Usage()  # compared with, never changed


def _read_tokens(u: Usage) -> int:
    return u.input_tokens + u.cache_read_tokens + u.cache_write_tokens


# --------------------------------------------------------------------------- responses


def check_text(response: ResponseRecord) -> None:
    """`text` is what the runner derives from the transcript."""
    if response.text != joined_text(response.transcript):
        raise BundleRejected(
            "text_mismatch",
            f"text differs from the transcript: {_where(response)} `text` is not the "
            "transcript's assistant turns joined by a blank line",
        )


def check_failed_response(response: ResponseRecord, lines: Iterable[JudgmentRecord]) -> None:
    """A failed response is not judged: none of its lines may count (verdict or N/A)."""
    if response.error is None:
        return
    for j in lines:
        if j.verdict is not None or j.not_applicable:
            what = "not applicable" if j.verdict is None else f"verdict {str(j.verdict).lower()}"
            raise BundleRejected(
                "failed_response_judged",
                f"failed response judged: {_where(response)} has an error, yet "
                f"{j.item_id} is {what}",
            )


def check_response_usage(
    manifest: Manifest, response: ResponseRecord, rules: VerificationRules
) -> None:
    """An answered response's tokens: at least what its prompt and its text need. A replayed
    run (`replay/...`) may carry no usage at all (the file it replays may not have any)."""
    if response.error is not None:
        return
    u = response.usage
    if manifest.model.startswith(REPLAY_PREFIX) and u == _NO_USAGE:
        return
    wrote = len(response.text)
    read = sum(len(m.content) for m in response.transcript if m.role != "assistant" or m.given)
    need_out, need_in = _min_tokens(wrote, rules), _min_tokens(read, rules)
    if u.output_tokens < need_out or _read_tokens(u) < need_in:
        raise BundleRejected(
            "usage_implausible",
            f"implausible usage: {_where(response)} records {_read_tokens(u)} input and "
            f"{u.output_tokens} output tokens for {read} characters read and {wrote} written "
            f"(at least {need_in} and {need_out})",
        )


# --------------------------------------------------------------------------- judgment lines


def check_programmatic(
    task: ResolvedTask, response: ResponseRecord, lines: Iterable[JudgmentRecord]
) -> None:
    """Every programmatic item decided again, by the runner's own code path."""
    if response.error is not None:
        return
    submitted = {j.item_id: j for j in lines if j.judge == "check"}
    if not submitted:
        return
    # Every item decided before the first comparison, as check_judgments decides them.
    for item, result in list(check_results(task, response)):
        j = submitted.get(item.id)
        if j is None:
            continue  # a missing line is reported by verify's record checks
        if _same_outcome(j, result):
            continue
        again = result_record(task, response, item, result)  # the line the runner writes
        if j.verdict != again.verdict or j.not_applicable != again.not_applicable:
            raise BundleRejected(
                "check_mismatch",
                f"programmatic verdict does not match: {_line(j)} is {_verdict(j)} in the "
                f"bundle, the check gives {_verdict(again)} ({again.rationale or 'no rationale'})",
            )


def _same_outcome(j: JudgmentRecord, result: CheckResult) -> bool:
    """True when the line's verdict and not_applicable are those of the record the runner
    would write for `result` (check_records.result_record), decided without building it: the
    record takes `verdict` as it is when it is a bool or None (anything else, which no check
    returns, is left to the record's validation) and `not_applicable` as `not applicable`."""
    verdict = result.verdict
    if verdict is not None and verdict.__class__ is not bool:
        return False
    return j.verdict == verdict and j.not_applicable == (not result.applicable)


def _verdict(j: JudgmentRecord) -> str:
    if j.not_applicable and j.verdict is None:
        return "not applicable"
    return "null" if j.verdict is None else str(j.verdict).lower()


def quote_found(quote: str, text: str) -> bool:
    """`locate(quote, text) is not None`, cheaply in the common case: a quote found verbatim
    (grounding.grounded_verbatim) is found without normalising the whole response; every
    other quote takes grounding's normalisation of the response, the dear part."""
    return grounded_verbatim(quote, text) or locate(quote, text) is not None


def check_grounding(response: ResponseRecord, j: JudgmentRecord) -> None:
    """An LLM verdict's quote grounded again: the flag must be what grounding gives, and a
    "met" verdict must not rest on a quote the response does not contain."""
    if j.judge == "check":
        return
    if not j.evidence:
        if j.grounded is not None:
            raise BundleRejected(
                "grounding_mismatch",
                f"grounding does not match: {_line(j)} has no quote but is marked grounded "
                f"{str(j.grounded).lower()}",
            )
        return
    found = quote_found(j.evidence, response.text)
    if j.grounded is not found or (j.verdict is True and not found):
        flag = "null" if j.grounded is None else str(j.grounded).lower()
        raise BundleRejected(
            "grounding_mismatch",
            f"grounding does not match: {_line(j)} quotes {_short(j.evidence)}, marked grounded "
            f"{flag}, but the quote {'occurs' if found else 'does not occur'} in the response",
        )


def check_votes(k: int, judge: str | None, j: JudgmentRecord) -> None:
    """With K judge samples (the manifest's `judge_samples`, and its `judge`: computed
    properties, read once per response by the caller), the K votes give the verdict (majority;
    a tie gives none) and the agreement (the majority's share of the non-null votes; 0.5 for a
    tie)."""
    if j.judge != judge or k == 1 or (j.votes is None and j.verdict is None):
        if j.votes is not None or j.vote_agreement is not None:
            raise BundleRejected(
                "vote_mismatch",
                f"votes do not match: {_line(j)} carries votes, but the run drew one verdict "
                "per item" + ("" if k > 1 else " (judge_samples 1)"),
            )
        return
    if j.votes is None or len(j.votes) != k:
        got = "no votes" if j.votes is None else f"{len(j.votes)} votes"
        raise BundleRejected(
            "vote_mismatch", f"votes do not match: {_line(j)} has {got}, judge_samples is {k}"
        )
    yes, no = j.votes.count(True), j.votes.count(False)
    verdict = None if yes == no else yes > no
    agreement = (0.5 if yes else None) if yes == no else max(yes, no) / (yes + no)
    same_agreement = (
        agreement is None
        if j.vote_agreement is None
        else agreement is not None and abs(agreement - j.vote_agreement) <= TOLERANCE
    )
    if verdict != j.verdict or not same_agreement:
        raise BundleRejected(
            "vote_mismatch",
            f"votes do not match: {_line(j)} has {yes} true and {no} false votes, so verdict "
            f"{_verdict_of(verdict)} and agreement {agreement}; the line says "
            f"{_verdict_of(j.verdict)} and {j.vote_agreement}",
        )


def _verdict_of(v: bool | None) -> str:
    return "null" if v is None else str(v).lower()


# --------------------------------------------------------------------------- judge calls


_NO_ITEMS: Mapping[str, str] = {}


@dataclass(frozen=True)
class Groups:
    """Which judge call (item group, by the manifest's judge_mode) judged each LLM item."""

    of: Mapping[str, Mapping[str, str]]  # task id -> item id -> group name

    @classmethod
    def of_tasks(cls, tasks: Iterable[ResolvedTask], manifest: Manifest) -> Groups:
        return cls(
            {
                t.id: {
                    it.id: name
                    for name, items in judge_groups(t.items, manifest.judge_mode)
                    for it in items
                }
                for t in tasks
            }
        )

    def split(self, lines: Iterable[JudgmentRecord]) -> dict[str, list[JudgmentRecord]]:
        """The LLM lines of one response, by judge call (group name)."""
        out: dict[str, list[JudgmentRecord]] = {}
        for j in lines:
            name = self.of.get(j.task_id, _NO_ITEMS).get(j.item_id)
            if name is not None and j.judge != "check":
                out.setdefault(name, []).append(j)
        return out


def check_judge_usage(
    manifest: Manifest,
    response: ResponseRecord,
    calls: Mapping[str, list[JudgmentRecord]],
    rules: VerificationRules,
) -> None:
    """Each judge call that gave a verdict read the response: its tokens (summed over the
    group's lines; the runner puts them on the group's first line) cover at least that."""
    need_in = _min_tokens(len(response.text), rules)
    judge = manifest.judge  # a computed property: read once
    for name, lines in calls.items():
        if not any(j.verdict is not None and j.judge == judge for j in lines):
            continue
        # summed as integers (adding Usage models validates a new model at every step)
        used = [j.usage for j in lines if j.usage is not None]
        read, wrote = sum(map(_read_tokens, used)), sum(u.output_tokens for u in used)
        if read < need_in or wrote < 1:
            raise BundleRejected(
                "usage_implausible",
                f"implausible usage: the judge call on {_where(response)} ({name}) records "
                f"{read} input and {wrote} output tokens, but it read a "
                f"{len(response.text)}-character response (at least {need_in} and 1)",
            )


@dataclass
class ResponseIds:
    """Judge response ids seen so far in one bundle: id -> the call (task/sample/group)."""

    calls: dict[str, str] = field(default_factory=dict)

    def add(self, j: JudgmentRecord, call: str) -> None:
        if j.response_id is None:
            return
        if j.judge == "check":
            raise BundleRejected(
                "duplicate_response_id",
                f"response id on a programmatic item: {_line(j)} carries {_short(j.response_id)}",
            )
        first = self.calls.setdefault(j.response_id, call)
        if first != call:
            raise BundleRejected(
                "duplicate_response_id",
                f"duplicate response id: {_short(j.response_id)} is on the judge calls {first} "
                f"and {call}",
            )


def check_response_ids(
    response: ResponseRecord,
    calls: Mapping[str, list[JudgmentRecord]],
    lines: Iterable[JudgmentRecord],
    seen: ResponseIds,
) -> None:
    # ResponseIds.add does nothing for a line without an id: those are not handed to it.
    for name, group in calls.items():
        for j in group:
            if j.response_id is not None:
                seen.add(j, f"{_where(response)}/{name}")
    for j in lines:
        if j.judge == "check" and j.response_id is not None:
            seen.add(j, "")


# --------------------------------------------------------------------------- one response


def rederive_response(
    manifest: Manifest,
    task: ResolvedTask,
    response: ResponseRecord,
    lines: list[JudgmentRecord],
    groups: Groups,
    seen: ResponseIds,
    rules: VerificationRules | None = None,
) -> None:
    """Every re-derivation for one response and its judgment lines (file order)."""
    rules = rules or packaged_rules()
    check_text(response)
    check_failed_response(response, lines)
    check_programmatic(task, response, lines)
    k, judge = manifest.judge_samples, manifest.judge
    for j in lines:
        check_grounding(response, j)
        check_votes(k, judge, j)
    calls = groups.split(lines)
    check_response_usage(manifest, response, rules)
    check_judge_usage(manifest, response, calls, rules)
    check_response_ids(response, calls, lines, seen)


def rederive(
    manifest: Manifest,
    tasks: list[ResolvedTask],
    responses: Iterable[ResponseRecord],
    judgments: Iterable[JudgmentRecord],
    rules: VerificationRules | None = None,
) -> ResponseIds:
    """Re-derive a whole bundle, response by response (in the responses' file order); the
    judge response ids it holds are returned for the board's cross-bundle check."""
    by_key: dict[tuple[str, int], list[JudgmentRecord]] = {}
    for j in judgments:
        by_key.setdefault((j.task_id, j.sample), []).append(j)
    known = {t.id: t for t in tasks}
    groups = Groups.of_tasks(tasks, manifest)
    seen = ResponseIds()
    for r in responses:
        rederive_response(
            manifest,
            known[r.task_id],
            r,
            by_key.get((r.task_id, r.sample), []),
            groups,
            seen,
            rules,
        )
        # grounding keeps 256 responses normalised (a judge answer grounds several quotes in
        # one response) and the checks a few pages parsed; over a streamed bundle of large
        # responses that is memory for nothing (and no response may be decided by another's).
        normalise.cache_clear()
        html_memo.clear()
    return seen


# --------------------------------------------------------------------------- cache


@cache
def rederive_signature() -> str:
    """A hash of the code and data re-derivation runs (the engine's checks and grounding, this
    module, the rules): a cached outcome is reused only while none of them changes."""
    import benchmark

    engine = Path(benchmark.__file__).parent
    here = Path(__file__).parent
    files = [
        *sorted(engine.rglob("*.py")),
        *sorted(f for f in engine.glob("data/*") if f.is_file()),  # the checks' lists
        here / "rederive.py",
        here / "rules.py",
        here / "data" / "verification.yaml",
    ]
    h = hashlib.sha256()
    for f in files:
        h.update(f.relative_to(f.parents[1]).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


class RederiveCache:
    """The outcome of re-deriving a bundle (its judge response ids, or its rejection), keyed by
    the bytes of its manifest, responses and judgments, the suite hash and rederive_signature():
    re-running every check is the dearest part of verifying, so a rebuild re-derives only the
    bundles it has not seen. Like the diversity cache, it lives in the builder's --cache."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def key(self, suite_hash: str, rules: VerificationRules, files: Iterable[bytes]) -> str:
        """`files`: the SHA-256 digest of each bundle file re-derivation reads (file_digest)."""
        h = hashlib.sha256(rederive_signature().encode() + b"\0" + suite_hash.encode())
        h.update(b"\0" + rules.model_dump_json().encode())
        for digest in files:
            h.update(b"\0" + digest)
        return h.hexdigest()

    @staticmethod
    def file_digest(path: Path) -> bytes:
        """A file's SHA-256, read in chunks (a bundle file is never held whole for this)."""
        with path.open("rb") as f:
            return hashlib.file_digest(f, "sha256").digest()

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> frozenset[str] | BundleRejected | None:
        try:
            value = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if isinstance(value, dict) and isinstance(value.get("ids"), list):
            return frozenset(str(i) for i in value["ids"])
        if isinstance(value, dict) and {"code", "reason"} <= value.keys():
            return BundleRejected(str(value["code"]), str(value["reason"]))
        return None

    def put(self, key: str, outcome: frozenset[str] | BundleRejected) -> None:
        if isinstance(outcome, BundleRejected):
            value: dict[str, Any] = {"code": outcome.code, "reason": outcome.reason}
        else:
            value = {"ids": sorted(outcome)}
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(value), encoding="utf-8")
        os.replace(tmp, path)  # atomic: workers may write the same key at once


def rederive_cached(
    manifest: Manifest,
    tasks: list[ResolvedTask],
    responses: Iterable[ResponseRecord],
    judgments: list[JudgmentRecord],
    *,
    suite_hash: str,
    files: Iterable[bytes],
    cache: RederiveCache | None,
    rules: VerificationRules | None = None,
) -> frozenset[str]:
    """rederive(), or its outcome from `cache`: the judge response ids, or BundleRejected."""
    key = cache.key(suite_hash, rules or packaged_rules(), files) if cache is not None else None
    hit = cache.get(key) if cache is not None and key is not None else None
    if isinstance(hit, BundleRejected):
        raise hit
    if hit is not None:
        return hit
    try:
        ids = frozenset(rederive(manifest, tasks, responses, judgments, rules).calls)
    except BundleRejected as err:
        if cache is not None and key is not None:
            cache.put(key, err)
        raise
    if cache is not None and key is not None:
        cache.put(key, ids)
    return ids
