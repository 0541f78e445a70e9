"""Admin tables against hand-counted values: gold accuracy, disputed items, throughput, flags,
and an annotator's own ratings (refused for anyone else's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotation_app import assignments as q
from annotation_app import auth, reports
from annotation_app.errors import PermissionDenied
from annotation_app.importer import import_run
from annotation_app.store import GoldAnswer, Store
from tests.annotation_support import cheap_token_hashing as cheap_token_hashing
from tests.annotation_support import make_run, new_store, suite

pytestmark = pytest.mark.usefixtures("cheap_token_hashing")
T0 = 2_000_000.0


def _store(tmp_path: Path, users: tuple[str, ...]) -> tuple[Store, dict[str, int]]:
    store = new_store(tmp_path)
    import_run(store, make_run(tmp_path / "run", n_tasks=1, samples=1), overlap=len(users))
    for name in users:
        auth.add_user(store, name, "annotator")
    return store, {u.name: u.id for u in auth.list_users(store)}


def test_gold_accuracy_counts_agreement_with_known_answers(tmp_path: Path) -> None:
    store, ids = _store(tmp_path, ("alice", "bob"))
    with store.read() as s:
        gold = {g.item_id: g.verdict for g in s.query(GoldAnswer)}
    assert gold, "the first task needs a check item for this test"
    for name, flip in (("alice", False), ("bob", True)):
        view = q.claim_next(store, ids[name], now=T0)
        assert view is not None
        verdicts = {}
        for it in view.items:
            truth = gold.get(it.item_id, True)
            verdicts[it.item_id] = "met" if truth != flip else "not_met"
        q.submit(store, view.assignment_id, ids[name], verdicts, now=T0 + 100)
    table = reports.gold_accuracy(store).set_index("annotator")
    assert table.loc["alice", "gold_rated"] == len(gold) and table.loc["alice", "accuracy"] == 1.0
    assert table.loc["bob", "correct"] == 0 and table.loc["bob", "accuracy"] == 0.0


def test_disputed_items_and_throughput(tmp_path: Path) -> None:
    store, ids = _store(tmp_path, ("a", "b", "c"))
    items = None
    seconds = {"a": 100, "b": 200, "c": 1}  # c is too fast
    for name, verdict_of_first in (("a", "met"), ("b", "not_met"), ("c", "unsure")):
        view = q.claim_next(store, ids[name], now=T0)
        assert view is not None
        items = sorted(i.item_id for i in view.items)
        verdicts = {i: "met" for i in items}
        verdicts[items[0]] = verdict_of_first  # first item: met / not met / unsure
        if name != "a":
            verdicts[items[1]] = "not_met"  # second item: met / not met / not met
        q.submit(
            store,
            view.assignment_id,
            ids[name],
            verdicts,
            active_seconds=seconds[name],
            now=T0 + seconds[name],
        )
    assert items is not None
    table = reports.disputed(store).set_index("item")
    assert list(table.index[:2]) == [items[0], items[1]]  # most disputed first
    assert table.loc[items[0], "dispute"] == round(1 - 1 / 3, 3)
    assert table.loc[items[1], "dispute"] == round(1 - 2 / 3, 3)
    assert (table.loc[items[0], ["met", "not_met", "unsure"]] == [1, 1, 1]).all()
    assert set(table.index) == {items[0], items[1]}  # unanimous items are not disputed
    throughput = reports.throughput(store).set_index("annotator")
    assert list(throughput["done"]) == [1, 1, 1]
    assert (
        throughput.loc["a", "median_seconds"] == 100
        and throughput.loc["c", "fast_submissions"] == 1
    )
    assert throughput.loc["a", "fast_submissions"] == 0
    assert throughput.loc["b", "per_hour"] == pytest.approx(3600 / 200, abs=0.1)
    o = reports.overview(store)
    assert (o.units, o.units_complete, o.submissions, o.open_assignments) == (1, 1, 3, 0)


def test_flags_listed_with_reason(tmp_path: Path) -> None:
    store, ids = _store(tmp_path, ("a",))
    view = q.claim_next(store, ids["a"], now=T0)
    assert view is not None
    q.flag(store, view.assignment_id, ids["a"], "the reply is cut off", now=T0 + 5)
    flags = reports.flags(store)
    assert list(flags["reason"]) == ["the reply is cut off"] and list(flags["annotator"]) == ["a"]


def test_own_ratings_only_and_blind(tmp_path: Path) -> None:
    store, ids = _store(tmp_path, ("alice", "bob"))
    auth.add_user(store, "root", "admin")
    users = {u.name: u for u in auth.list_users(store)}
    view = q.claim_next(store, ids["alice"], now=T0)
    assert view is not None
    q.submit(
        store, view.assignment_id, ids["alice"], {i.item_id: "met" for i in view.items}, now=T0 + 60
    )
    mine = reports.user_ratings(store, users["alice"], "alice")
    assert len(mine) == len(view.items)
    assert list(mine["item"]) == list(range(1, len(view.items) + 1))  # in the order shown
    assert list(mine["rubric item"]) == [i.text for i in view.items]
    assert set(mine["task"]) == {suite().tasks[0].title}
    assert "test-model" not in mine.to_csv()
    with pytest.raises(PermissionDenied):
        reports.user_ratings(store, users["bob"], "alice")
    assert len(reports.user_ratings(store, users["root"], "alice")) == len(view.items)
