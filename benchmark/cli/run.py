"""`musebench run`, and the stages on their own: `generate`, `judge`, `score`, `report`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from ..checks.render import store as render_store
from ..engine.retry import RetryPolicy
from ..engine.task_select import choose_tasks
from ..errors import UsageError
from ..measure.cost import load_prices
from ..measure.report import load_reports, print_reports, render, report_json
from ..records.rundir import RunDir
from ..records.runspec import DEFAULT_JUDGE_MODE, JUDGE_MODES, REASONING_EFFORTS
from .argtypes import positive_int

if TYPE_CHECKING:
    from ..engine.runconfig import RunConfig


def _add_common(p: argparse.ArgumentParser, *, model: bool, judge: bool) -> None:
    if model:
        g = p.add_argument_group("model")
        g.add_argument(
            "--model",
            help="model spec: anthropic/<model>, openai/<model> or replay/<responses.jsonl>",
        )
        g.add_argument(
            "--base-url",
            help="OpenAI-compatible server for the model (vLLM, Ollama, "
            "TGI, llama.cpp); default OPENAI_BASE_URL",
        )
        g.add_argument(
            "--samples",
            type=positive_int("--samples"),
            help="samples per task (default: as recorded in RUN_DIR, else 1)",
        )
        g.add_argument(
            "--tasks",
            help="glob over task ids or category/id, or tag:NAME (comma-separated, e.g. "
            "tag:multi_turn; `musebench tasks` lists the tags)",
        )
        g.add_argument(
            "--limit",
            type=positive_int("--limit"),
            help="only the first N matching tasks, in the suite's order (`musebench tasks`)",
        )
        g.add_argument("--temperature", type=float, help="model temperature (default: provider's)")
        g.add_argument(
            "--max-tokens",
            type=positive_int("--max-tokens"),
            help="longest model answer, in tokens (default: as recorded in RUN_DIR, else 2048)",
        )
        g.add_argument(
            "--seed",
            type=int,
            help="seeds the bootstrap, and the model when its provider takes a seed (openai/) "
            "(default: as recorded in RUN_DIR, else 0, not sent)",
        )
        g.add_argument("--top-p", type=float, help="nucleus sampling (default: provider's)")
        g.add_argument(
            "--system-prompt",
            metavar="TEXT|@FILE",
            help="system prompt sent before each task's own (@FILE: read from FILE)",
        )
        g.add_argument(
            "--reasoning-effort",
            choices=list(REASONING_EFFORTS),
            help="reasoning effort of openai/ reasoning models",
        )
        g.add_argument(
            "--thinking-budget",
            type=int,
            metavar="TOKENS",
            help="anthropic/ extended thinking budget (at least 1024, below --max-tokens)",
        )
        g.add_argument(
            "--extra-body",
            metavar="JSON",
            help="JSON object of extra request fields, passed through as given",
        )
    if judge:
        g = p.add_argument_group("judge")
        g.add_argument("--judge", help="judge spec, e.g. anthropic/claude-sonnet-4-5")
        g.add_argument("--judge-base-url", help="OpenAI-compatible server for the judge")
        g.add_argument(
            "--judge-samples",
            type=positive_int("--judge-samples"),
            default=1,
            help="K independent verdicts per item; their agreement is recorded",
        )
        g.add_argument(
            "--judge-temperature",
            type=float,
            help="pinned judge temperature (default 0, or 1 with --judge-samples > 1)",
        )
        g.add_argument(
            "--judge-mode",
            choices=list(JUDGE_MODES),
            default=DEFAULT_JUDGE_MODE,
            help="one judge call per response [default], per (response, dimension) or per item",
        )
        g.add_argument(
            "--batch-wait",
            type=float,
            help="seconds to wait for a batch before exiting (exit 3; the same command "
            "resumes it); default: wait until it ends",
        )
        g.add_argument(
            "--batch",
            action="store_true",
            help="judge through the Anthropic Message Batches API (half price)",
        )
    g = p.add_argument_group("execution")
    g.add_argument("--concurrency", type=positive_int("--concurrency"), default=16)
    g.add_argument("--suite", help="suite directory (default: the shipped suite)")
    g.add_argument("--cache", help="cache file to share across runs (default RUN_DIR/cache.sqlite)")
    g.add_argument("--timeout", type=float, default=600.0, help="seconds per API call")
    g.add_argument(
        "--max-attempts",
        type=positive_int("--max-attempts"),
        default=6,
        help="attempts per call, retries included",
    )
    g.add_argument("--no-progress", action="store_true", help="no progress bar")
    g.add_argument("--prices", help="price table YAML overriding the shipped list prices")
    g.add_argument(
        "--dry-run",
        action="store_true",
        help="print the calls still to make, their tokens and dollars; make no call",
    )
    g.add_argument(
        "--max-cost",
        type=float,
        metavar="USD",
        help="start no call that could take this command's spending past USD (the same "
        "command, with a higher cap, resumes)",
    )


def _add_run_dir(p: argparse.ArgumentParser) -> None:
    """The stages take their run directory as `RUN_DIR` or, like `run`, as `--out RUN_DIR`."""
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("run_dir", nargs="?", metavar="RUN_DIR", help="the run directory")
    where.add_argument("--out", metavar="RUN_DIR", help="the same, as in `run`")


def _stage_dir(args: argparse.Namespace) -> RunDir:
    """The run directory of `generate` or `judge`, however given (argparse lets one through)."""
    return RunDir(args.run_dir if args.run_dir is not None else args.out)


def register(sub: Any) -> None:
    p = sub.add_parser("run", help="generate + judge + score (resumable)")
    p.add_argument("--out", required=True, help="run directory (created, or resumed)")
    _add_common(p, model=True, judge=True)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("generate", help="generate responses into RUN_DIR (resumable)")
    _add_run_dir(p)
    _add_common(p, model=True, judge=False)
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("judge", help="run checks and judge the responses in RUN_DIR")
    _add_run_dir(p)
    _add_common(p, model=False, judge=True)
    p.set_defaults(func=cmd_judge)

    p = sub.add_parser("score", help="(re)compute RUN_DIR/scores.json from its judgments")
    p.add_argument("run_dir")
    p.add_argument("--suite", help="suite directory (default: the shipped suite)")
    p.add_argument("--json", action="store_true", help="print scores.json on stdout")
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("report", help="scores, per-task scores, diversity, agreement and cost")
    p.add_argument("run_dir", nargs="+", help="one run directory, or several for one table")
    p.add_argument("--prices", help="price table YAML overriding the shipped list prices")
    p.add_argument("--json", action="store_true", help="one JSON document (docs/REPORTS.md)")
    p.add_argument("--all-tasks", action="store_true", help="every task, not only the worst 20")
    p.set_defaults(func=cmd_report)


def config_from_args(args: argparse.Namespace, *, new_run: bool = True) -> RunConfig:
    """The command's flags as given; a flag left out is None, which means "as the run
    directory already is" (runconfig.RunConfig). For a new run, `--limit` and a replay file
    narrow the tasks (task_select.choose_tasks)."""
    from ..engine.runconfig import RunConfig  # loads the SDKs: only for the commands that call them

    model, tasks = getattr(args, "model", None), getattr(args, "tasks", None)
    if new_run and model:  # --limit, and a replay answers its own file's tasks
        tasks = choose_tasks(args.suite, model, tasks, getattr(args, "limit", None))
    return RunConfig(
        model=model,
        judge=getattr(args, "judge", None),
        samples=getattr(args, "samples", None),
        tasks=tasks,
        concurrency=args.concurrency,
        base_url=getattr(args, "base_url", None),
        judge_base_url=getattr(args, "judge_base_url", None),
        seed=getattr(args, "seed", None),
        temperature=getattr(args, "temperature", None),
        max_tokens=getattr(args, "max_tokens", None),
        top_p=getattr(args, "top_p", None),
        system_prompt=system_prompt_text(getattr(args, "system_prompt", None)),
        reasoning_effort=getattr(args, "reasoning_effort", None),
        thinking_budget=getattr(args, "thinking_budget", None),
        extra_body=getattr(args, "extra_body", None),
        judge_temperature=getattr(args, "judge_temperature", None),
        judge_samples=getattr(args, "judge_samples", 1),
        judge_mode=getattr(args, "judge_mode", DEFAULT_JUDGE_MODE),
        batch=getattr(args, "batch", False),
        batch_wait=getattr(args, "batch_wait", None),
        suite_dir=args.suite,
        cache_path=args.cache,
        timeout=args.timeout,
        retry=RetryPolicy(max_attempts=args.max_attempts),
        progress=not args.no_progress,
        max_cost=args.max_cost,
        prices_path=args.prices,
    )


def system_prompt_text(value: str | None) -> str | None:
    """`--system-prompt`'s text: as given, or the contents of FILE for `@FILE`."""
    if value is None or not value.startswith("@"):
        return value
    path = Path(value[1:])
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) else "not UTF-8 text"
        raise UsageError(f"--system-prompt {path}: {reason}") from None


