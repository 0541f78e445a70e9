"""The complexity gate: no function, method or class of the product packages graded worse than C
by radon's cyclomatic complexity, i.e. `radon cc -n D` prints nothing (a grade D block has a
complexity above 20).

    python scripts/check_complexity.py              # benchmark, leaderboard, annotation_app
    python scripts/check_complexity.py DIR [DIR ...]

Prints one line per block graded D or worse (`path:line name - grade (complexity)`) and exits 1;
prints nothing and exits 0 when there is none; exits 2 when radon is not installed (it is a dev
dependency: pip install '.[dev]')."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("benchmark", "leaderboard", "annotation_app")
# radon's `cc -s` block line: "    M 253:4 Runner._work - D (29)" under its file's path.
_BLOCK = re.compile(
    r"^\s+[FMC] (?P<line>\d+):\d+ (?P<name>\S+) - (?P<grade>[A-F]) \((?P<cc>\d+)\)$"
)


def offenders(dirs: list[str], cwd: Path = REPO) -> list[str]:
    """`path:line name - grade (complexity)` for each block `radon cc -n D` reports in `dirs`."""
    out = subprocess.run(
        [sys.executable, "-m", "radon", "cc", "-n", "D", "-s", *dirs],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found, path = [], ""
    for line in out.splitlines():
        block = _BLOCK.match(line)
        if block is None:
            path = line.strip()
            continue
        found.append(f"{path}:{block['line']} {block['name']} - {block['grade']} ({block['cc']})")
    return found


def main(argv: list[str]) -> int:
    if importlib.util.find_spec("radon") is None:
        print("check_complexity: radon is not installed (pip install '.[dev]')", file=sys.stderr)
        return 2
    found = offenders(argv or list(PACKAGES))
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
