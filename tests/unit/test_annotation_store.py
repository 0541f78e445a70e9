"""The store: database URLs, SQLite settings (WAL, busy timeout), schema version and upgrades,
users and tokens."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from annotation_app import auth, sessions
from annotation_app import store as store_mod
from annotation_app.errors import AuthError, PermissionDenied, StoreError
from annotation_app.store import Meta, open_store
from tests.annotation_support import db_url, new_store


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("annotations.sqlite", "malformed database URL"),
        ("", "malformed database URL"),
        ("sqlite:/missing-slashes.db", "malformed database URL"),
        ("mysql://user@host/db", "unsupported database 'mysql'"),
        ("sqlite://", "names no file"),
        ("postgresql+nosuchdriver://user@host/db", "no driver"),
    ],
)
def test_bad_database_urls_are_one_line_errors(url: str, fragment: str) -> None:
    with pytest.raises(StoreError, match=fragment) as info:
        open_store(url, create=True)
    message = str(info.value)
    assert message.startswith("--db:") and "\n" not in message


def test_password_never_shown_in_messages() -> None:
    with pytest.raises(StoreError) as info:
        open_store("mysql://user:s3cret@host/db")
    assert "s3cret" not in str(info.value)


def test_missing_directory_and_missing_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        open_store(db_url(tmp_path / "nope" / "a.sqlite"), create=True)
    target = tmp_path / "a.sqlite"
    with pytest.raises(StoreError, match="no annotation store"):
        open_store(db_url(target))
    assert not target.exists()  # opening without create writes nothing


def test_a_file_that_is_not_a_store(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE x (a)")
    with pytest.raises(StoreError, match="holds no annotation store"):
        open_store(db_url(other))
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError, match="cannot open"):
        open_store(db_url(garbage))


def test_sqlite_runs_in_wal_mode_with_busy_timeout(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        timeout_ms = conn.execute(text("PRAGMA busy_timeout")).scalar()
        assert timeout_ms == int(store.settings.sqlite_busy_timeout_seconds * 1000)
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_schema_version_recorded_and_newer_store_refused(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    assert store_mod.schema_version(store) == store_mod.SCHEMA_VERSION
    with store.write() as s:
        s.merge(Meta(key="schema_version", value=str(store_mod.SCHEMA_VERSION + 1)))
    with pytest.raises(StoreError, match="newer than this musebench"):
        open_store(db_url(tmp_path / "annotations.sqlite"))


def test_older_schema_is_upgraded_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    new_store(tmp_path).dispose()  # a store at the current version...
    ran: list[int] = []
    current = store_mod.SCHEMA_VERSION

    def step(version: int) -> store_mod.Migration:
        def migrate(session: object) -> None:
            ran.append(version)

        return migrate

    # ...opened by a musebench two schema versions later, with one upgrade step per version.
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", current + 2)
    monkeypatch.setattr(
        store_mod, "MIGRATIONS", {current: step(current), current + 1: step(current + 1)}
    )
    upgraded = open_store(db_url(tmp_path / "annotations.sqlite"))
    assert ran == [current, current + 1]
    assert store_mod.schema_version(upgraded) == current + 2
    open_store(db_url(tmp_path / "annotations.sqlite"))
    assert ran == [current, current + 1]  # already current: nothing runs again


# --------------------------------------------------------------------------- users and tokens


def test_token_login_and_only_a_salted_hash_is_stored(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    token_a = auth.add_user(store, "alice", "annotator")
    token_b = auth.add_user(store, "root", "admin")
    assert auth.authenticate(store, token_a).name == "alice"
    admin = auth.authenticate(store, f"  {token_b}\n")  # pasted with whitespace
    assert admin.is_admin
    secret_a = token_a.split("_", 2)[2]
    raw = (tmp_path / "annotations.sqlite").read_bytes()
    wal = tmp_path / "annotations.sqlite-wal"
    raw += wal.read_bytes() if wal.exists() else b""
    assert secret_a.encode() not in raw and token_a.encode() not in raw
    with store.read() as s:
        rows = {u.name: u for u in s.query(store_mod.User)}
    assert rows["alice"].salt != rows["root"].salt
    assert rows["alice"].token_hash == auth.hash_secret(secret_a, rows["alice"].salt)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # wrong secret
        lambda t: "mb_0000000000000000_" + t.split("_", 2)[2],  # unknown key id
        lambda t: "not-a-token",
        lambda t: "",
        lambda t: t.replace("mb_", "xx_", 1),
    ],
)
def test_wrong_tokens_are_refused_with_one_message(tmp_path: Path, mangle: object) -> None:
    store = new_store(tmp_path)
    token = auth.add_user(store, "alice", "annotator")
    with pytest.raises(AuthError, match=r"^wrong login token"):
        auth.authenticate(store, mangle(token))  # type: ignore[operator]


def test_reset_and_disable(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    old = auth.add_user(store, "alice", "annotator")
    new = auth.reset_token(store, "alice")
    with pytest.raises(AuthError, match="wrong login token"):
        auth.authenticate(store, old)
    assert auth.authenticate(store, new).name == "alice"
    auth.set_active(store, "alice", False)
    with pytest.raises(AuthError, match="disabled"):
        auth.authenticate(store, new)
    with pytest.raises(AuthError, match="no user named 'bob'"):
        auth.reset_token(store, "bob")


def test_bad_user_names_roles_and_duplicates(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    with pytest.raises(AuthError, match="user name"):
        auth.add_user(store, "has space", "annotator")
    with pytest.raises(AuthError, match="--role"):
        auth.add_user(store, "bob", "owner")
    auth.add_user(store, "bob", "annotator")
    with pytest.raises(AuthError, match="already exists"):
        auth.add_user(store, "bob", "admin")
    assert [u.name for u in auth.list_users(store)] == ["bob"]


def test_permission_helpers(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    auth.add_user(store, "alice", "annotator")
    auth.add_user(store, "root", "admin")
    alice, root = auth.list_users(store)
    with pytest.raises(PermissionDenied):
        auth.require_admin(alice)
    assert auth.require_admin(root) is root
    auth.require_self_or_admin(alice, "alice")
    auth.require_self_or_admin(root, "alice")
    with pytest.raises(PermissionDenied):
        auth.require_self_or_admin(alice, "root")


def test_a_schema_1_store_is_upgraded_in_place(tmp_path: Path) -> None:
    """A store written before sessions and the login audit (schema 1) gains their tables and the
    store secrets, and keeps its users."""
    store = new_store(tmp_path)
    auth.add_user(store, "alice", "annotator")
    with store.write() as s:
        s.execute(text("DROP TABLE web_sessions"))
        s.execute(text("DROP TABLE login_attempts"))
        s.execute(text("DELETE FROM meta WHERE key IN ('order_seed', 'session_secret')"))
        s.merge(Meta(key="schema_version", value="1"))
    store.dispose()
    upgraded = store_mod.open_store(db_url(tmp_path / "annotations.sqlite"))
    assert store_mod.schema_version(upgraded) == store_mod.SCHEMA_VERSION == 3
    tables = set(inspect(upgraded.engine).get_table_names())
    assert {"web_sessions", "login_attempts"} <= tables
    for key in (store_mod.ORDER_SEED_KEY, store_mod.SESSION_SECRET_KEY):
        assert len(upgraded.secret(key)) == 64
    (alice,) = auth.list_users(upgraded)
    assert alice.name == "alice"
    assert sessions.resolve(upgraded, sessions.create(upgraded, alice.id)) == alice
    upgraded.dispose()
