"""`PYTHONPATH=. python tests/interrupt_driver.py WHEN musebench-args...`: the musebench CLI with a Ctrl-C
that Python loses, as it once lost one for real ("Exception ignored in: <function
_get_module_lock.<locals>.cb> ... KeyboardInterrupt", and the run went on).

A SIGINT's Python handler runs between two bytecodes of whatever code runs at that moment; when
that is a weakref callback (every import runs one) or a `__del__`, the KeyboardInterrupt it
raises cannot propagate and is printed and dropped. Here the callback runs at a chosen moment:

- `startup`: before the run starts (where imports run), calling the installed SIGINT handler as
  the signal would;
- `loop`: inside the event loop, after the first line is written, raising KeyboardInterrupt as a
  second Ctrl-C does there (asyncio's handler raises on every Ctrl-C after the first)."""

from __future__ import annotations

import signal
import sys
import weakref
from typing import Any

import benchmark.cli.run as cli_run
from benchmark.cli import main
from benchmark.records.rundir import JsonlAppender


class _Box:
    pass


def lose_an_interrupt(action: Any) -> None:
    """Run `action` inside a weakref callback, where an exception it raises is lost."""
    box = _Box()
    ref = weakref.ref(box, lambda _ref: action())
    del box  # the callback runs here
    assert ref() is None


def _sigint_handler() -> None:
    handler = signal.getsignal(signal.SIGINT)
    assert callable(handler)
    handler(signal.SIGINT, None)


def _raise() -> None:
    raise KeyboardInterrupt


def patch(when: str) -> None:
    if when == "startup":
        real = cli_run.config_from_args

        def config_from_args(*args: Any, **kwargs: Any) -> Any:
            lose_an_interrupt(_sigint_handler)
            return real(*args, **kwargs)

        cli_run.config_from_args = config_from_args  # type: ignore[assignment]
    elif when == "loop":
        real_append = JsonlAppender.append
        done: list[bool] = []

        def append(self: JsonlAppender, record: Any) -> None:
            real_append(self, record)
            if not done:
                done.append(True)
                lose_an_interrupt(_raise)

        JsonlAppender.append = append  # type: ignore[method-assign]
    else:
        raise SystemExit(f"unknown moment {when!r}")


if __name__ == "__main__":
    patch(sys.argv[1])
    sys.exit(main(sys.argv[2:]))
