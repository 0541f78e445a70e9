"""The real huggingface_hub client against the loopback FakeHub (HF_ENDPOINT): submit as a
pull request, list, download, build from hf://, publish the suite and load it with
`datasets.load_dataset`."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from benchmark.cli import main
from benchmark.errors import UsageError
from leaderboard.build import build_board
from leaderboard.files import BOARD_FILE, REJECTED_FILE
from leaderboard.hub import (
    hub_api,
    list_submissions,
    open_submission_prs,
    parse_hf_source,
    submit_bundle,
)
from tests.fakes.hub_fake import FakeHub
from tests.leaderboard_helpers import MINI, bundle, constant, edit_json, mini_suite, mini_suites

REPO = "musebench/submissions"


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeHub]:
    with FakeHub() as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.setenv("HF_TOKEN", "hf_test_token")
        monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
        monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
        monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        hub_api().create_repo(REPO, repo_type="dataset")
        yield server


def test_submit_opens_a_pull_request(hub: FakeHub, tmp_path: Path) -> None:
    run = bundle(tmp_path, "claude-x", model="anthropic/claude-x", run_id="r1")
    result = submit_bundle(run, REPO, suites=mini_suites())
    assert result["pr_num"] == 1
    assert result["pr_url"].endswith(f"/datasets/{REPO}/discussions/1")
    assert result["path"] == "submissions/anthropic--claude-x/r1"
    assert hub.seen("POST", f"/api/datasets/{REPO}/commit/main?create_pr=1") == 1
    # the bundle sits on the PR's ref; main is untouched until a maintainer merges
    pr_files = hub.files(REPO, "refs/pr/1")
    for name in ("manifest.json", "responses.jsonl", "judgments.jsonl", "scores.json"):
        assert pr_files[f"{result['path']}/{name}"] == (run / name).read_bytes()
    assert hub.files(REPO, "main") == {}
    assert list_submissions(REPO) == []
    assert list_submissions(REPO, "refs/pr/1") == [result["path"]]
    assert open_submission_prs(REPO) == [
        {
            "num": 1,
            "title": "Submit anthropic/claude-x run r1",
            "author": "fake-user",
            "ref": "refs/pr/1",
        }
    ]
    assert "Verified before upload" in hub.repo(REPO).prs[0].description


def test_a_bundle_failing_verification_is_refused_before_upload(
    hub: FakeHub, tmp_path: Path
) -> None:
    run = bundle(tmp_path, "liar")
    edit_json(run / "scores.json", lambda s: s["overall"].update(score=100.0))
    with pytest.raises(UsageError, match="refused, the bundle fails verification: stated score"):
        submit_bundle(run, REPO, suites=mini_suites())
    assert hub.seen("POST", "/preupload/") == 0 and hub.seen("POST", "/commit/") == 0
    assert hub.repo(REPO).prs == []


def test_merge_list_download_and_build_from_the_hub(hub: FakeHub, tmp_path: Path) -> None:
    good = submit_bundle(
        bundle(tmp_path, "good", verdict=constant(True)), REPO, suites=mini_suites()
    )
    other = submit_bundle(bundle(tmp_path, "other"), REPO, suites=mini_suites())
    # A maintainer merges both pull requests (the real client's merge call).
    for num in (good["pr_num"], other["pr_num"]):
        hub_api().merge_pull_request(REPO, num, repo_type="dataset")
    assert list_submissions(REPO) == sorted([good["path"], other["path"]])
    assert open_submission_prs(REPO) == []

    out = tmp_path / "board"
    result = build_board(f"hf://datasets/{REPO}", out, suites=mini_suites())
    assert len(result.accepted) == 2 and result.rejected == []
    board = pd.read_parquet(out / BOARD_FILE)
    assert sorted(board["overall"]) == pytest.approx([59.1667, 100.0], abs=1e-4)
    assert all(s.startswith(f"hf://datasets/{REPO}/submissions/") for s in board["source"])
    assert hub.seen("HEAD", "/resolve/") >= 8  # the four files of both bundles were fetched


def test_build_from_a_pull_request_rejects_a_tampered_bundle(hub: FakeHub, tmp_path: Path) -> None:
    """A PR can carry anything (it need not come from `musebench submit`): the board built
    from its ref verifies it like any other source."""
    from huggingface_hub import CommitOperationAdd

    run = bundle(tmp_path, "sneaky")
    edit_json(run / "scores.json", lambda s: s["overall"].update(score=100.0))
    ops = [
        CommitOperationAdd(f"submissions/sneaky/r/{p.name}", str(p)) for p in sorted(run.iterdir())
    ]
    hub_api().create_commit(
        REPO, ops, commit_message="by hand", repo_type="dataset", create_pr=True
    )
    out = tmp_path / "board"
    result = build_board(f"hf://datasets/{REPO}@refs/pr/1", out, suites=mini_suites())
    assert result.accepted == []
    rejected = json.loads((out / REJECTED_FILE).read_text())
    assert rejected[0]["source"] == f"hf://datasets/{REPO}@refs/pr/1/submissions/sneaky/r"
    assert rejected[0]["code"] == "score_mismatch"


def test_cli_submit_and_list_json(
    hub: FakeHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = bundle(tmp_path, "cli")
    assert main(["submit", str(run), "--repo", REPO, "--suite", str(MINI), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["pr_num"] == 1 and doc["model"] == "anthropic/cli"
    assert main(["leaderboard", "list", "--repo", REPO, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed == {
        "submissions": [],
        "open_pull_requests": [
            {
                "num": 1,
                "title": "Submit anthropic/cli run run-cli",
                "author": "fake-user",
                "ref": "refs/pr/1",
            }
        ],
    }


def test_submit_to_a_missing_repo_is_a_usage_error(
    hub: FakeHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = bundle(tmp_path, "lost")
    code = main(["submit", str(run), "--repo", "nobody/nothing", "--suite", str(MINI)])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("musebench: error: --repo nobody/nothing: dataset repo not found")
    assert "Traceback" not in err


def test_unreachable_hub_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    # (listing files would first retry with huggingface_hub's own backoff for ~20 s)
    with pytest.raises(UsageError, match="could not reach the Hub"):
        open_submission_prs(REPO)


def test_bad_sources_and_repo_ids() -> None:
    assert parse_hf_source("runs/") is None
    src = parse_hf_source("hf://datasets/org/name@refs/pr/3")
    assert src is not None and (src.repo_id, src.revision) == ("org/name", "refs/pr/3")
    with pytest.raises(UsageError, match="only Hub dataset repos"):
        parse_hf_source("hf://models/org/name")
    with pytest.raises(UsageError, match="expected ORG/NAME"):
        parse_hf_source("hf://datasets/just-a-name")


@pytest.mark.slow
def test_publish_suite_is_loadable_with_datasets(
    hub: FakeHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["publish-suite", "--repo", "musebench/suite", "--suite", str(MINI), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    suite = mini_suite()
    assert doc["version"] == suite.version and doc["suite_hash"] == suite.suite_hash
    card = hub.files("musebench/suite")["README.md"].decode()
    assert card.startswith("---\nlicense: apache-2.0\n")
    assert suite.info.canary and suite.info.canary in card
    assert "| `points` | int |" in card
    # The real datasets library, in a fresh process so it reads HF_ENDPOINT at import.
    code = (
        "import datasets, json\n"
        "t = datasets.load_dataset('musebench/suite', 'tasks', split='test')\n"
        "i = datasets.load_dataset('musebench/suite', 'items', split='test')\n"
        "d = datasets.load_dataset('musebench/suite', 'dimensions', split='test')\n"
        "print(json.dumps({'tasks': list(t['id']), 'turns': list(t['turns']),"
        " 'n_items': i.num_rows, 'checks': [c for c in i['check'] if c],"
        " 'dims': list(d['id']), 'canary': t[0]['canary']}))\n"
    )
    env = dict(os.environ, HF_DATASETS_CACHE=str(tmp_path / "ds-cache"))
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    loaded = json.loads(proc.stdout.strip().splitlines()[-1])
    assert loaded["tasks"] == [t.id for t in suite.tasks]
    assert loaded["turns"][1] == suite.task("talk").turns
    assert loaded["n_items"] == sum(len(t.items) for t in suite.tasks)
    assert json.loads(loaded["checks"][0]) == {"type": "word_count", "min": None, "max": 60}
    assert loaded["dims"] == sorted(suite.dimensions)
    assert loaded["canary"] == suite.info.canary


def test_published_board_is_what_the_app_reads(
    hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leaderboard.boarddata import load_board, resolve_source

    monkeypatch.setenv("MUSEBENCH_CACHE", str(tmp_path / "cache"))
    src = tmp_path / "src"
    bundle(src, "a", verdict=constant(True))
    build_board(src, tmp_path / "board", suites=mini_suites())
    assert main(["leaderboard", "publish", str(tmp_path / "board"), "--repo", REPO]) == 0
    files = hub.files(REPO)
    assert "board/leaderboard.parquet" in files and "board/board.json" in files
    local = resolve_source(f"hf://datasets/{REPO}")
    assert load_board(local).frame["model"].tolist() == ["anthropic/a"]
    # publishing another board replaces it: no stale details of runs no longer on it
    other = tmp_path / "other"
    bundle(other, "b")
    build_board(other, tmp_path / "board", suites=mini_suites())
    assert main(["leaderboard", "publish", str(tmp_path / "board"), "--repo", REPO]) == 0
    details = {p.split("/")[2] for p in hub.files(REPO) if p.startswith("board/details/")}
    assert details == {"run-b"}


def test_app_source_builds_from_submissions_when_no_board_is_published(
    hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """hf:// data without a published board: the submissions are verified and built locally
    (against the shipped suite, so this mini-suite bundle is rejected and listed)."""
    from leaderboard.boarddata import load_board, resolve_source

    monkeypatch.setenv("MUSEBENCH_CACHE", str(tmp_path / "cache"))
    pr = submit_bundle(bundle(tmp_path, "x"), REPO, suites=mini_suites())
    hub_api().merge_pull_request(REPO, pr["pr_num"], repo_type="dataset")
    data = load_board(resolve_source(f"hf://datasets/{REPO}"))
    assert data.frame.empty
    assert data.rejected[0]["code"] == "foreign_suite_hash"
