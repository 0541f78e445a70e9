"""`musebench pairwise RUN_DIR RUN_DIR... --judge SPEC --out DIR` (docs/PAIRWISE.md)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..errors import UsageError
from .argtypes import positive_int


def add_judge_flags(p: argparse.ArgumentParser, *, truncate: bool = True) -> None:
    """Judge flags shared by `pairwise` and `audit judge`."""
    p.add_argument("--judge", required=True, help="judge spec, e.g. anthropic/claude-sonnet-4-5")
    p.add_argument("--judge-base-url", help="OpenAI-compatible server for the judge")
    p.add_argument(
        "--judge-temperature",
        type=float,
        help="pinned judge temperature (default 0, or 1 with --judge-samples > 1)",
    )
    p.add_argument("--judge-max-tokens", type=positive_int("--judge-max-tokens"), default=2048)
    if truncate:
        p.add_argument(
            "--truncate",
            action="store_true",
            help="cut both responses to the word count of the shorter before the judge sees them",
        )
    p.add_argument("--concurrency", type=positive_int("--concurrency"), default=16)
    p.add_argument(
        "--suite", help="suite directory (default: the shipped suite of the runs' version)"
    )
    p.add_argument("--cache", help="cache file (default OUT/cache.sqlite)")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds per API call")
    p.add_argument(
        "--max-attempts",
        type=positive_int("--max-attempts"),
        default=6,
        help="attempts per call, retries included",
    )
    p.add_argument("--prices", help="price table YAML overriding the shipped list prices")
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="print the number of calls and an estimated cost, and make no call",
    )


def register(sub: Any) -> None:
    p = sub.add_parser(
        "pairwise", help="pairwise comparisons of runs and anchored Bradley-Terry ratings"
    )
    p.add_argument("runs", nargs="+", metavar="RUN_DIR", help="two or more run directories")
    p.add_argument("--out", required=True, help="output directory (created, or resumed)")
    add_judge_flags(p)
    p.add_argument(
        "--all-sample-pairs",
        action="store_true",
        help="compare every sample of one run with every sample of the other "
        "(default: the same sample index only)",
    )
    p.add_argument(
        "--judge-samples",
        type=positive_int("--judge-samples"),
        default=1,
        help="K independent verdicts per ordered pair",
    )
    p.add_argument(
        "--anchor",
        action="append",
        default=[],
        metavar="RUN[=RATING]",
        help="run dir, run_id or model fixed at RATING (default 1000); once or twice; "
        "default: the first run at 1000",
    )
    p.add_argument(
        "--margin-weights",
        action="store_true",
        help="weigh each outcome by its mean margin (default: one per outcome)",
    )
    p.add_argument(
        "--sparse",
        action="store_true",
        help="do not compare all pairs: each run joins in turn and meets the anchors, then its "
        "neighbours in the ranking, until its CI stops moving",
    )
    p.add_argument(
        "--sparse-tol",
        type=float,
        default=0.25,
        help="with --sparse: stop adding opponents when neither CI end moves by more than this "
        "share of the CI's width (default 0.25)",
    )
    p.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples for CIs")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap")
    p.add_argument("--json", action="store_true", help="print ratings.json on stdout")
    p.set_defaults(func=cmd_pairwise)


def options_from_args(args: argparse.Namespace) -> Any:
    from ..engine.pairwise.session import PairwiseOptions
    from ..engine.retry import RetryPolicy

    return PairwiseOptions(
        runs=list(args.runs),
        judge=args.judge,
        out=args.out,
        judge_base_url=args.judge_base_url,
        sample_pairs="all" if getattr(args, "all_sample_pairs", False) else "same",
        truncate=getattr(args, "truncate", False),
        judge_samples=args.judge_samples,
        judge_temperature=args.judge_temperature,
        judge_max_tokens=args.judge_max_tokens,
        anchors=list(getattr(args, "anchor", [])),
        margin_weights=getattr(args, "margin_weights", False),
        concurrency=args.concurrency,
        suite_dir=args.suite,
        cache_path=args.cache,
        timeout=args.timeout,
        retry=RetryPolicy(max_attempts=args.max_attempts),
        resamples=args.bootstrap,
        seed=args.seed,
        prices=args.prices,
        sparse=getattr(args, "sparse", False),
    )


def print_estimate(what: str, calls: int, total: int, est: Any, spec: str) -> None:
    cost = f"${est.dollars:,.2f}" if est.dollars is not None else "unknown (not in the price table)"
    done = f"{total:,} in all, {total - calls:,} already done" if calls < total else "none done yet"
    # One statement a line, so the lines stay readable at 80 columns.
    print(f"{what}: {calls:,} judge calls to make ({done})", file=sys.stderr)
    print(
        f"  about {est.usage.input_tokens:,} input and {est.usage.output_tokens:,} output tokens",
        file=sys.stderr,
    )
    print(f"  estimated cost with {spec}: {cost}", file=sys.stderr)


def print_spent(what: str, prep: Any, spec: str) -> None:
    """What this command's calls cost, priced as the estimate was."""
    from ..measure.cost import price_usage

    s = prep.spent
    dollars = price_usage(spec, s.usage, prep.prices)
    cost = f"${dollars:,.2f}" if dollars is not None else "cost unknown (not in the price table)"
    print(
        f"{what}: {s.calls:,} paid calls ({s.retries:,} retries, {s.failures:,} failed), "
        f"{s.cache_hits:,} answers from the cache; {s.usage.input_tokens:,} input and "
        f"{s.usage.output_tokens:,} output tokens, {cost}",
        file=sys.stderr,
    )


