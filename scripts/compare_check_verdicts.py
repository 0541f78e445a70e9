"""Every programmatic verdict on a fixed set of responses, written to a file or compared with
one: the proof that a speed-up of the checks (benchmark/checks*.py, contrast.py, css.py,
html_extract.py) changed no verdict, evidence or rationale.

The responses: every bundled demo response (benchmark/data/demo, what `musebench demo` checks;
all samples, a superset of the demo runs) and, when --bundles is given, every response of every
k-th bundle under that folder (e.g. the synthetic bundles of scripts/bench_leaderboard.py).

    python scripts/compare_check_verdicts.py --out before.json [--bundles DIR --every 10]
    python scripts/compare_check_verdicts.py --against before.json [--bundles DIR --every 10]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a plain script from a source checkout
    sys.path.insert(0, str(REPO))

from benchmark.engine.demo import demo_models  # noqa: E402
from benchmark.engine.judging import check_judgments  # noqa: E402
from benchmark.records.schemas import ResolvedTask, ResponseRecord  # noqa: E402
from benchmark.suite import load_suite  # noqa: E402


def _responses(bundles: Path | None, every: int) -> Iterator[tuple[str, ResponseRecord]]:
    for m in demo_models():
        for r in m.records:
            yield f"demo/{m.name}", r
    if bundles is None:
        return
    for path in sorted(p for p in bundles.iterdir() if p.is_dir())[::every]:
        for line in (path / "responses.jsonl").open(encoding="utf-8"):
            yield path.name, ResponseRecord.model_validate_json(line)


def verdicts(bundles: Path | None, every: int) -> dict[str, list[object]]:
    tasks: dict[str, ResolvedTask] = {t.id: t for t in load_suite().tasks}
    out: dict[str, list[object]] = {}
    for source, r in _responses(bundles, every):
        for j in check_judgments(tasks[r.task_id], r):
            key = f"{source}/{r.task_id}/{r.sample}/{j.item_id}"
            out[key] = [j.verdict, j.not_applicable, j.evidence, j.rationale, j.error]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--bundles", type=Path, help="a folder of bundles (one per subfolder)")
    ap.add_argument("--every", type=int, default=10, help="check every k-th bundle")
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--out", type=Path, help="write the verdicts here")
    group.add_argument("--against", type=Path, help="compare with verdicts written before")
    args = ap.parse_args()
    now = verdicts(args.bundles, args.every)
    if args.out:
        args.out.write_text(json.dumps(now, sort_keys=True) + "\n", encoding="utf-8")
        print(f"{len(now)} programmatic verdicts written to {args.out}")
        return 0
    before = json.loads(args.against.read_text(encoding="utf-8"))
    differ = sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
    for k in differ[:20]:
        print(f"{k}: before {before.get(k)!r}, now {now.get(k)!r}")
    print(f"{len(now)} verdicts compared with {len(before)}: {len(differ)} differ")
    return 1 if differ or not now else 0


if __name__ == "__main__":
    sys.exit(main())
