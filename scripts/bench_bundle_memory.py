"""Peak memory and time of verifying one very large bundle (issue 15, Build 6): a synthetic,
honest bundle of the mini suite whose responses.jsonl is about `--mb` MB (default 800), written
to a temporary folder (never committed; deleted at the end unless --keep), then verified in a
fresh process twice:

- with the board's packaged rules: rejected `too_large` before anything is parsed;
- with max_file_mib raised to admit it: read line by line (above stream_above_mib), every check
  and re-derivation run, and accepted.

Each case reports wall time, CPU time and the process's peak resident memory (getrusage
ru_maxrss), beside the peak of a process that only imports the modules. Documented figures:
docs/LEADERBOARD.md "Limits".

    python scripts/bench_bundle_memory.py                  # about 800 MB
    python scripts/bench_bundle_memory.py --mb 50 --keep   # a smaller one, kept
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a plain script from a source checkout
    sys.path.insert(0, str(REPO))

from benchmark.records.schemas import ResolvedTask  # noqa: E402
from benchmark.suite import load_suite  # noqa: E402
from leaderboard.synthetic import random_verdicts, write_bundle  # noqa: E402

MINI = REPO / "tests" / "data" / "mini_suite"
MB = 1_000_000
SENTENCE = "Wave {s}.{k} broke on the rocks below the lamp, and the keeper counted it again. "

# Run in a fresh process, so that its peak memory is this verification's alone.
CHILD = """
import json, resource, sys, time
sys.path.insert(0, {repo!r})
from leaderboard.rules import packaged_rules
from leaderboard.verify import BundleRejected, load_suites, verify_bundle
suites = load_suites([{mini!r}])
rules = packaged_rules()
if {raise_mib!r}:
    rules = rules.model_copy(update={{"max_file_mib": {{**rules.max_file_mib,
                                       "responses.jsonl": {raise_mib!r}}}}})
wall, cpu = time.perf_counter(), time.process_time()
outcome = "imports only"
if {verify!r}:
    try:
        v = verify_bundle({bundle!r}, suites, rules=rules)
        outcome = f"accepted: {{len(v.judgments)}} judgments, overall {{v.scores.overall.score:.2f}}"
    except BundleRejected as err:
        outcome = f"rejected {{err.code}}: {{err.reason}}"
print(json.dumps({{
    "outcome": outcome,
    "wall_s": round(time.perf_counter() - wall, 2),
    "cpu_s": round(time.process_time() - cpu, 2),
    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / {mb}, 1),
}}))
"""


def text_of(size: int):  # type: ignore[no-untyped-def]
    def text(task: ResolvedTask, sample: int) -> str:
        n = math.ceil(size / len(SENTENCE.format(s=sample, k=0)))
        return "".join(SENTENCE.format(s=sample, k=k) for k in range(n))[:size].rstrip() + "."

    return text


def make_bundle(root: Path, mb: float, text_kb: int) -> Path:
    """A bundle whose responses.jsonl is about `mb` MB: 3 tasks x N samples, each line a text
    of `text_kb` kB and its transcript (the text again, and the prompt)."""
    suite = load_suite(MINI)
    size = text_kb * 1000
    samples = math.ceil(mb * MB / (len(suite.tasks) * (2 * size + 600)))
    return write_bundle(
        root / "big",
        suite,
        model="replay/synthetic-big",
        verdict=random_verdicts(0.6, seed=7),
        samples=samples,
        run_id="big",
        text=text_of(size),
        seed=0,
    )


def measure(bundle: Path, *, verify: bool, raise_mib: float | None) -> dict[str, object]:
    code = CHILD.format(
        repo=str(REPO),
        mini=str(MINI),
        bundle=str(bundle),
        verify=verify,
        raise_mib=raise_mib,
        mb=MB,
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--mb", type=float, default=800, help="size of responses.jsonl, MB")
    ap.add_argument("--text-kb", type=int, default=32, help="length of each response text, kB")
    ap.add_argument("--keep", action="store_true", help="keep the bundle (and print its path)")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="musebench-big-bundle-"))
    try:
        started = time.perf_counter()
        bundle = make_bundle(tmp, args.mb, args.text_kb)
        sizes = {p.name: p.stat().st_size for p in sorted(bundle.iterdir())}
        print(f"wrote {bundle} in {time.perf_counter() - started:.0f} s: {sizes}", flush=True)
        raised = math.ceil(sizes["responses.jsonl"] / (1 << 20)) + 1
        figures = {
            "responses_jsonl_mb": round(sizes["responses.jsonl"] / MB, 1),
            "judgments_jsonl_mb": round(sizes["judgments.jsonl"] / MB, 1),
            "imports_only": measure(bundle, verify=False, raise_mib=None),
            "packaged_limits": measure(bundle, verify=True, raise_mib=None),
            f"responses_limit_{raised}_mib": measure(bundle, verify=True, raise_mib=raised),
        }
        print(json.dumps(figures, indent=2))
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
