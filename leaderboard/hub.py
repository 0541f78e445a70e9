"""The Hugging Face Hub side of the board: submit a verified run bundle as a pull request,
list and download submissions (`hf://datasets/ORG/NAME[@REVISION]`), fetch a built board, and
publish the suite as a dataset.

HF_ENDPOINT and HF_TOKEN are read when a call is made (not when huggingface_hub is imported),
so a test or a private Hub mirror can be chosen at run time."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmark.errors import UsageError
from benchmark.records.rundir import JUDGMENTS, MANIFEST, RESPONSES, SCORES
from benchmark.suite import Suite

from .verify import MIN_COVERAGE, BundleRejected, VerifiedBundle, load_suites, verify_bundle

HF_DATASETS = "hf://datasets/"
SUBMISSIONS = "submissions"
BOARD_DIRS = ("", "board/")  # where a published board's leaderboard.parquet may sit
_REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class HubSource:
    repo_id: str
    revision: str | None

    def __str__(self) -> str:
        return HF_DATASETS + self.repo_id + (f"@{self.revision}" if self.revision else "")


def check_repo_id(repo: str, flag: str = "--repo") -> str:
    if not _REPO_ID.match(repo):
        raise UsageError(f"{flag}: expected ORG/NAME, got {repo!r}")
    return repo


def parse_hf_source(source: str) -> HubSource | None:
    """`hf://datasets/ORG/NAME[@REVISION]` -> HubSource; None for anything not hf://."""
    if not source.startswith("hf://"):
        return None
    if not source.startswith(HF_DATASETS):
        raise UsageError(f"{source}: only Hub dataset repos are supported (hf://datasets/ORG/NAME)")
    rest = source[len(HF_DATASETS) :].rstrip("/")
    repo, _, revision = rest.partition("@")
    return HubSource(check_repo_id(repo, source), revision or None)


def endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")


def hub_api() -> Any:
    from huggingface_hub import HfApi  # imported on use: the CLI starts without it

    return HfApi(endpoint=endpoint(), token=os.environ.get("HF_TOKEN") or None)


