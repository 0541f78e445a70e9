"""Export to the ratings long format (CSV, JSONL, Parquet), and publishing it as a Hub dataset
against the loopback fake Hub (tests/fakes_hub) through the real huggingface_hub client."""

from __future__ import annotations

import io
import json
import socket
from pathlib import Path

import pandas as pd
import pytest
import yaml

from annotation_app import assignments as q
from annotation_app import auth
from annotation_app.export import export_ratings, human_ratings, judge_ratings, with_dimensions
from annotation_app.hub_push import PushError, push_ratings
from annotation_app.importer import import_run
from annotation_app.metrics import read_ratings
from annotation_app.store import Store
from benchmark.errors import UsageError
from tests.annotation_support import JUDGE, make_run, new_store, suite, unit_of
from tests.annotation_support import cheap_token_hashing as cheap_token_hashing
from tests.fakes_hub.server import serve

pytestmark = pytest.mark.usefixtures("cheap_token_hashing")

COLUMNS = ["unit_id", "criterion", "rater_id", "value", "rater_type", "system", "comment", "flags"]


@pytest.fixture(scope="module")
def rated(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """Two annotators rate every response of one task; one 'unsure' per submission. Built once:
    the tests only read it."""
    tmp_path = tmp_path_factory.mktemp("rated")
    store = new_store(tmp_path)
    import_run(store, make_run(tmp_path / "run", n_tasks=1, samples=2), overlap=2)
    for name in ("alice", "bob"):
        auth.add_user(store, name, "annotator")
    for user in auth.list_users(store):
        while (view := q.claim_next(store, user.id)) is not None:
            verdicts = {
                it.item_id: ("unsure" if k == 0 else ("met" if (k + user.id) % 2 else "not_met"))
                for k, it in enumerate(sorted(view.items, key=lambda i: i.item_id))
            }
            q.submit(store, view.assignment_id, user.id, verdicts)
    return store


def test_human_ratings_frame(rated: Store) -> None:
    df, unsure = human_ratings(rated)
    task = suite().tasks[0]
    n_items = len(task.items)
    assert list(df.columns) == COLUMNS
    assert unsure == 4  # 2 annotators x 2 responses x 1
    assert len(df) == 4 * (n_items - 1)
    assert set(df["value"]) == {0, 1} and set(df["rater_type"]) == {"human"}
    assert set(df["system"]) == {"openai/test-model"}
    assert set(df["unit_id"]) == {f"{task.id}/{s}/openai/test-model" for s in (0, 1)}
    assert set(df["rater_id"]) == {"alice", "bob"}
    anon, _ = human_ratings(rated, anonymize=True)
    assert set(anon["rater_id"]) == {"rater_001", "rater_002"}
    dims = with_dimensions(rated, df)
    expected = {it.id: it.dimension for it in task.items}
    assert (dims["dimension"] == dims["criterion"].map(expected)).all()


def test_judge_ratings_frame(rated: Store) -> None:
    judge = judge_ratings(rated)
    llm_items = [it for it in suite().tasks[0].items if it.check is None]
    assert list(judge.columns) == COLUMNS
    assert len(judge) == 2 * len(llm_items)
    assert set(judge["rater_id"]) == {JUDGE} and set(judge["rater_type"]) == {"judge"}


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_export_round_trips(rated: Store, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"ratings{suffix}"
    report = export_ratings(rated, out)
    back = read_ratings(out)
    expected, _ = human_ratings(rated)
    assert report.rows == len(expected) == len(back)
    assert report.raters == 2 and report.unsure_left_out == 4
    key = ["unit_id", "criterion", "rater_id"]
    merged = back.merge(expected, on=key, suffixes=("_file", "_store"))
    assert len(merged) == len(expected)
    assert (merged["value_file"].astype(float) == merged["value_store"].astype(float)).all()
    assert (merged["system_file"] == merged["system_store"]).all()


def test_bad_exports_write_nothing(rated: Store, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"unsupported extension '\.xlsx'"):
        export_ratings(rated, tmp_path / "ratings.xlsx")
    with pytest.raises(UsageError, match="does not exist"):
        export_ratings(rated, tmp_path / "nope" / "ratings.csv")
    empty = new_store(tmp_path, "empty.sqlite")
    existing = tmp_path / "keep.csv"
    existing.write_text("precious\n")
    with pytest.raises(UsageError, match="no ratings to export"):
        export_ratings(empty, existing)
    assert existing.read_text() == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_push_to_the_fake_hub(
    rated: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "ratings.csv"
    export_ratings(rated, out, anonymize=True)
    with serve(token="hf_test") as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        monkeypatch.setenv("HF_TOKEN", "hf_test")
        url = push_ratings(rated, out, "musebench-test/ratings")
        assert url.startswith(f"{hub.url}/datasets/musebench-test/ratings/commit/")
        files = hub.repos["musebench-test/ratings"]
        assert hub.repo_types["musebench-test/ratings"] == "dataset"
        assert set(files) == {"README.md", "data/ratings.parquet"}
        pushed = pd.read_parquet(io.BytesIO(files["data/ratings.parquet"]))
        assert len(pushed) == len(read_ratings(out))
        assert set(pushed["rater_id"]) == {"rater_001", "rater_002"}
        card = files["README.md"].decode()
        meta = yaml.safe_load(card.split("---\n")[1])
        assert meta["configs"][0]["data_files"][0]["path"] == "data/ratings.parquet"
        assert "musebench" in meta["tags"]
        assert f"| ratings | {len(pushed)} |" in card and "| annotators | 2 |" in card
        assert "pseudonymised" in card and "run-run" in card
        # A second push to the same dataset is a new commit, not an error.
        push_ratings(rated, out, "musebench-test/ratings")
        assert len(hub.commits) == 2


def test_push_refused_by_the_hub_keeps_the_export(
    rated: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "ratings.jsonl"
    export_ratings(rated, out)
    with serve(token="hf_right") as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        monkeypatch.setenv("HF_TOKEN", "hf_wrong")
        with pytest.raises(PushError, match="the Hub refused") as info:
            push_ratings(rated, out, "org/name")
        assert str(out) in str(info.value) and "\n" not in str(info.value)
        assert hub.repos == {}
    assert out.exists()


def test_push_to_an_unreachable_hub(
    rated: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "ratings.csv"
    export_ratings(rated, out)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again below: nothing listens there
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("HF_TOKEN", "hf_x")
    with pytest.raises(PushError, match="cannot reach the Hub"):
        push_ratings(rated, out, "org/name")


@pytest.mark.parametrize("name", ["noslash", "a/b/c", "org/na me", "/name", "org/../x"])
def test_bad_repo_names(
    rated: Store, tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_x")
    with pytest.raises(UsageError, match="not a Hub dataset name"):
        push_ratings(rated, tmp_path / "x.csv", name)


def test_card_yaml_is_valid_for_many_names(rated: Store) -> None:
    from annotation_app.hub_push import dataset_card

    df, unsure = human_ratings(rated)
    card = dataset_card(rated, df, "org/my.ratings-v2", unsure=unsure, anonymized=False)
    meta = yaml.safe_load(card.split("---\n")[1])
    assert meta["pretty_name"] == "musebench human ratings (my.ratings-v2)"
    assert meta["size_categories"] == ["n<1K"]
    assert "pseudonymised" not in card


def test_export_with_judges_is_one_file_for_calibrate(
    rated: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from benchmark.cli import main

    out = tmp_path / "all.parquet"
    report = export_ratings(rated, out, judges=True)
    back = read_ratings(out)
    humans, _ = human_ratings(rated)
    assert report.judge_rows == len(judge_ratings(rated)) > 0
    assert len(back) == len(humans) + report.judge_rows and report.raters == 2
    assert (
        main(
            ["calibrate", "--human", str(out), "--judge", str(out), "--level", "nominal", "--json"]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert list(doc["judges"]) == [JUDGE]
    items = suite().tasks[0].items
    always_unsure = min(it.id for it in items)  # the fixture's "unsure" item has no human rows
    llm_items = {it.id for it in items if it.check is None} - {always_unsure}
    assert set(doc["judges"][JUDGE]["criteria"]) == llm_items


def test_comments_and_flags_reach_the_export(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    import_run(store, make_run(tmp_path / "run", n_tasks=1, samples=2), overlap=2)
    for name in ("alice", "bob"):
        auth.add_user(store, name, "annotator")
    alice, bob = auth.list_users(store)
    flagged = q.claim_next(store, bob.id)
    assert flagged is not None
    q.flag(store, flagged.assignment_id, bob.id, "the page is blank")
    commented: set[tuple[str, str]] = set()
    while (view := q.claim_next(store, alice.id)) is not None:  # alice rates both responses
        item = view.items[0].item_id
        q.sync(
            store, view.assignment_id, alice.id, {item: {"verdict": "met", "comment": " vague "}}
        )
        q.submit(store, view.assignment_id, alice.id, {i.item_id: "met" for i in view.items[1:]})
        commented.add((unit_of(store, view.assignment_id), item))
    df, _ = human_ratings(store)
    assert len(set(df["unit_id"])) == 2 and len(commented) == 2
    pairs = zip(df["unit_id"], df["criterion"], strict=True)
    assert df["comment"].tolist() == ["vague" if k in commented else "" for k in pairs]
    by_unit = df.groupby("unit_id")["flags"].agg(set).to_dict()
    assert sorted(map(sorted, by_unit.values())) == [[""], ["bob: the page is blank"]]
    back = pd.read_csv(export_ratings(store, tmp_path / "r.csv").path, keep_default_na=False)
    assert {"comment", "flags"} <= set(back.columns)
    assert "vague" in set(back["comment"]) and "bob: the page is blank" in set(back["flags"])
