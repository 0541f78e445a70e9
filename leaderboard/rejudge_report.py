"""What a build says about re-judging: one bundle's report (its one-line summary and figures),
the board row's columns, the rejection reason, and board.json's account and the build notes."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .rejudge_rules import RejudgeRules
from .rejudge_stats import ShiftEstimate, wilson

if TYPE_CHECKING:
    from .rejudge_rules import RejudgeConfig

CODE = "rejudge_mismatch"


@dataclass(frozen=True)
class RejudgeReport:
    """One bundle's re-judging, as the board shows it."""

    judge: str
    population: int  # LLM verdicts that could be drawn
    drawn: int
    rejudged: int  # drawn verdicts the maintainer's judge answered
    failed: int  # drawn verdicts without a new verdict (failed call, ungrounded, malformed)
    disagree: int
    favour: int  # disagreements where the bundle claims the verdict better for the run
    shift: ShiftEstimate
    p_value: float  # the sign test of the disagreements' directions (rejudge_stats)
    calls: int  # judge requests paid for by this build
    cache_hits: int
    error: str | None  # the first failure, in one line
    rejected: bool
    left_out: str | None = None  # verdicts kept out of the draw, and why (no chromium)

    @property
    def rate(self) -> float | None:
        return self.disagree / self.rejudged if self.rejudged else None

    def line(self) -> str:
        """The one-line summary shown on the board."""
        if self.drawn == 0:
            none = f"re-judged with {self.judge}: no LLM verdict to re-judge"
            return none + (f"; {self.left_out}" if self.left_out else "")
        lo, hi = wilson(self.disagree, self.rejudged)
        rate = (
            f"{self.disagree} disagree ({100 * (self.rate or 0):.1f}%, 95% CI "
            f"{100 * lo:.1f}-{100 * hi:.1f}%)"
            if self.rejudged
            else "none answered"
        )
        text = (
            f"re-judged {self.rejudged} of {self.population} LLM verdicts with {self.judge}: "
            f"{rate}, {self.favour} in the run's favour; implied score shift "
            f"{self.shift.shift:+.2f} points ({_ci_text(self.shift)})"
        )
        if self.failed:
            text += f"; {self.failed} without a new verdict"
            if self.error:
                text += f" ({self.error})"
        return text + (f"; {self.left_out}" if self.left_out else "")

    def as_dict(self) -> dict[str, Any]:
        lo, hi = wilson(self.disagree, self.rejudged)
        return {
            "judge": self.judge,
            "population": self.population,
            "drawn": self.drawn,
            "rejudged": self.rejudged,
            "failed": self.failed,
            "disagree": self.disagree,
            "favour": self.favour,
            "disagreement": self.rate,
            "disagreement_ci": [lo, hi] if self.rejudged else None,
            "shift": self.shift.shift,
            "shift_ci": [_finite(self.shift.ci_low), _finite(self.shift.ci_high)],
            "p_value": self.p_value,
            "exact": self.shift.exact,
            "calls": self.calls,
            "cache_hits": self.cache_hits,
            "error": self.error,
            "rejected": self.rejected,
            "left_out": self.left_out,
            "line": self.line(),
        }


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def rejection_reason(report: RejudgeReport, rules: RejudgeRules) -> str:
    return (
        f"re-judging mismatch: {report.judge} disagrees with {report.disagree} of "
        f"{report.rejudged} re-judged LLM verdicts, {report.favour} of them in the bundle's "
        f"favour (sign test p = {report.p_value:.2g} < {rules.alpha:g}); implied score shift "
        f"{report.shift.shift:+.2f} points ({_ci_text(report.shift)}), beyond the "
        f"{rules.margin:g}-point margin"
    )


def _ci_text(s: ShiftEstimate) -> str:
    return "all verdicts re-judged" if s.exact else f"95% CI {s.ci_low:+.2f} to {s.ci_high:+.2f}"


# --------------------------------------------------------------------------- board columns

COLUMNS = (
    "rejudge",
    "rejudge_n",
    "rejudge_disagreement",
    "rejudge_shift",
    "rejudge_shift_ci_low",
    "rejudge_shift_ci_high",
)


def rejudge_columns(report: RejudgeReport | None, note: str | None = None) -> dict[str, Any]:
    """The board row's re-judging columns: the one-line summary (or why it was not re-judged)
    and its figures."""
    if report is None:
        return dict.fromkeys(COLUMNS) | {"rejudge": note or ""}
    d = report.as_dict()
    return {
        "rejudge": report.line(),
        "rejudge_n": report.rejudged,
        "rejudge_disagreement": d["disagreement"],
        "rejudge_shift": report.shift.shift,
        "rejudge_shift_ci_low": d["shift_ci"][0],
        "rejudge_shift_ci_high": d["shift_ci"][1],
    }


def _all_reports(
    accepted: Mapping[str, dict[str, Any]], rejected: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    return [*accepted.values(), *(e["rejudge"] for e in rejected if "rejudge" in e)]


def board_meta(
    config: RejudgeConfig, accepted: Mapping[str, dict[str, Any]], rejected: list[dict[str, Any]]
) -> dict[str, Any]:
    """board.json's account of re-judging: the judges, N, the rule, calls paid and cached."""
    reports = _all_reports(accepted, rejected)
    return {
        "judges": list(config.judges),
        "n": config.n,
        "margin": config.rules.margin,
        "alpha": config.rules.alpha,
        "code": CODE,
        "calls": sum(r.get("calls", 0) for r in reports),
        "cache_hits": sum(r.get("cache_hits", 0) for r in reports),
    }


def rejudge_notes(
    config: RejudgeConfig, accepted: Mapping[str, dict[str, Any]], rejected: list[dict[str, Any]]
) -> list[str]:
    """The build's notes: what was re-judged, what was rejected, what failed (one line each)."""
    reports = _all_reports(accepted, rejected)
    done = [r for r in reports if "drawn" in r]
    notes = [
        f"re-judging: {len(done)} bundle(s) re-judged with {', '.join(config.judges)} "
        f"(N = {config.n}), {sum(r['calls'] for r in done)} judge call(s) paid, "
        f"{sum(r['cache_hits'] for r in done)} from the cache; "
        f"{sum(1 for e in rejected if e.get('code') == CODE)} rejected as {CODE}"
    ]
    failed = [r for r in done if r["failed"] and r["error"]]
    if failed:
        notes.append(
            f"re-judging: {sum(r['failed'] for r in failed)} verdict(s) in {len(failed)} "
            f"bundle(s) got no new verdict, e.g. {failed[0]['error']} (failed calls are not "
            "cached: a rebuild asks them again)"
        )
    if config.key_note:
        notes.append(config.key_note)
    return notes