def _preflight(args: argparse.Namespace, run: RunDir, flag: str) -> RunConfig:
    """The run's configuration, every flag and input file checked before any call is paid for
    (the runner checks the values again; here the run directory and price table too)."""
    from ..engine.preflight import check_options, check_out_dir  # loads the SDKs, as above

    config = config_from_args(args, new_run=not run.exists())
    check_options(config)
    if config.model is None and not run.exists():
        raise UsageError("--model: required (e.g. anthropic/claude-sonnet-4-5)")
    if getattr(args, "prices", None):
        load_prices(args.prices)
    check_out_dir(run.path, flag)
    return config


def _dry_run(config: RunConfig, run: RunDir, *, judge: bool = True) -> int:
    from ..engine.run_estimate import estimate_command, estimate_lines

    prices = load_prices(config.prices_path)
    est = estimate_command(config, run, prices, judge=judge)
    print("\n".join(estimate_lines(est, prices.batch_discount)))
    return 0


def _finish(run: RunDir, args: argparse.Namespace) -> int:
    render(run, Console(), prices_path=getattr(args, "prices", None))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from ..engine.runner import Runner  # loads the SDKs: only for the commands that call them

    if not args.judge:
        raise UsageError("--judge: required for run (use `musebench generate` for responses only)")
    run = RunDir(args.out)
    config = _preflight(args, run, "--out")
    if args.dry_run:
        return _dry_run(config, run)
    with render_store.using(run.path / "render"):  # rendered checks keep their renders here
        Runner(config, run.path).execute()
    return _finish(run, args)


