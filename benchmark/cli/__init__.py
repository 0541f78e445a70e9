"""The `musebench` command line. Each command group lives in its own module exposing
`register(subparsers)`; this module only wires them together and turns errors into exit codes.

The engine's own groups are listed below. Other installed packages (the annotation app, the
leaderboard) add theirs through the `musebench.commands` entry-point group (pyproject.toml), so
the engine never imports them: each entry point names a `register(subparsers)` function."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points

from .. import __version__
from ..engine import interrupts
from ..errors import BatchError, BatchPending, BudgetReached, SuiteError, UsageError

# One module per command group; each adds its subcommands in `register`.
COMMAND_MODULES = [
    "validate",
    "run",
    "demo",
    "measure",
    "diversity",
    "audit",
    "schema",
    "tasks",
    "compare",
    "render",
    "pairwise",
]

# Command groups that installed packages contribute (see the module docstring).
ENTRY_POINT_GROUP = "musebench.commands"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="musebench",
        description="Rubric-based evaluation of creative writing and emotional intelligence.",
    )
    parser.add_argument("--version", action="version", version=f"musebench {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    # One entry point per name, in name order, so that help lists them the same way each time.
    plugins = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    for name in sorted(plugins):
        plugins[name].load()(sub)
    return parser


INTERRUPTED = (
    "musebench: interrupted; the run directory keeps everything written so far "
    "(run the same command to resume)"
)


# What rich's console does when its reader goes away (Console.on_broken_pipe): plain prints
# (--json) end the same way as tables.
STDOUT_CLOSED = 1


def _stdout_closed() -> int:
    """The reader of stdout went away (`musebench ... --json | head -1`): stop quietly. What is
    still buffered goes to /dev/null, or Python's own flush at exit would fail again and print
    a traceback of its own."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return STDOUT_CLOSED


def main(argv: Sequence[str] | None = None) -> int:
    code = _main(argv)
    interrupts.die_if_terminated()  # silently, as a SIGTERM always ended it
    return code


def _main(argv: Sequence[str] | None) -> int:
    with interrupts.handle_interrupts():
        try:
            code = _dispatch(argv)
            sys.stdout.flush()  # here, not at exit: a closed pipe is then caught below
        except BrokenPipeError:
            code = _stdout_closed()
        except KeyboardInterrupt:
            code = None
        except Exception:
            # Code that turns a KeyboardInterrupt into another error (as some C extensions
            # do) still means the user asked to stop.
            if not interrupts.requested():
                raise
            code = None
        if code is None or interrupts.requested():
            if not interrupts.terminated():
                print(INTERRUPTED, file=sys.stderr)
            return 130
        return code


def _dispatch(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BatchPending as err:
        print(f"musebench: {err}", file=sys.stderr)
        return 3
    except BatchError as err:
        print(f"musebench: error: {err}", file=sys.stderr)
        return 1
    except BudgetReached as err:
        print(f"musebench: {err}", file=sys.stderr)
        return 4
    except SuiteError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        return 2
    except UsageError as err:
        print(f"musebench: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
