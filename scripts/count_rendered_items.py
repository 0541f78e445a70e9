"""How a suite's visual-design items are decided: by a check on the rendered page (by kind), by a
check on the source, or by the judge (from the source alone, or with screenshots). Each task's
use of an item counts once; points are the sum of |points|.

    python scripts/count_rendered_items.py [SUITE_DIR]            the counts
    python scripts/count_rendered_items.py --before main          and against the draft at a
                                                                  git revision, item by item

SUITE_DIR defaults to drafts/suite-2.0.0; --before REV reads the same directory at REV."""

from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from io import BytesIO
from pathlib import Path

from benchmark.checks.checks_rendered import RUNNERS as RENDERED
from benchmark.records.schemas import RubricItem
from benchmark.suite import load_suite

ROOT = Path(__file__).resolve().parents[1]
DRAFT = "drafts/suite-2.0.0"


def kind(it: RubricItem) -> str:
    if it.check is not None:
        where = "rendered" if it.check.type in RENDERED else "source"
        return f"{where} check: {it.check.type}"
    return "judge: source and screenshots" if it.sees_screenshots else "judge: source"


def decided(suite_dir: Path) -> dict[tuple[str, str], tuple[str, int]]:
    """(task, item) -> (how it is decided, points) for every visual-design item."""
    suite = load_suite(suite_dir)
    return {
        (t.id, it.id): (kind(it), it.points)
        for t in suite.tasks
        if t.category == "visual_design"
        for it in t.items
    }


def at_revision(rev: str, rel: str, into: Path) -> Path:
    """`rel` as it is at git revision `rev`, extracted under `into`."""
    tar = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", rev, rel],
        capture_output=True,
        check=False,
    )
    if tar.returncode != 0:
        sys.exit(f"--before: {rev}: {tar.stderr.decode().strip()}")
    with tarfile.open(fileobj=BytesIO(tar.stdout)) as t:
        t.extractall(into, filter="data")
    return into / rel


def table(items: dict[tuple[str, str], tuple[str, int]]) -> list[str]:
    count: Counter[str] = Counter()
    points: Counter[str] = Counter()
    for how, p in items.values():
        count[how] += 1
        points[how] += abs(p)
    rows = [f"| {how} | {count[how]} | {points[how]} |" for how in sorted(count)]
    total = f"| total | {sum(count.values())} | {sum(points.values())} |"
    return ["| decided by | items | points |", "| --- | --- | --- |", *rows, total]


def moved(
    before: dict[tuple[str, str], tuple[str, int]], after: dict[tuple[str, str], tuple[str, int]]
) -> list[str]:
    """Items decided differently now, grouped by where they went."""
    changes: dict[tuple[str, str], list[str]] = {}
    for key, (how, p) in sorted(after.items()):
        old = before.get(key)
        if old is not None and old[0] != how:
            changes.setdefault((old[0], how), []).append(f"{key[0]}.{key[1]} ({abs(p)})")
    lines = []
    for (old_how, how), names in sorted(changes.items()):
        pts = sum(int(n.rsplit("(", 1)[1].rstrip(")")) for n in names)
        lines.append(f"{old_how} -> {how}: {len(names)} items, {pts} points")
        lines += [f"    {n}" for n in names]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("suite", nargs="?", default=str(ROOT / DRAFT))
    ap.add_argument("--before", metavar="REV", help="compare with the draft at git revision REV")
    args = ap.parse_args()
    after = decided(Path(args.suite))
    if args.before is None:
        print("\n".join(table(after)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        before = decided(at_revision(args.before, DRAFT, Path(tmp)))
    print(f"Before ({args.before}):", *table(before), sep="\n")
    print("\nAfter:", *table(after), sep="\n")
    print("\nMoved:", *moved(before, after), sep="\n")


if __name__ == "__main__":
    main()
