"""Benchmark the renderer (benchmark/checks/render): seconds per artefact per width, and peak memory,
on the visual-design pages of the offline demo's illustrative responses
(benchmark/data/demo/*.jsonl; written by the team, not model output).

Each artefact is rendered at 375, 768 and 1280 px by one Renderer (one chromium, `--pages`
tabs, artefacts handed out by `--pages` threads). Per width the time covers loading, settling,
measuring the facts and the full-page screenshot; at 1280 px also axe-core and tabbing through
the page. Memory: the peak summed proportional set size (PSS) of chromium's processes
(sampled every 50 ms from /proc), and this Python process's peak.
Documented figures: docs/RENDERING.md.

    python scripts/bench_render.py                 # every demo page, 2 tabs
    python scripts/bench_render.py --pages 1 --repeat 2
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a plain script from a source checkout
    sys.path.insert(0, str(REPO))

from benchmark.analysis.html_extract import extract_html  # noqa: E402
from benchmark.checks.render.renderer import WIDTHS, Renderer  # noqa: E402

DEMO = REPO / "benchmark" / "data" / "demo"


def demo_pages() -> list[tuple[str, str]]:
    pages = []
    for path in sorted(DEMO.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            if rec["task_id"].startswith("vd_") and (html := extract_html(rec["text"])):
                pages.append((f"{path.stem}/{rec['task_id']}/{rec['sample']}", html))
    return pages


def tree_pss(pgid: int) -> int:
    """Summed proportional set size (bytes; shared pages split between the processes sharing
    them, so not counted twice as summed RSS would) of process group `pgid`: chromium and its
    children."""
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            if int(stat[2]) != pgid:
                continue
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
        except (OSError, IndexError, ValueError):
            continue
    return total


class Sampler(threading.Thread):
    def __init__(self, pgid: int):
        super().__init__(daemon=True)
        self.pgid, self.peak, self.stop = pgid, 0, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, tree_pss(self.pgid))
            time.sleep(0.05)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=2, help="tabs in the pool (and threads)")
    ap.add_argument("--repeat", type=int, default=1, help="render every page this many times")
    ap.add_argument("--limit", type=int, default=0, help="only the first N pages (0: all)")
    args = ap.parse_args()
    pages = demo_pages()[: args.limit or None] * args.repeat
    out = Path(tempfile.mkdtemp(prefix="bench-render-"))
    start = time.monotonic()
    with Renderer(pages=args.pages) as renderer:
        startup = time.monotonic() - start
        sampler = Sampler(renderer.browser.pid)
        sampler.start()
        t0 = time.monotonic()
        with ThreadPoolExecutor(args.pages) as pool:
            results = list(
                pool.map(lambda ip: renderer.render(ip[1][1], out / str(ip[0])), enumerate(pages))
            )
        wall = time.monotonic() - t0
        sampler.stop.set()
        sampler.join()
    per_width = {
        w: [r.at(w).seconds for r in results if r.at(w) and not r.at(w).error] for w in WIDTHS
    }  # type: ignore[union-attr]
    errors = [e for r in results for w in r.widths if (e := w.error)]
    print(
        f"{len(results)} artefacts ({len({p[0] for p in pages})} distinct demo pages), "
        f"{args.pages} tab(s); chromium start {startup:.2f} s; {len(errors)} width error(s)"
    )
    print("width  median s  mean s  p95 s  max s")
    for w, xs in per_width.items():
        xs = sorted(xs)
        p95 = xs[min(len(xs) - 1, int(0.95 * len(xs)))]
        print(
            f"{w:5d}  {statistics.median(xs):8.3f}  {statistics.mean(xs):6.3f}  {p95:5.3f}  {xs[-1]:5.3f}"
        )
    per_art = [r.seconds for r in results]
    print(
        f"per artefact (3 widths): median {statistics.median(per_art):.3f} s, "
        f"mean {statistics.mean(per_art):.3f} s; throughput {len(results) / wall:.2f} artefacts/s "
        f"({wall / len(results) / len(WIDTHS):.3f} s per artefact-width of wall time)"
    )
    print(
        f"peak memory: chromium processes {sampler.peak / 2**20:.0f} MiB; "
        f"this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )
    for e in errors[:5]:
        print("error:", e)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
