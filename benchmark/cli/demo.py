"""`musebench demo`: the offline end-to-end demo on bundled illustrative responses."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("demo", help="the offline end-to-end demo (illustrative data)")
    p.add_argument(
        "--out",
        default="musebench-demo",
        help="directory for the demo's run dirs (default ./musebench-demo; resumable)",
    )
    p.add_argument("--judge", help="judge the LLM items with this spec (makes API calls)")
    p.add_argument("--judge-base-url", help="OpenAI-compatible server for the judge")
    p.add_argument("--suite", help="suite directory (default: the shipped suite)")
    p.add_argument("--progress", action="store_true", help="show progress bars")
    p.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    from ..engine.demo import run_demo  # imported on use: the CLI starts without the engine's deps

    run_demo(
        args.out,
        judge=args.judge,
        judge_base_url=args.judge_base_url,
        suite_dir=args.suite,
        progress=args.progress,
    )
    return 0
