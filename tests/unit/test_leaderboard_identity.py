"""Identity on the board (issue 15, Build 4 and 7): the first bundle keeps its run id, its
responses and its judge response ids; a later bundle reusing them is rejected with a one-line
reason, even under a new model name or path, and the first stays on the board."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from benchmark.cli import main
from benchmark.measure.scoring import run_seed, score_run
from benchmark.records.rundir import RunDir
from leaderboard.build import build_board
from leaderboard.files import BOARD_FILE, META_FILE, REJECTED_FILE
from leaderboard.identity import normalise
from leaderboard.rules import packaged_rules
from leaderboard.verify import verify_bundle
from tests.leaderboard_helpers import MINI, bundle, copy_bundle, mini_suite, mini_suites

Record = dict[str, Any]


def build(src: Path, out: Path, **kw: Any) -> tuple[list[str], dict[str, tuple[str, str]]]:
    """(models on the board, {bundle folder name: (code, reason)} of the rejected)."""
    build_board(src, out, suites=mini_suites(), cache=None, min_samples=1, **kw)
    models = pd.read_parquet(out / BOARD_FILE)["model"].tolist()
    rejected = json.loads((out / REJECTED_FILE).read_text())
    return sorted(models), {Path(r["source"]).name: (r["code"], r["reason"]) for r in rejected}


def renamed(
    src: Path,
    dst: Path,
    model: str,
    run_id: str,
    *,
    text: Callable[[str], str] | None = None,
    judgments: Callable[[list[Record]], None] | None = None,
) -> Path:
    """`src` resubmitted as another model and run: every record renamed (and texts changed by
    `text`, transcripts too), scores recomputed, so that it verifies on its own."""
    path = copy_bundle(src, dst)
    run = RunDir(path)
    m = run.read_manifest()
    spec = m.spec.model_copy(update={"model": m.spec.model.model_copy(update={"spec": model})})
    run.write_manifest(m.model_copy(update={"spec": spec, "run_id": run_id}))
    for name in ("responses.jsonl", "judgments.jsonl"):
        rows = [json.loads(x) for x in (path / name).read_text().splitlines()]
        for r in rows:
            r["model"] = model
            if text is not None and "transcript" in r:
                turns = [m for m in r["transcript"] if m["role"] == "assistant"]
                for m in turns:
                    m["content"] = text(m["content"])
                r["text"] = "\n\n".join(m["content"] for m in turns)
        if name == "judgments.jsonl" and judgments is not None:
            judgments(rows)
        (path / name).write_text("".join(json.dumps(r) + "\n" for r in rows))
    m = run.read_manifest()
    suite = mini_suite()
    run.write_scores(
        score_run(
            model,
            [suite.task(t) for t in m.task_ids],
            m.samples,
            run.judgments(),
            seed=run_seed(m.seed),
        )
    )
    verify_bundle(path, mini_suites())  # each passes verification alone
    return path


# --------------------------------------------------------------------------- run ids


def test_a_reused_run_id_does_not_displace_the_first_on_rebuild(tmp_path: Path) -> None:
    """The tester's bundle reusing an accepted run's id, at a path that sorts first, took the
    run's place when the board was rebuilt. The board remembers who was admitted first."""
    src, out = tmp_path / "src", tmp_path / "board"
    bundle(src, "honest", run_id="20260101T000000Z-honest")
    assert build(src, out) == (["anthropic/honest"], {})
    bundle(src, "aaa-squatter", run_id="20260101T000000Z-honest")  # sorts before "honest"
    models, rejected = build(src, out)
    assert models == ["anthropic/honest"]
    assert rejected == {
        "aaa-squatter": (
            "duplicate_run",
            f"duplicate run: run_id 20260101T000000Z-honest is already on the board from "
            f"{src / 'honest'}",
        )
    }
    # kept again on the next rebuild, and by a check build into another folder given --previous
    assert build(src, out)[0] == ["anthropic/honest"]
    assert build(src, tmp_path / "check", previous=out)[0] == ["anthropic/honest"]
    assert json.loads((out / META_FILE).read_text())["admitted"] == ["honest"]


def test_without_a_previous_board_the_first_in_path_order_keeps_it(tmp_path: Path) -> None:
    src = tmp_path / "src"
    bundle(src, "a", run_id="same")
    bundle(src, "b", run_id="same")
    models, rejected = build(src, tmp_path / "board")
    assert models == ["anthropic/a"] and rejected["b"][0] == "duplicate_run"


