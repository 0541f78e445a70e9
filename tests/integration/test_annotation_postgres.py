"""The store on PostgreSQL: schema, import, the queue (row locks instead of SQLite's database lock)
under concurrent claims, and export. Uses $MUSEBENCH_TEST_POSTGRES_URL if set (a server where a
scratch database may be created), else a throwaway cluster started with the local initdb/pg_ctl;
skips when neither PostgreSQL nor psycopg is available."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from annotation_app import assignments as q
from annotation_app import auth
from annotation_app.errors import StoreError
from annotation_app.export import human_ratings
from annotation_app.importer import import_run
from annotation_app.store import Assignment, Rating, Unit, open_store
from tests.annotation_support import cheap_token_hashing as cheap_token_hashing
from tests.annotation_support import make_run

pytestmark = pytest.mark.usefixtures("cheap_token_hashing")

psycopg = pytest.importorskip(
    "psycopg", reason="psycopg not installed (pip install 'musebench[postgres]')"
)


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A URL (without database) of a PostgreSQL server we may create databases on."""
    given = os.environ.get("MUSEBENCH_TEST_POSTGRES_URL")
    if given:
        yield given.rsplit("/", 1)[0]
        return
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip("no PostgreSQL (initdb/pg_ctl) and no $MUSEBENCH_TEST_POSTGRES_URL")
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root: use its own system user
        runuser = shutil.which("runuser")
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            runuser = None
        if not runuser:
            pytest.skip("running as root without a 'postgres' user and runuser")
        as_user = [runuser, "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="musebench-pg-"))
    if as_user:
        shutil.chown(root, "postgres")
    data, port = root / "data", _free_port()
    run = lambda *cmd: subprocess.run([*as_user, *cmd], check=True, capture_output=True)  # noqa: E731
    try:
        run(initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        run(
            pg_ctl,
            "-D",
            str(data),
            "-l",
            str(root / "log"),
            "-w",
            "-o",
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )
    except subprocess.CalledProcessError as err:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"could not start a throwaway PostgreSQL: {err.stderr.decode()[-300:]}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(
            [*as_user, pg_ctl, "-D", str(data), "-m", "fast", "stop"], capture_output=True
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(server: str) -> Iterator[str]:
    name = f"musebench_{uuid.uuid4().hex[:10]}"
    admin = server.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_store_import_queue_and_export(pg_url: str, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="holds no annotation store"):
        open_store(pg_url)
    store = open_store(pg_url, create=True)
    report = import_run(store, make_run(tmp_path / "run", n_tasks=1, samples=2), overlap=1)
    assert report.units_added == 2
    token = auth.add_user(store, "alice", "annotator")
    alice = auth.authenticate(store, token)
    while (view := q.claim_next(store, alice.id)) is not None:
        q.submit(store, view.assignment_id, alice.id, {i.item_id: "met" for i in view.items})
    df, _ = human_ratings(store)
    assert df["unit_id"].nunique() == 2 and set(df["value"]) == {1}
    store.dispose()
    reopened = open_store(pg_url)  # schema present: no create needed
    assert [u.name for u in auth.list_users(reopened)] == ["alice"]
    reopened.dispose()


def test_concurrent_claims_respect_k_with_row_locks(pg_url: str, tmp_path: Path) -> None:
    annotators, overlap, units = 8, 2, 40
    setup = open_store(pg_url, create=True)
    import_run(setup, make_run(tmp_path / "run", n_tasks=2, samples=units // 2), overlap=overlap)
    for i in range(annotators):
        auth.add_user(setup, f"a{i}", "annotator")
    users = [u.id for u in auth.list_users(setup)]
    setup.dispose()
    barrier = threading.Barrier(annotators)
    errors: list[BaseException] = []

    def annotate(uid: int) -> None:
        store = open_store(pg_url)  # own engine: separate connections, real row-lock contention
        try:
            barrier.wait()
            while (view := q.claim_next(store, uid)) is not None:
                q.submit(store, view.assignment_id, uid, {i.item_id: "not_met" for i in view.items})
        except BaseException as err:
            errors.append(err)
        finally:
            store.dispose()

    threads = [threading.Thread(target=annotate, args=(uid,)) for uid in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors[:3]
    check = open_store(pg_url)
    with check.read() as s:
        done = Counter(s.scalars(select(Assignment.unit_pk).where(Assignment.status == "done")))
        n_units = len(list(s.scalars(select(Unit.id))))
        ratings = s.execute(select(Rating.unit_pk, Rating.user_pk, Rating.item_id)).all()
    check.dispose()
    assert n_units == units and set(done.values()) == {overlap} and len(done) == units
    assert len(set(ratings)) == len(ratings)


def test_unreachable_server_is_a_one_line_error(server: str) -> None:
    with pytest.raises(StoreError, match="cannot open") as info:
        open_store(f"postgresql+psycopg://postgres@127.0.0.1:{_free_port()}/nope")
    assert "\n" not in str(info.value)
