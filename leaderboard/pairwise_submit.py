"""`musebench submit PAIRWISE_DIR --repo ORG/NAME`: verify a pairwise bundle exactly as the board
will (each run of its pairwise.json verified from its run dir, then the comparisons and ratings),
then open a pull request adding it under submissions/pairwise/<judge>/<digest>/. Its runs reach
the board as run bundles of their own (`musebench submit RUN_DIR`)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from benchmark.engine.pairwise.records import PairwiseManifest
from benchmark.engine.pairwise.store import COMPARISONS, MANIFEST
from benchmark.errors import UsageError
from benchmark.suite import Suite

from .errors import BundleRejected
from .hub import SUBMISSIONS, _call, check_repo_id, hub_api, model_slug
from .pairwise_verify import BIAS_CARD, PAIRWISE_FILES, run_facts, verify_pairwise
from .reading import read_model
from .verify import MIN_COVERAGE, load_suites, verify_bundle


def _verified(
    path: Path, suites: Mapping[str, Suite], min_coverage: float
) -> tuple[PairwiseManifest, Any]:
    def refuse(reason: str) -> UsageError:
        return UsageError(f"{path}: refused, the pairwise bundle fails verification: {reason}")

    try:
        manifest = read_model(path / MANIFEST, PairwiseManifest)
        facts = {}
        for ref in manifest.runs:
            try:
                b = verify_bundle(ref.path, suites, min_coverage=min_coverage)
            except BundleRejected as err:
                raise refuse(f"its run {ref.path} fails verification: {err.reason}") from None
            m = b.manifest
            facts[m.run_id] = run_facts(m.run_id, m.model, m.suite_version, b.responses)
        return manifest, verify_pairwise(path, facts)
    except BundleRejected as err:
        raise refuse(err.reason) from None
    except OSError as err:
        raise refuse(f"a run dir of {MANIFEST} cannot be read ({err})") from None


def submit_pairwise(
    path: str | Path,
    repo: str,
    *,
    suites: Mapping[str, Suite] | None = None,
    min_coverage: float = MIN_COVERAGE,
) -> dict[str, Any]:
    from huggingface_hub import CommitOperationAdd

    check_repo_id(repo)
    path = Path(path)
    manifest, verified = _verified(path, suites or load_suites(), min_coverage)
    digest = hashlib.sha256((path / COMPARISONS).read_bytes()).hexdigest()[:16]
    prefix = f"{SUBMISSIONS}/pairwise/{model_slug(manifest.judge)}/{digest}"
    names = [*PAIRWISE_FILES, *([BIAS_CARD] if (path / BIAS_CARD).is_file() else [])]
    ops = [
        CommitOperationAdd(path_in_repo=f"{prefix}/{n}", path_or_fileobj=str(path / n))
        for n in names
    ]
    runs = ", ".join(f"`{r.run_id}`" for r in manifest.runs)
    info = _call(
        "submit to",
        repo,
        hub_api().create_commit,
        repo_id=repo,
        repo_type="dataset",
        operations=ops,
        commit_message=f"Submit pairwise ratings by {manifest.judge}",
        commit_description=(
            f"musebench pairwise submission: judge `{manifest.judge}`, suite "
            f"{manifest.suite_version}, runs {runs} (each must be on the board as a run bundle). "
            f"Verified before upload: {verified.comparisons} comparison lines, ratings "
            "recomputed from them."
        ),
        create_pr=True,
    )
    return {"repo": repo, "path": prefix, "pr_url": info.pr_url, "commit": info.oid}