def cmd_pairwise(args: argparse.Namespace) -> int:
    from rich.console import Console

    from ..engine.pairwise.report import print_ratings
    from ..engine.pairwise.session import estimate, execute, prepare
    from ..engine.pairwise.store import call_key

    if not 0 < args.sparse_tol < 1:
        raise UsageError(f"--sparse-tol must be between 0 and 1, not {args.sparse_tol:g}")
    prep = prepare(options_from_args(args))
    est = estimate(prep)
    what = "pairwise (--sparse: at most; usually far fewer)" if args.sparse else "pairwise"
    print_estimate(what, len(prep.pending), len(prep.jobs), est, args.judge)
    if args.dry_run:
        return 0
    ratings = execute(prep, sparse_tol=args.sparse_tol if args.sparse else None)
    print_spent("pairwise", prep, args.judge)
    failed = len({call_key(r) for r in prep.store.comparisons() if r.error is not None})
    retry = f"{failed} judge calls failed; run the same command to ask them again"
    if ratings is None:
        print(f"musebench: no ratings yet: {retry}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(ratings.model_dump(mode="json"), indent=2))
    else:
        print_ratings(ratings, Console())
    if failed:
        # As `musebench run` does with a partial run: the ratings stand on what was answered.
        print(f"musebench: ratings from the comparisons answered; {retry}", file=sys.stderr)
    return 0


def register_audit_judge(asub: Any) -> None:
    p = asub.add_parser(
        "judge",
        help="a judge's bias card on your runs: position flip rate, length sensitivity, "
        "self/family preference, test-retest agreement",
    )
    p.add_argument("runs", nargs="+", metavar="RUN_DIR", help="one or more run directories")
    p.add_argument("--out", required=True, help="output directory (created, or resumed)")
    add_judge_flags(p, truncate=False)
    p.add_argument(
        "--judge-samples",
        type=positive_int("--judge-samples"),
        default=2,
        help="K verdicts per ordered pair of runs, for test-retest agreement (default 2)",
    )
    p.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples for CIs")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap")
    p.add_argument("--json", action="store_true", help="print bias_card.json on stdout")
    p.set_defaults(func=cmd_audit_judge)


def cmd_audit_judge(args: argparse.Namespace) -> int:
    import tempfile
    from pathlib import Path

    from rich.console import Console

    from ..engine.pairwise.bias_card import plan_audit, run_audit
    from ..engine.pairwise.report import print_bias_card
    from ..engine.pairwise.session import estimate

    opts = options_from_args(args)
    if opts.judge_temperature is None:
        opts.judge_temperature = 0.0  # the judge as pairwise uses it, even with K samples
    if args.dry_run:
        with tempfile.TemporaryDirectory(prefix="musebench-audit-") as tmp:
            plan = plan_audit(opts, Path(tmp))
            _print_audit_estimate(plan, estimate, args.judge)
        return 0
    plan = plan_audit(opts, Path(args.out) / "padded")
    _print_audit_estimate(plan, estimate, args.judge)
    card = run_audit(plan)
    for name, prep in (("pairs", plan.pairs), ("length", plan.length)):
        if prep is not None:
            print_spent(f"audit judge ({name})", prep, args.judge)
    if card is None:
        print(
            "musebench: no bias card yet: no judge call has been answered; run the same "
            "command to ask again",
            file=sys.stderr,
        )
        return 1
    if args.json:
        print(json.dumps(card.model_dump(mode="json"), indent=2))
    else:
        print_bias_card(card, Console())
    return 0


def _print_audit_estimate(plan: Any, estimate: Any, spec: str) -> None:
    for name, prep in (("pairs", plan.pairs), ("length", plan.length)):
        if prep is not None:
            print_estimate(
                f"audit judge ({name})", len(prep.pending), len(prep.jobs), estimate(prep), spec
            )
