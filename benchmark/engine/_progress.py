"""A rich progress display for runs: responses and judgments with rate, ETA, failures, cache
hits and token totals. Disabled (a no-op) in tests and when asked."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

if TYPE_CHECKING:
    from .calls import CallStats


class RunProgress:
    def __init__(self, *, enabled: bool = True):
        self.enabled = enabled
        self._calls: dict[str, CallStats] = {}
        self._failed = {"responses": 0, "judgments": 0}
        self._progress: Progress | None = None
        self._ids: dict[str, TaskID] = {}

    def track_calls(self, role: str, stats: CallStats) -> None:
        self._calls[role] = stats

    def start(self, *, responses: tuple[int, int], judgments: tuple[int, int]) -> None:
        if not self.enabled:
            return
        self._progress = Progress(
            TextColumn("[bold]{task.description:<10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[extra]}"),
            console=Console(file=sys.stderr),
            transient=False,
        )
        self._progress.start()
        for name, (total, done) in (("responses", responses), ("judgments", judgments)):
            self._ids[name] = self._progress.add_task(
                name, total=total, completed=done, rate="", extra=""
            )
        self.refresh()

    def _advance(self, name: str, failed: bool) -> None:
        if failed:
            self._failed[name] += 1
        if self._progress is not None:
            self._progress.advance(self._ids[name])
        self.refresh()

    def response_done(self, *, failed: bool) -> None:
        self._advance("responses", failed)

    def judgment_done(self, *, failed: bool) -> None:
        self._advance("judgments", failed)

    def refresh(self) -> None:
        if self._progress is None:
            return
        for name, role in (("responses", "model"), ("judgments", "judge")):
            task = self._progress.tasks[self._ids[name]]
            speed = task.speed
            stats = self._calls.get(role)
            extra = f"failed {self._failed[name]}"
            if stats is not None:
                extra += (
                    f" | calls {stats.calls} cached {stats.cache_hits} retries "
                    f"{stats.retries} | tokens {stats.total_tokens:,}"
                )
            self._progress.update(
                self._ids[name], rate=f"{speed:.1f}/s" if speed else "", extra=extra
            )

    def note(self, message: str) -> None:
        """A line the user must see even with the display off (stderr, above any live bars)."""
        if self._progress is not None:
            self._progress.console.print(message, markup=False, highlight=False)
        else:
            print(message, file=sys.stderr)

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