def cmd_generate(args: argparse.Namespace) -> int:
    from ..engine.runner import Runner

    run = _stage_dir(args)
    config = _preflight(args, run, "RUN_DIR")
    if args.dry_run:
        return _dry_run(config, run, judge=False)
    Runner(config, run.path).execute(judge=False)
    print(f"responses in {run.responses_path}; next: musebench judge {run.path} --judge SPEC")
    return 0


def cmd_judge(args: argparse.Namespace) -> int:
    from ..engine.runner import Runner

    run = _stage_dir(args)
    run.require()
    if not args.judge:
        raise UsageError("--judge: required (e.g. anthropic/claude-sonnet-4-5)")
    config = _preflight(args, run, "RUN_DIR")
    if args.dry_run:
        return _dry_run(config, run)
    with render_store.using(run.path / "render"):
        Runner(config, run.path).execute(generate=False)
    return _finish(run, args)


def cmd_score(args: argparse.Namespace) -> int:
    from .. import score

    run = RunDir(args.run_dir)
    scores = score(run.path, suite_dir=args.suite)
    if args.json:
        print(json.dumps(scores.model_dump(mode="json"), indent=2))
    else:
        print(f"wrote {run.scores_path}: overall {scores.overall.score}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    reports = load_reports(args.run_dir, args.prices)  # everything read before anything prints
    if args.json:
        print(json.dumps(report_json(reports), indent=2))
    else:
        print_reports(reports, Console(), tasks_shown=None if args.all_tasks else 20)
    return 0
