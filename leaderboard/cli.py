"""`musebench submit`, `musebench leaderboard build|serve|list` and `musebench publish-suite`:
thin wrappers over the leaderboard package (imported on use so the CLI starts fast)."""

from __future__ import annotations

import argparse
import json
import os
import socket
from pathlib import Path
from typing import Any

from benchmark.cli.argtypes import positive_int
from benchmark.cli.streamlit_exec import exec_streamlit, streamlit_command
from benchmark.errors import UsageError

DEFAULT_PORT = 8501


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a fraction in [0, 1], got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a fraction in [0, 1], got {text!r}")
    return value


def _suite_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--suite",
        action="append",
        metavar="DIR",
        help="suite directory bundles may claim (repeatable; default: the shipped suite)",
    )
    p.add_argument(
        "--min-coverage",
        type=_fraction,
        default=None,
        metavar="F",
        help="reject bundles with fewer items judged than this fraction (default 0.99)",
    )


def register(sub: Any) -> None:
    s = sub.add_parser(
        "submit", help="verify a run (or pairwise) bundle and open a pull request on the Hub"
    )
    s.add_argument(
        "run_dir", help="the run directory, or `musebench pairwise` output directory, to submit"
    )
    s.add_argument("--repo", required=True, help="Hub dataset repo holding submissions (ORG/NAME)")
    _suite_args(s)
    s.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    s.set_defaults(func=cmd_submit)

    lb = sub.add_parser("leaderboard", help="verify bundles, build and serve the leaderboard")
    lsub = lb.add_subparsers(dest="leaderboard_command", metavar="COMMAND")
    lsub.required = True

    b = lsub.add_parser(
        "build", help="verify bundles and write leaderboard.parquet + rejected.json"
    )
    b.add_argument("source", help="folder of run bundles, or hf://datasets/ORG/NAME[@REVISION]")
    b.add_argument("--out", required=True, help="folder for the built board")
    _suite_args(b)
    b.add_argument(
        "--min-samples",
        type=positive_int("--min-samples"),
        metavar="N",
        help="samples per task of a ranked entry (default 3; fewer: shown unranked)",
    )
    b.add_argument(
        "--previous",
        metavar="DIR",
        help="a board whose runs keep their run ids and responses first "
        "(default: the board already at --out)",
    )
    b.add_argument("--human", help="human labels (ratings long format) for calibration and PPI")
    b.add_argument("--models", help="model metadata YAML (default: the shipped models.yaml)")
    b.add_argument(
        "--workers", type=int, help="processes verifying bundles (default: up to 4, one per core)"
    )
    b.add_argument(
        "--cache",
        help="folder keeping per-run diversity metrics and re-derivation outcomes between builds "
        "(default: $MUSEBENCH_CACHE or ~/.cache/musebench)",
    )
    b.add_argument(
        "--no-cache",
        action="store_true",
        help="measure every run's diversity and re-derive every bundle again",
    )
    b.add_argument(
        "--rejudge",
        action="append",
        metavar="SPEC",
        help="re-judge a sample of the LLM verdicts of every bundle judged by SPEC with that "
        "judge (repeatable; docs/LEADERBOARD.md 'Spot re-judging')",
    )
    b.add_argument(
        "--rejudge-n",
        type=positive_int("--rejudge-n"),
        metavar="N",
        help="LLM verdicts re-judged per bundle (default 100)",
    )
    b.add_argument(
        "--screenshots",
        action="store_true",
        help="render the visual-design pages in headless chromium for the model page (a "
        "bundle's own screenshots are never used)",
    )
    b.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    b.set_defaults(func=cmd_build)

    v = lsub.add_parser("serve", help="serve the leaderboard app (Streamlit)")
    v.add_argument(
        "--data",
        default=os.environ.get("MUSEBENCH_BOARD_DATA"),
        help="a built board folder or hf://datasets/ORG/NAME (default: $MUSEBENCH_BOARD_DATA)",
    )
    v.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default 8501)")
    v.add_argument("--address", default="127.0.0.1", help="address to bind (0.0.0.0 in Docker)")
    v.set_defaults(func=cmd_serve)

    pb = lsub.add_parser("publish", help="commit a built board to a Hub dataset (under board/)")
    pb.add_argument("board", help="a folder written by `musebench leaderboard build`")
    pb.add_argument("--repo", required=True, help="Hub dataset repo (ORG/NAME)")
    pb.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    pb.set_defaults(func=cmd_publish_board)

    sp = lsub.add_parser("space", help="assemble the Hugging Face Space folder (Docker SDK)")
    sp.add_argument("--out", required=True, help="new folder to push as the Space repo")
    sp.set_defaults(func=cmd_space)

    ls = lsub.add_parser("list", help="list merged submissions and open submission PRs")
    ls.add_argument("--repo", required=True, help="Hub dataset repo holding submissions")
    ls.add_argument("--revision", help="branch, tag or refs/pr/N (default main)")
    ls.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    ls.set_defaults(func=cmd_list)

    ps = sub.add_parser("publish-suite", help="push tasks and rubrics as a Hub dataset")
    ps.add_argument("--repo", required=True, help="Hub dataset repo (ORG/NAME), created if absent")
    ps.add_argument("--suite", help="suite directory (default: the shipped suite)")
    ps.add_argument("--private", action="store_true", help="create the repo private")
    ps.add_argument(
        "--license", default="apache-2.0", help="licence id for the card (default apache-2.0)"
    )
    ps.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    ps.set_defaults(func=cmd_publish_suite)