def test_cli_previous_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "src"
    bundle(src, "z-first", run_id="r1")
    args = ["leaderboard", "build", str(src), "--suite", str(MINI), "--min-samples", "1"]
    assert main([*args, "--out", str(tmp_path / "board"), "--no-cache"]) == 0
    capsys.readouterr()
    bundle(src, "a-later", run_id="r1")
    code = main(
        [*args, "--out", str(tmp_path / "check"), "--previous", str(tmp_path / "board"), "--json"]
    )
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert [Path(r["source"]).name for r in doc["rejected"]] == ["a-later"]


def test_cli_previous_must_be_a_board(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "src"
    bundle(src, "one")
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / META_FILE).write_text("not json")
    args = ["leaderboard", "build", str(src), "--out", str(tmp_path / "b")]
    assert main([*args, "--previous", str(tmp_path / "junk")]) == 2
    err = capsys.readouterr().err
    assert "--previous:" in err and "Traceback" not in err


# --------------------------------------------------------------------------- copies


@pytest.fixture
def honest(tmp_path: Path) -> Path:
    return bundle(tmp_path / "src", "honest", samples=4)


def test_a_copied_bundle_under_a_new_name_is_rejected(honest: Path, tmp_path: Path) -> None:
    src = honest.parent
    renamed(honest, src / "zz-copy", "openai/brand-new-model", "run-new")
    bundle(src, "other", samples=4)  # an honest neighbour, unaffected
    models, rejected = build(src, tmp_path / "board")
    assert models == ["anthropic/honest", "anthropic/other"]
    assert rejected == {
        "zz-copy": (
            "copy",
            "copy of another entry: 12 of 12 responses (100% > 10%) repeat responses already on "
            f"the board (after whitespace and case normalisation), 12 of them from {honest}",
        )
    }


def test_a_copy_with_whitespace_and_case_changed_is_rejected(honest: Path, tmp_path: Path) -> None:
    src = honest.parent
    renamed(honest, src / "zz-copy", "openai/x", "run-x", text=lambda t: "  " + t.upper() + "\n")
    assert build(src, tmp_path / "board")[1]["zz-copy"][0] == "copy"
    assert normalise(" The  Lamp\n") == normalise("the lamp") == "the lamp"


def test_the_copied_share_threshold(honest: Path, tmp_path: Path) -> None:
    """At most the documented share (10%) of a bundle's responses may repeat the board's: one
    of 12 shared passes, two do not."""
    assert packaged_rules().copy_share == 0.1
    src = honest.parent

    def keep(n: int) -> Callable[[str], str]:
        """The first n responses kept, the others rewritten (differently per bundle)."""
        seen: list[str] = []

        def text(t: str) -> str:
            seen.append(t)
            return t if len(seen) <= n else f"{t} (rewritten by bundle {n})"

        return text

    renamed(honest, src / "one", "openai/one", "run-one", text=keep(1))
    renamed(honest, src / "two", "openai/two", "run-two", text=keep(2))
    models, rejected = build(src, tmp_path / "board")
    assert "openai/one" in models
    assert rejected["two"][0] == "copy"
    assert rejected["two"][1].startswith("copy of another entry: 2 of 12 responses (17% > 10%)")


# --------------------------------------------------------------------------- response ids


def _ids(prefix: str) -> Callable[[list[Record]], None]:
    def change(rows: list[Record]) -> None:
        for j in rows:
            if j["judge"] != "check":
                j["response_id"] = f"{prefix}_{j['task_id']}_{j['sample']}_{j['dimension']}"

    return change


def test_judge_response_ids_unique_across_bundles(honest: Path, tmp_path: Path) -> None:
    src = honest.parent
    first = renamed(honest, src / "a", "openai/a", "run-a", judgments=_ids("msg"))
    # an honest bundle with its own ids passes beside it
    renamed(
        honest, src / "b", "openai/b", "run-b", text=lambda t: t + " (b)", judgments=_ids("other")
    )
    # judge answers lifted from bundle a onto new responses
    renamed(honest, src / "c", "openai/c", "run-c", text=lambda t: t + "!", judgments=_ids("msg"))
    honest.rename(tmp_path / "elsewhere")  # only a, b and c on this board
    models, rejected = build(src, tmp_path / "board")
    assert models == ["openai/a", "openai/b"]
    assert rejected == {
        "c": (
            "duplicate_response_id",
            "duplicate response id: 'msg_page_0_design' (and 11 more) is already on the board "
            f"from {first}",
        )
    }
