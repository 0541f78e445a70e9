"""How long rendering holds the runner's event loop: the longest gap between ticks of a 10 ms
heartbeat coroutine while N demo pages are rendered (benchmark/data/demo, as bench_render.py),
first as the checks used to (store.facts_for called on the loop, one page after another), then
through the render service (benchmark/checks/render/service.py: threads of its own, all pages asked at
once). Each way starts from an empty store; chromium is started before timing.
Documented figures: docs/RENDERING.md.

    python scripts/bench_render_loop.py            # 6 pages
    python scripts/bench_render_loop.py --pages 12
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a plain script from a source checkout
    sys.path.insert(0, str(REPO))

from benchmark.checks.render import service  # noqa: E402
from benchmark.checks.render.store import facts_for, shared_renderer  # noqa: E402
from scripts.bench_render import demo_pages  # noqa: E402

TICK = 0.01


async def longest_stall(work: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    """(seconds the work took, the longest heartbeat gap beyond TICK meanwhile)."""
    worst = 0.0
    done = False

    async def heartbeat() -> None:
        nonlocal worst
        last = time.perf_counter()
        while not done:
            await asyncio.sleep(TICK)
            now = time.perf_counter()
            worst = max(worst, now - last - TICK)
            last = now

    beat = asyncio.create_task(heartbeat())
    start = time.perf_counter()
    await work()
    took = time.perf_counter() - start
    done = True
    await beat
    return took, worst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=6)
    pages = [html for _, html in demo_pages()][: ap.parse_args().pages]
    shared_renderer()  # chromium's start is not what is measured

    async def on_loop(root: Path) -> None:
        for html in pages:
            facts_for(html, root)
            await asyncio.sleep(0)

    async def in_service(root: Path) -> None:
        await asyncio.gather(*(service.render(html, root) for html in pages))

    for name, way in (("on the loop (before)", on_loop), ("render service", in_service)):
        with tempfile.TemporaryDirectory() as tmp:
            took, stall = asyncio.run(longest_stall(lambda: way(Path(tmp))))  # noqa: B023
        print(f"{name:22} {len(pages)} pages in {took:5.1f} s; longest loop stall {stall:.3f} s")


if __name__ == "__main__":
    main()