def _coverage(args: argparse.Namespace) -> float:
    from leaderboard.verify import MIN_COVERAGE

    return MIN_COVERAGE if args.min_coverage is None else float(args.min_coverage)


def cmd_submit(args: argparse.Namespace) -> int:
    from leaderboard.hub import submit_bundle
    from leaderboard.pairwise_submit import submit_pairwise
    from leaderboard.verify import load_suites

    # A pairwise output dir (pairwise.json) is a pairwise bundle; anything else a run dir.
    pairwise = (Path(args.run_dir) / "pairwise.json").is_file()
    submit = submit_pairwise if pairwise else submit_bundle
    result = submit(
        args.run_dir, args.repo, suites=load_suites(args.suite), min_coverage=_coverage(args)
    )
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"opened pull request {result['pr_url']} adding {result['path']}/")
    return 0


def default_cache() -> str:
    return os.environ.get("MUSEBENCH_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "musebench"
    )


def cmd_build(args: argparse.Namespace) -> int:
    from leaderboard.build import build_board
    from leaderboard.verify import load_suites

    if not str(args.source).startswith("hf://") and not Path(args.source).is_dir():
        raise UsageError(f"SOURCE: {args.source} is not a folder or hf://datasets/ORG/NAME")
    cache = None if args.no_cache else (args.cache or default_cache())
    rejudge = None
    if args.rejudge or args.rejudge_n is not None:
        from leaderboard.rejudge import rejudge_config

        if not args.rejudge:
            raise UsageError("--rejudge-n: needs --rejudge SPEC (the judge to re-judge with)")
        rejudge = rejudge_config(args.rejudge, args.rejudge_n, cache)
    result = build_board(
        args.source,
        args.out,
        suites=load_suites(args.suite),
        min_coverage=_coverage(args),
        min_samples=args.min_samples,
        human=args.human,
        models=args.models,
        workers=args.workers,
        cache=cache,
        previous=args.previous,
        rejudge=rejudge,
        screenshots=args.screenshots,
    )
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
        return 0
    print(
        f"built {result.out}: {len(result.accepted)} runs accepted, "
        f"{len(result.rejected)} rejected ({result.seconds:.1f} s)"
    )
    for r in result.rejected:
        print(f"  rejected {r['source']}: {r['reason']}")
    for key, report in (result.rejudged or {}).items():
        print(f"  {key}: {report['line']}")
    for note in result.notes:
        print(f"  note: {note}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from leaderboard.hub import list_submissions, open_submission_prs

    merged = list_submissions(args.repo, args.revision)
    prs = open_submission_prs(args.repo)
    if args.json:
        print(json.dumps({"submissions": merged, "open_pull_requests": prs}, indent=2))
        return 0
    print(f"{len(merged)} submission(s) in {args.repo}:")
    for m in merged:
        print(f"  {m}")
    print(f"{len(prs)} open pull request(s):")
    for pr in prs:
        print(f"  #{pr['num']} {pr['title']} ({pr['author']}; {pr['ref']})")
    return 0


def _port_free(address: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        return s.connect_ex((address if address != "0.0.0.0" else "127.0.0.1", port)) != 0


def cmd_serve(args: argparse.Namespace) -> int:
    from leaderboard.boarddata import DATA_ENV, resolve_source

    if not args.data:
        raise UsageError(
            "--data: no board given (build one with `musebench leaderboard build SOURCE --out "
            "DIR`, then serve it with --data DIR)"
        )
    if not args.data.startswith("hf://"):
        resolve_source(args.data)  # a missing board is a usage error now, not a page later
    if not _port_free(args.address, args.port):
        raise UsageError(f"--port: {args.port} is already in use on {args.address}")
    app = Path(__file__).resolve().with_name("asgi.py")
    cmd = streamlit_command(app, port=args.port, address=args.address)
    env = dict(os.environ, **{DATA_ENV: args.data})
    exec_streamlit(cmd, env, f"serving {args.data} on http://{args.address}:{args.port}")
    return 0  # pragma: no cover - execve does not return


def cmd_publish_board(args: argparse.Namespace) -> int:
    from leaderboard.hub import publish_board

    result = publish_board(args.board, args.repo)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"published {result['files']} files to {args.repo}/board/")
    return 0


def cmd_space(args: argparse.Namespace) -> int:
    from leaderboard.spacefiles import assemble_space

    out = assemble_space(args.out)
    print(
        f"assembled {out}; push it with: hf upload ORG/SPACE {out} . --repo-type space "
        "(and set the Space variable MUSEBENCH_BOARD_DATA=hf://datasets/ORG/NAME)"
    )
    return 0


def cmd_publish_suite(args: argparse.Namespace) -> int:
    from benchmark.suite import load_suite
    from leaderboard.hub import publish_suite

    result = publish_suite(
        args.repo,
        suite=load_suite(args.suite) if args.suite else None,
        private=args.private,
        license_id=args.license,
    )
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"published suite {result['version']} to {args.repo} ({len(result['files'])} files)")
    return 0
