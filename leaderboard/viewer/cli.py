"""`musebench view RUN_DIR [RUN_DIR...]`: serve the run viewer (leaderboard/viewer) on this
machine. Every run dir is read before serving, so a bad one is one line and exit 2."""

from __future__ import annotations

import argparse
import os
import socket
from pathlib import Path
from typing import Any

from benchmark.cli.streamlit_exec import exec_streamlit, streamlit_command
from benchmark.errors import UsageError

DEFAULT_PORT = 8502  # the leaderboard's is 8501: both can run at once


def register(sub: Any) -> None:
    p = sub.add_parser("view", help="look at run directories in a local web page (Streamlit)")
    p.add_argument("run_dirs", nargs="+", metavar="RUN_DIR", help="run directories to show")
    p.add_argument(
        "--suite",
        action="append",
        default=[],
        metavar="DIR",
        help="suite directory for task titles and item texts (repeatable; default: the shipped "
        "suites)",
    )
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    p.add_argument("--address", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.set_defaults(func=cmd_view)


def _port_free(address: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        return s.connect_ex((address if address != "0.0.0.0" else "127.0.0.1", port)) != 0


def cmd_view(args: argparse.Namespace) -> int:
    from benchmark.records.loaded_run import load_run  # imported on use: the CLI starts fast
    from benchmark.suite import load_suite

    from .frames import RUNS_ENV, SUITES_ENV

    run_dirs = [str(Path(d).resolve()) for d in args.run_dirs]
    for d in run_dirs:
        load_run(d)  # a RunDirError (a UsageError) names the file, line and field
    for s in args.suite:
        load_suite(s)
    if not _port_free(args.address, args.port):
        raise UsageError(f"--port: {args.port} is already in use on {args.address}")
    app = Path(__file__).resolve().parents[1] / "viewer" / "asgi.py"
    cmd = streamlit_command(app, port=args.port, address=args.address)
    env = dict(
        os.environ,
        **{
            RUNS_ENV: os.pathsep.join(run_dirs),
            SUITES_ENV: os.pathsep.join(str(Path(s).resolve()) for s in args.suite),
        },
    )
    shown = "run" if len(run_dirs) == 1 else f"{len(run_dirs)} runs"
    exec_streamlit(cmd, env, f"viewing {shown} on http://{args.address}:{args.port}")
    return 0  # pragma: no cover - execve does not return
