"""The serving order is blind and balanced: every annotator gets an independent random order
(recorded as positions), models are interleaved, and two responses to the same task follow each
other only when nothing else is left. 3 models x 20 tasks x 2 annotators, as issue 10 asks."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from annotation_app import assignments as q
from annotation_app import auth
from annotation_app.importer import import_run
from annotation_app.store import ORDER_SEED_KEY, Assignment, Meta, Store, Unit
from tests.annotation_support import cheap_token_hashing as cheap_token_hashing
from tests.annotation_support import make_run, new_store

pytestmark = pytest.mark.usefixtures("cheap_token_hashing")

MODELS = ("openai/model-a", "openai/model-b", "anthropic/model-c")
TASKS = 20
T0 = 1_000_000.0


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("runs")
    return [
        make_run(root / f"run{i}", model=m, n_tasks=TASKS, samples=1) for i, m in enumerate(MODELS)
    ]


def _sequences(tmp_path: Path, runs: list[Path], seed: str) -> dict[int, list[tuple[str, str]]]:
    """Two annotators rate everything (overlap 2), taking turns; returns each one's (task, model)
    sequence in the order shown."""
    store: Store = new_store(tmp_path)
    for run in runs:
        import_run(store, run, overlap=2)
    with store.write() as s:
        s.merge(Meta(key=ORDER_SEED_KEY, value=seed))
    store._secrets.clear()
    for name in ("a", "b"):
        auth.add_user(store, name, "annotator")
    live = [u.id for u in auth.list_users(store)]
    while live:
        for uid in list(live):
            view = q.claim_next(store, uid, now=T0)
            if view is None:
                live.remove(uid)
                continue
            q.submit(store, view.assignment_id, uid, {i.item_id: "met" for i in view.items}, now=T0)
    with store.read() as s:
        rows = s.execute(
            select(Assignment.user_pk, Assignment.position, Unit.unit_id, Unit.system)
            .join(Unit, Unit.id == Assignment.unit_pk)
            .order_by(Assignment.user_pk, Assignment.position)
        ).all()
    out: dict[int, list[tuple[str, str]]] = {}
    for user, position, unit_id, system in rows:
        seq = out.setdefault(user, [])
        assert position == len(seq) + 1  # positions are recorded, 1..n with no gap
        seq.append((unit_id.split("/")[0], system))
    return out


def _position_model_correlation(seq: list[tuple[str, str]]) -> float:
    """The largest |Pearson r| between position and "is model m", over the models."""
    pos = np.arange(len(seq), dtype=float)
    return max(
        abs(float(np.corrcoef(pos, [float(m == model) for _, m in seq])[0, 1])) for model in MODELS
    )


@pytest.mark.slow
@pytest.mark.parametrize("seed", ["1" * 64, "2" * 64, "abc" * 21 + "d"])
def test_order_is_independent_balanced_and_interleaved(
    tmp_path: Path, runs: list[Path], seed: str
) -> None:
    seqs = _sequences(tmp_path, runs, seed)
    assert sorted(len(s) for s in seqs.values()) == [60, 60]
    # In a uniformly random order of the 60, each of the 59 neighbour pairs shares a task with
    # probability 2/59 and a model with 19/59: 2 and 19 such pairs expected by chance.
    chance_same_task, chance_same_model = 2, 19
    for seq in seqs.values():
        # One model after another would give r > 0.8 (next test).
        assert _position_model_correlation(seq) < 0.1
        same_task = sum(x[0] == y[0] for x, y in itertools.pairwise(seq))
        same_model = sum(x[1] == y[1] for x, y in itertools.pairwise(seq))
        assert same_task <= 1 < chance_same_task  # at most once, when nothing else is left
        assert same_model <= 2 < chance_same_model
        # Balanced along the way: after every prefix the models' counts differ by at most one.
        counts = dict.fromkeys(MODELS, 0)
        for _, model in seq:
            counts[model] += 1
            assert max(counts.values()) - min(counts.values()) <= 1
    # Independent: the two annotators' positions of the same response are unrelated.
    first, second = ({unit: i for i, unit in enumerate(s)} for s in seqs.values())
    units = sorted(first)
    rho = np.corrcoef([first[u] for u in units], [second[u] for u in units])[0, 1]
    assert abs(rho) < 0.35, rho
    one, two = seqs.values()
    assert one != two


def test_orders_that_line_up_with_a_model_or_a_task_fail_these_checks() -> None:
    """The statistics above can fail: the old serving order (import order) does."""
    seq = [(f"t{t}", m) for t in range(TASKS) for m in MODELS]  # all models of a task together
    assert _position_model_correlation(seq) < 0.1  # models alternate within each task...
    same_task = sum(x[0] == y[0] for x, y in itertools.pairwise(seq))
    assert same_task == 40  # ...but every task's answers come back to back
    by_model = [(f"t{t}", m) for m in MODELS for t in range(TASKS)]  # one model after another
    assert _position_model_correlation(by_model) > 0.8
