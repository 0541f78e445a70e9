"""`musebench audit suite`: baseline policies scored against the suite as replay runs."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..errors import SpecError, UsageError
from .argtypes import positive_int


def register(sub: Any) -> None:
    p = sub.add_parser("audit", help="baseline policies against the suite; a judge's bias card")
    asub = p.add_subparsers(dest="audit_command", metavar="SUBCOMMAND")
    asub.required = True

    s = asub.add_parser(
        "suite",
        help="score baseline policies (empty, echo, templates, stuffing, an instruction to the "
        "grader, padding) as replay runs",
    )
    s.add_argument(
        "--judge",
        help="judge the LLM items with this spec (paid calls); without it only the "
        "programmatic items are scored",
    )
    s.add_argument("--judge-base-url", help="OpenAI-compatible server for the judge")
    s.add_argument(
        "--tasks", help="glob over task ids or category/id, or tag:NAME (comma-separated)"
    )
    s.add_argument("--suite", help="suite directory (default: the shipped suite)")
    s.add_argument(
        "--out",
        help="keep the policies' replay files and run dirs here (resumable); default: a "
        "temporary directory, removed after",
    )
    s.add_argument("--concurrency", type=positive_int("--concurrency"), default=16)
    s.add_argument("--no-progress", action="store_true", help="no progress bar while judging")
    s.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    s.set_defaults(func=cmd_audit_suite)

    from .pairwise import register_audit_judge  # `audit judge` lives with pairwise

    register_audit_judge(asub)


def cmd_audit_suite(args: argparse.Namespace) -> int:
    # Imported on use: the CLI starts without the engine's dependencies.
    from rich.console import Console

    from ..engine.audit import SuiteAudit, plan_audit, run_audit
    from ..engine.audit.report import print_audit
    from ..engine.providers import make_provider

    # Everything a user can get wrong is checked here, before any run dir or paid call.
    plan = plan_audit(suite_dir=args.suite, tasks=args.tasks, judge=args.judge)
    judge_provider = None
    if args.judge:
        try:
            judge_provider = make_provider(args.judge, base_url=args.judge_base_url)
        except SpecError as err:
            raise SpecError(f"--judge: {err}") from None
    out = Path(args.out) if args.out else None
    if out is not None and out.exists() and not out.is_dir():
        raise UsageError(f"--out: {out} exists and is not a directory")
    if args.judge:
        print(
            f"judging with {args.judge}: {plan.judge_calls:,} judge calls "
            f"({len(plan.policies)} policies x {len(plan.tasks)} tasks, one call per response; "
            "calls already cached in --out are not paid again)",
            file=sys.stderr,
        )

    def audit_in(path: Path, keep: bool) -> SuiteAudit:
        return run_audit(
            plan,
            path,
            judge_provider=judge_provider,
            judge_base_url=args.judge_base_url,
            concurrency=args.concurrency,
            progress=bool(args.judge) and not args.no_progress,
            keep=keep,
        )

    if out is not None:
        audit = audit_in(out, keep=True)
    else:
        with tempfile.TemporaryDirectory(prefix="musebench-audit-") as tmp:
            audit = audit_in(Path(tmp), keep=False)
    if args.json:
        print(json.dumps(audit.as_dict(), indent=2))
    else:
        print_audit(audit, Console())
    return 0
