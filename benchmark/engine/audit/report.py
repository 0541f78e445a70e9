"""The audit's tables and verdict lines, laid out to read at 80 columns."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table

from ...records.schemas import ScoreCI, Scores
from .suite_audit import RELEASE_MAX_OVERALL, SuiteAudit

CATEGORY_LABELS = {
    "creative_writing": "creative",
    "visual_design": "design",
    "emotional_intelligence": "EI",
}


def _score(ci: ScoreCI | None) -> str:
    return "—" if ci is None or ci.score is None else f"{ci.score:.1f}"


def _label(category: str) -> str:
    return CATEGORY_LABELS.get(category, category)


def _table(title: str, audit: SuiteAudit, *, extra: tuple[str, ...] = ()) -> Table:
    table = Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False
    )
    table.add_column("policy", no_wrap=True)
    for name in ("overall", *(_label(c) for c in audit.categories), *extra):
        table.add_column(name, justify="right", no_wrap=True)
    return table


def _category_cells(scores: Scores, audit: SuiteAudit) -> list[str]:
    return [_score(scores.overall), *(_score(scores.categories.get(c)) for c in audit.categories)]


def scores_table(audit: SuiteAudit) -> Table:
    """Per policy: overall and per-category score, programmatic points met, items met."""
    judged = audit.plan.judge is not None
    table = _table(
        "score 0-100" + ("" if judged else " on the programmatic items"),
        audit,
        extra=("prog\npts", "items\nmet"),
    )
    for r in audit.results:
        share = r.programmatic["all"].share
        table.add_row(
            r.policy.name,
            *_category_cells(r.scores, audit),
            "—" if share is None else f"{share:.1f}%",
            f"{r.items.met}/{r.items.judged}",
        )
    return table


def no_llm_table(audit: SuiteAudit) -> Table | None:
    """Without a judge: the scores if a judge found no LLM-judged item met."""
    if audit.plan.judge is not None:
        return None
    table = _table("score 0-100 if no LLM-judged item were met", audit)
    for r in audit.results:
        assert r.no_llm_item_met is not None  # set for every unjudged result
        table.add_row(r.policy.name, *_category_cells(r.no_llm_item_met, audit))
    return table


def _coverage_note(audit: SuiteAudit) -> str:
    """Which tasks the scores average over: a task with no scored positive item drops out."""
    parts = []
    for c in audit.categories:
        total = sum(t.category == c for t in audit.plan.tasks)
        ns = sorted({r.scores.categories[c].n or 0 for r in audit.results})
        shown = str(ns[0]) if len(ns) == 1 else f"{ns[0]}-{ns[-1]}"
        parts.append(f"{_label(c)} {shown}/{total}")
    return "tasks scored: " + ", ".join(parts)


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


_ANSWER = {True: "yes", False: "NO", None: "undecided (a policy has no score)"}


def release_lines(audit: SuiteAudit) -> list[str]:
    rule = audit.release_rule()
    if not rule.evaluated:
        return [
            "release rule (docs/RUBRIC_GUIDE.md, Auditing a suite): not evaluated; it needs "
            "--judge with a Sonnet-class judge"
        ]
    over = f" (over: {', '.join(rule.over)})" if rule.over else ""
    return [
        f"release rule: every policy at most {RELEASE_MAX_OVERALL:g} overall: "
        f"{_ANSWER[rule.all_at_most]}{over}",
        f"release rule: embedded_instruction ({_num(rule.embedded)}) no higher than "
        f"decent_plain ({_num(rule.plain)}): {_ANSWER[rule.embedded_not_higher]}",
    ]


def print_audit(audit: SuiteAudit, console: Console) -> None:
    def say(text: str = "") -> None:
        console.print(text, highlight=False)

    suite = audit.plan.suite
    console.print(audit.scope, style="bold", highlight=False)
    say(
        f"suite {suite.info.name} {suite.version}: {len(audit.plan.tasks)} tasks, one reply per "
        f"task from each of {len(audit.results)} policies"
    )
    say()
    console.print(scores_table(audit))
    say(_coverage_note(audit))
    if audit.plan.judge is None:
        say("LLM-judged items leave both sums of the score")
    say("prog pts: positive points of programmatic items met, out of all of them (pooled)")
    say("items met: items met (failure items included) of items with a verdict")
    floor = no_llm_table(audit)
    if floor is not None:
        say()
        console.print(floor)
        say(
            "programmatic points met over all positive points: the most a correct judge can "
            "give the empty policy"
        )
    say()
    for line in release_lines(audit):
        say(line)
    kept = [r.run_dir for r in audit.results if r.run_dir is not None]
    if kept:
        say(f"run dirs: {kept[0].parent}/<policy>")
