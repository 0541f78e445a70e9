"""Benchmark the annotation queue's claim at scale: how long `claim_next` takes to choose and take
the next response for an annotator in a store of N open responses, and how long of that it holds
the write transaction (SQLite's lock on the whole store, which every other annotator's saves
wait for).

The store is SYNTHETIC: one small import of placeholder test texts, whose response rows are
then cloned N times across 7 made-up model runs (no model output anywhere). Documented figures:
docs/ANNOTATION.md.

    python scripts/bench_annotation_queue.py                  # 20,000 responses (one import's cap)
    python scripts/bench_annotation_queue.py --units 200000   # a full store
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a plain script from a source checkout
    sys.path.insert(0, str(REPO))

from sqlalchemy import insert, select  # noqa: E402

from annotation_app import assignments as q  # noqa: E402
from annotation_app import auth  # noqa: E402
from annotation_app.importer import import_run  # noqa: E402
from annotation_app.store import RunImport, Unit  # noqa: E402
from tests.annotation_support import make_run, new_store  # noqa: E402

MODELS = 7


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--units", type=int, default=20_000)
    ap.add_argument("--claims", type=int, default=20)
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="musebench-bench-queue-"))
    store = new_store(work)
    import_run(store, make_run(work / "run", n_tasks=20, samples=1), overlap=3)
    with store.write() as s:
        base = list(s.execute(select(Unit.task_pk, Unit.transcript)))
        template = s.scalars(select(RunImport)).one()
        imports = []
        for m in range(MODELS):  # one import per made-up model, as real stores have
            row = RunImport(
                run_id=f"synthetic-{m}",
                run_dir="(synthetic)",
                model=f"synthetic/model-{m}",
                suite_version=template.suite_version,
                suite_hash=template.suite_hash,
                overlap=3,
                seed=0,
                n_units=0,
                imported_at=time.time(),
            )
            s.add(row)
            s.flush()
            imports.append(row.id)
        rows = [
            {
                "unit_id": f"synthetic/{i}/synthetic/model-{i % MODELS}",
                "import_pk": imports[i % MODELS],
                "task_pk": base[i % len(base)][0],
                "sample": i,
                "system": f"synthetic/model-{i % MODELS}",
                "transcript": base[i % len(base)][1],
                "overlap": 3,
                "shuffle_key": 0.5,
                "active": True,
            }
            for i in range(args.units)
        ]
        s.execute(insert(Unit), rows)
    for name in ("a", "b"):
        auth.add_user(store, name, "annotator")
    users = [u.id for u in auth.list_users(store)]

    total, locked = [], []
    original_take = q._take

    def timed_take(*a: object, **k: object) -> object:
        t = time.perf_counter()
        try:
            return original_take(*a, **k)  # type: ignore[arg-type]
        finally:
            locked.append(time.perf_counter() - t)

    q._take = timed_take  # type: ignore[assignment]
    for k in range(args.claims):
        uid = users[k % 2]
        t = time.perf_counter()
        view = q.claim_next(store, uid)
        total.append(time.perf_counter() - t)
        assert view is not None
        q.submit(store, view.assignment_id, uid, {i.item_id: "met" for i in view.items})
    ms = [1000 * x for x in total]
    held = [1000 * x for x in locked]
    print(
        f"{args.units + 20:,} responses, {args.claims} claims: claim median {statistics.median(ms):.0f} ms "
        f"(max {max(ms):.0f}); write transaction median {statistics.median(held):.1f} ms "
        f"(max {max(held):.1f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