def _hub_errors(what: str, repo: str, err: Exception) -> UsageError:
    """One line for the user from whatever huggingface_hub raised."""
    from huggingface_hub.errors import (
        HfHubHTTPError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    if isinstance(err, RepositoryNotFoundError):
        return UsageError(f"--repo {repo}: dataset repo not found on {endpoint()} (or no access)")
    if isinstance(err, RevisionNotFoundError):
        return UsageError(f"{repo}: revision not found on {endpoint()}")
    if isinstance(err, HfHubHTTPError):
        status = err.response.status_code if err.response is not None else "?"
        first = str(err).splitlines()[0]
        return UsageError(f"{what} {repo}: Hub answered HTTP {status} ({first})")
    return UsageError(f"{what} {repo}: could not reach the Hub at {endpoint()} ({err})")


_TRANSPORT_MODULES = ("httpx", "httpx2", "httpcore", "requests", "urllib3")


def _call(what: str, repo: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a huggingface_hub call; HTTP and connection failures become one-line UsageErrors."""
    try:
        return fn(*args, **kwargs)
    except Exception as err:
        # HfHubHTTPError is an OSError; the transport's own errors are matched by module so
        # this keeps working whichever HTTP client huggingface_hub is built on.
        if isinstance(err, OSError) or type(err).__module__.split(".")[0] in _TRANSPORT_MODULES:
            raise _hub_errors(what, repo, err) from None
        raise


# --------------------------------------------------------------------------- submit


def model_slug(model: str) -> str:
    """A model spec as one path segment: `anthropic/claude-x` -> `anthropic--claude-x`."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", model.replace("/", "--")).strip("-") or "model"


def submission_dir(bundle: VerifiedBundle) -> str:
    m = bundle.manifest
    return f"{SUBMISSIONS}/{model_slug(m.model)}/{model_slug(m.run_id)}"


def submit_bundle(
    run_dir: str | Path,
    repo: str,
    *,
    suites: Mapping[str, Suite] | None = None,
    min_coverage: float = MIN_COVERAGE,
) -> dict[str, Any]:
    """Verify a run dir, then open a pull request adding its bundle under
    submissions/<model>/<run_id>/. A bundle that fails verification is refused before upload."""
    from huggingface_hub import CommitOperationAdd

    check_repo_id(repo)
    run_dir = Path(run_dir)
    if not (run_dir / MANIFEST).is_file():
        raise UsageError(f"{run_dir}: not a run directory (no {MANIFEST})")
    try:
        bundle = verify_bundle(run_dir, suites or load_suites(), min_coverage=min_coverage)
    except BundleRejected as err:
        raise UsageError(
            f"{run_dir}: refused, the bundle fails verification: {err.reason}"
        ) from None
    prefix = submission_dir(bundle)
    ops = [
        CommitOperationAdd(path_in_repo=f"{prefix}/{name}", path_or_fileobj=str(run_dir / name))
        for name in (MANIFEST, RESPONSES, JUDGMENTS, SCORES)
    ]
    s, m = bundle.scores, bundle.manifest
    description = (
        f"musebench submission: `{m.model}`, run `{m.run_id}`, suite {m.suite_version} "
        f"(`{m.suite_hash[:12]}`), judge `{m.judge}`.\n\n"
        f"Verified before upload: overall {s.overall.score} [{s.overall.ci_low}, "
        f"{s.overall.ci_high}], coverage {s.coverage.judged}/{s.coverage.expected}. "
        "The board recomputes every number from the judgments."
    )
    api = hub_api()
    info = _call(
        "submit to",
        repo,
        api.create_commit,
        repo_id=repo,
        repo_type="dataset",
        operations=ops,
        commit_message=f"Submit {m.model} run {m.run_id}",
        commit_description=description,
        create_pr=True,
    )
    pr_num = int(str(info.pr_url).rstrip("/").rsplit("/", 1)[-1]) if info.pr_url else None
    return {
        "repo": repo,
        "path": prefix,
        "pr_url": info.pr_url,
        "pr_num": pr_num,
        "commit": info.oid,
        "model": m.model,
        "run_id": m.run_id,
        "overall": s.overall.model_dump(),
    }


# --------------------------------------------------------------------------- read


def list_submissions(repo: str, revision: str | None = None) -> list[str]:
    """Folders under submissions/ holding a manifest.json, at `revision` (default main)."""
    check_repo_id(repo)
    files = _call(
        "list", repo, hub_api().list_repo_files, repo, repo_type="dataset", revision=revision
    )
    return sorted(
        f.rsplit("/", 1)[0]
        for f in files
        if f.startswith(SUBMISSIONS + "/") and f.endswith("/" + MANIFEST)
    )


def open_submission_prs(repo: str) -> list[dict[str, Any]]:
    """Open pull requests (candidate submissions): num, title, author, git ref."""
    check_repo_id(repo)
    api = hub_api()
    prs = _call(
        "list pull requests of",
        repo,
        lambda: list(
            api.get_repo_discussions(
                repo, repo_type="dataset", discussion_type="pull_request", discussion_status="open"
            )
        ),
    )
    return [
        {"num": d.num, "title": d.title, "author": d.author, "ref": d.git_reference} for d in prs
    ]


def download_submissions(source: HubSource, dest: str | Path) -> Path:
    """Download submissions/** of a Hub dataset repo into `dest`; returns the local root."""
    return _snapshot(source, dest, [f"{SUBMISSIONS}/**"])


def _snapshot(source: HubSource, dest: str | Path, patterns: list[str]) -> Path:
    """Download the files of `source` matching `patterns` into `dest`."""
    from huggingface_hub import snapshot_download

    return Path(
        _call(
            "download from",
            source.repo_id,
            snapshot_download,
            source.repo_id,
            repo_type="dataset",
            revision=source.revision,
            allow_patterns=patterns,
            local_dir=str(dest),
            endpoint=endpoint(),
            token=os.environ.get("HF_TOKEN") or None,
        )
    )


def download_board(source: HubSource, dest: str | Path) -> Path | None:
    """A built board published in a Hub dataset repo (leaderboard.parquet at the root or under
    board/): its local folder, or None when the repo holds no board."""
    files = _call(
        "list",
        source.repo_id,
        hub_api().list_repo_files,
        source.repo_id,
        repo_type="dataset",
        revision=source.revision,
    )
    for prefix in BOARD_DIRS:
        if f"{prefix}leaderboard.parquet" in files:
            root = _snapshot(source, dest, [f"{prefix}*", f"{prefix}details/**"])
            return root / prefix if prefix else root
    return None


def publish_board(board: str | Path, repo: str) -> dict[str, Any]:
    """Commit a built board (leaderboard.parquet, board.json, rejected.json, tasks.parquet,
    details/) under board/ of a Hub dataset repo, replacing the previous one; the Space reads
    it with `--data hf://datasets/ORG/NAME`."""
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    from .files import BOARD_FILE, META_FILE

    check_repo_id(repo)
    board = Path(board)
    if not (board / BOARD_FILE).is_file() or not (board / META_FILE).is_file():
        raise UsageError(f"{board}: not a built board (no {BOARD_FILE} / {META_FILE})")
    api = hub_api()
    existing = _call("list", repo, api.list_repo_files, repo, repo_type="dataset")
    ops: list[Any] = []
    if any(f.startswith("board/") for f in existing):
        ops.append(CommitOperationDelete(path_in_repo="board/", is_folder=True))
    files = sorted(p for p in board.rglob("*") if p.is_file())
    ops += [
        CommitOperationAdd(
            path_in_repo=f"board/{p.relative_to(board).as_posix()}", path_or_fileobj=str(p)
        )
        for p in files
    ]
    info = _commit(api, repo, ops, "Publish the leaderboard")
    return {"repo": repo, "path": "board/", "files": len(files), "commit": info.oid}


def _commit(api: Any, repo: str, ops: list[Any], message: str) -> Any:
    """One commit of `ops` to the dataset repo (a Hub failure is one line naming --repo)."""
    return _call(
        "publish to",
        repo,
        api.create_commit,
        repo_id=repo,
        repo_type="dataset",
        operations=ops,
        commit_message=message,
    )


# --------------------------------------------------------------------------- publish suite


def publish_suite(
    repo: str,
    *,
    suite: Suite | None = None,
    private: bool = False,
    license_id: str = "apache-2.0",
) -> dict[str, Any]:
    """Create (if needed) the dataset repo and commit the suite's tasks, items and dimensions
    with a dataset card, loadable with `datasets.load_dataset(repo, config)`."""
    from huggingface_hub import CommitOperationAdd

    from .suite_dataset import suite_files

    check_repo_id(repo)
    published = suite_files(suite, repo=repo, license_id=license_id)
    api = hub_api()
    _call(
        "create", repo, api.create_repo, repo, repo_type="dataset", private=private, exist_ok=True
    )
    ops = [
        CommitOperationAdd(path_in_repo=p, path_or_fileobj=data)
        for p, data in published.files.items()
    ]
    version = published.version
    info = _commit(api, repo, ops, f"Publish musebench suite {version}")
    return {
        "repo": repo,
        "version": version,
        "suite_hash": published.suite_hash,
        "files": sorted(published.files),
        "commit": info.oid,
    }
