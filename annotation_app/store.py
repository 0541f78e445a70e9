"""The annotation store: SQLAlchemy tables, engine creation (SQLite in WAL mode with a busy timeout,
or PostgreSQL by URL), and the schema version with its upgrades.

Write transactions on SQLite start with BEGIN IMMEDIATE so that a read-check-write (claiming an
assignment) holds the write lock from its first statement: concurrent annotators queue on the
busy timeout instead of both seeing a free slot. On PostgreSQL the queue locks the unit row
(SELECT ... FOR UPDATE) for the same effect."""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    inspect,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from .errors import StoreError
from .settings import ENV_DB, ENV_OVERRIDES, Settings, load_settings

SCHEMA_VERSION = 3
SUPPORTED_BACKENDS = ("sqlite", "postgresql")
URL_EXAMPLES = "e.g. sqlite:///annotations.sqlite or postgresql+psycopg://user:pass@host/db"

# Assignment states. "open" and "done" hold one of a unit's K slots; the others free it.
OPEN, DONE, SKIPPED, FLAGGED, EXPIRED = "open", "done", "skipped", "flagged", "expired"
HOLDS_SLOT = (OPEN, DONE)
VERDICTS = ("met", "not_met", "unsure")
ROLES = ("annotator", "admin")
# Login outcomes; only "ok" logs in. "throttled" attempts are refused before the token is checked.
LOGIN_OK, LOGIN_WRONG, LOGIN_DISABLED, LOGIN_THROTTLED = "ok", "wrong", "disabled", "throttled"
LOGIN_OUTCOMES = (LOGIN_OK, LOGIN_WRONG, LOGIN_DISABLED, LOGIN_THROTTLED)
# Secrets kept in the meta table, made once per store: the serving order's seed and the key that
# signs session cookies.
ORDER_SEED_KEY, SESSION_SECRET_KEY = "order_seed", "session_secret"


class Base(DeclarativeBase):
    pass


class Meta(Base):
    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    # Tokens are `mb_<key_id>_<secret>`: key_id finds the row, only a salted hash of secret is kept.
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    salt: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[float] = mapped_column(Float)


class RunImport(Base):
    __tablename__ = "imports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(String(128))
    run_dir: Mapped[str] = mapped_column(Text)
    model: Mapped[str] = mapped_column(Text)
    judge: Mapped[str | None] = mapped_column(Text, nullable=True)
    suite_version: Mapped[str] = mapped_column(String(64))
    suite_hash: Mapped[str] = mapped_column(String(64))
    overlap: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)
    n_units: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[float] = mapped_column(Float)


class TaskRow(Base):
    """A task as the suite defined it when imported (keyed by suite hash, so edits never change
    what an earlier import showed)."""

    __tablename__ = "tasks"
    __table_args__ = (UniqueConstraint("suite_hash", "task_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    suite_hash: Mapped[str] = mapped_column(String(64))
    task_id: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(64))


class TaskItem(Base):
    __tablename__ = "task_items"
    __table_args__ = (UniqueConstraint("task_pk", "item_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_pk: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    item_id: Mapped[str] = mapped_column(String(128))
    position: Mapped[int] = mapped_column(Integer)
    dimension: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    guidance: Mapped[str] = mapped_column(Text, default="")
    example_met: Mapped[str] = mapped_column(Text, default="")
    example_not_met: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[int] = mapped_column(Integer)
    programmatic: Mapped[bool] = mapped_column(Boolean)


class Unit(Base):
    """One response to be rated: `unit_id` is `task_id/sample/model` (DESIGN.md); `system` is the
    model spec, which annotators never see."""

    __tablename__ = "units"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(512), unique=True)
    import_pk: Mapped[int] = mapped_column(ForeignKey("imports.id"))
    task_pk: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    sample: Mapped[int] = mapped_column(Integer)
    system: Mapped[str] = mapped_column(Text)
    transcript: Mapped[str] = mapped_column(Text)  # JSON list of {role, content}
    overlap: Mapped[int] = mapped_column(Integer)
    # Seeded at import; schema 1 served in this order. Kept for old stores and the record, not
    # used since each annotator gets an own order (assignments._next_units).
    shuffle_key: Mapped[float] = mapped_column(Float, index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class UnitScreenshot(Base):
    """A screenshot of a visual-design response's page (the renderer's PNG, docs/RENDERING.md),
    copied into the store at import, so it outlives the run dir and a server restart. Keyed by
    the HTML's render folder name (first 16 hex of its sha256): a view shows it beside the
    page whose HTML has that hash only."""

    __tablename__ = "unit_screenshots"
    __table_args__ = (UniqueConstraint("unit_pk", "html_key", "width"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_pk: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    html_key: Mapped[str] = mapped_column(String(16))
    width: Mapped[int] = mapped_column(Integer)
    png: Mapped[bytes] = mapped_column(LargeBinary)


class GoldAnswer(Base):
    """A known answer for (unit, item): a programmatic check's verdict, or an expert's."""

    __tablename__ = "gold_answers"
    unit_pk: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    verdict: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(16))  # "check" | "expert"


class JudgeVerdict(Base):
    __tablename__ = "judge_verdicts"
    unit_pk: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    judge: Mapped[str] = mapped_column(String(256), primary_key=True)
    verdict: Mapped[bool] = mapped_column(Boolean)


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("unit_pk", "user_pk"),  # nobody rates the same response twice
        Index("ix_assignments_unit_status", "unit_pk", "status"),
        Index("ix_assignments_status_seen", "status", "last_seen_at"),
        Index("ix_assignments_user_status", "user_pk", "status"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_pk: Mapped[int] = mapped_column(ForeignKey("units.id"))
    user_pk: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)  # the n-th response this user was shown
    item_order: Mapped[str] = mapped_column(Text)  # JSON list of item ids, in the order shown
    draft: Mapped[str] = mapped_column(Text, default="{}")  # JSON {item_id: {verdict, comment}}
    started_at: Mapped[float] = mapped_column(Float)
    last_seen_at: Mapped[float] = mapped_column(Float)
    submitted_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    active_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    fast: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class WebSession(Base):
    """A browser's login: the cookie carries a random token (only its hash is kept here) and an
    HMAC signature, so a reload or a deep link keeps the login until it expires or is revoked."""

    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_pk: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)
    revoked_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    client: Mapped[str] = mapped_column(String(128), default="")


class LoginAttempt(Base):
    """Every login attempt, good or bad: the audit table admins read, and what throttling counts."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_key_at", "key_id", "at"),
        Index("ix_login_attempts_client_at", "client", "at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[float] = mapped_column(Float, index=True)
    key_id: Mapped[str] = mapped_column(String(64), default="")  # from the token, even if wrong
    client: Mapped[str] = mapped_column(String(128), default="")
    user_pk: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    outcome: Mapped[str] = mapped_column(String(16))  # see LOGIN_OUTCOMES


class Rating(Base):
    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("unit_pk", "user_pk", "item_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assignment_pk: Mapped[int] = mapped_column(ForeignKey("assignments.id"))
    unit_pk: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    user_pk: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    item_id: Mapped[str] = mapped_column(String(128))
    verdict: Mapped[str] = mapped_column(String(16))  # met | not_met | unsure
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[float] = mapped_column(Float)


# Upgrades from version v to v + 1, run in order inside one transaction. New tables need no entry
# (create_all adds them); changed columns do.
Migration = Callable[[Session], None]


def _v1_to_v2(_s: Session) -> None:
    """v2 adds the web_sessions and login_attempts tables (create_all makes them) and the meta
    secrets (ensure_schema adds them to every store that lacks them)."""


def _v2_to_v3(_s: Session) -> None:
    """v3 adds the unit_screenshots table (create_all makes it)."""


MIGRATIONS: dict[int, Migration] = {1: _v1_to_v2, 2: _v2_to_v3}


def parse_db_url(text: str) -> URL:
    """A database URL, or a StoreError naming --db and saying what is wrong."""
    if not text or "://" not in text:
        raise StoreError(f"--db: malformed database URL {text!r} ({URL_EXAMPLES})")
    try:
        url = make_url(text)
    except ArgumentError:
        raise StoreError(f"--db: malformed database URL {text!r} ({URL_EXAMPLES})") from None
    backend = url.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise StoreError(
            f"--db: unsupported database {backend!r} in {safe_url(url)} "
            f"(use sqlite or postgresql: {URL_EXAMPLES})"
        )
    if backend == "sqlite" and not url.database:
        raise StoreError(f"--db: {text!r} names no file (sqlite:///path/to/annotations.sqlite)")
    return url


def safe_url(url: URL) -> str:
    """The URL with any password hidden, for messages."""
    return url.render_as_string(hide_password=True)


@dataclass
class Store:
    engine: Engine
    url: URL
    settings: Settings
    # SQLite: writers in this process queue here (a fair, instant hand-off) instead of in SQLite's
    # busy handler, which sleeps up to 100 ms between polls. All Streamlit sessions share one
    # Store, so this is where a busy app waits. Other processes still meet BEGIN IMMEDIATE.
    _write_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _secrets: dict[str, str] = field(default_factory=dict, repr=False)

    def secret(self, key: str) -> str:
        """A per-store secret from the meta table (made by ensure_schema; never changes)."""
        if key not in self._secrets:
            with self.read() as s:
                row = s.get(Meta, key)
            if row is None:
                raise StoreError(f"--db: {self.label} lacks {key!r}; open it with this musebench")
            self._secrets[key] = row.value
        return self._secrets[key]

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def label(self) -> str:
        return safe_url(self.url)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction (BEGIN IMMEDIATE on SQLite); commits on success, else rolls back."""
        with (
            self._write_lock if self.is_sqlite else nullcontext(),
            Session(self._write_engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @property
    def _write_engine(self) -> Engine:
        return self.engine.execution_options(musebench_write=True)

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_engine(url: URL, settings: Settings) -> Engine:
    path = Path(url.database or "")
    if str(path) != ":memory:" and not path.parent.resolve().is_dir():
        raise StoreError(f"--db: directory {path.parent} does not exist (for {safe_url(url)})")
    busy = settings.sqlite_busy_timeout_seconds
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": busy})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module so that BEGIN is ours (see below).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy * 1000)}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("musebench_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _make_engine(url: URL, settings: Settings) -> Engine:
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url, settings)
    try:
        return create_engine(url, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError) as err:
        raise StoreError(
            f"--db: no driver for {safe_url(url)} ({err}); install it, e.g. "
            "pip install 'musebench[postgres]' and use postgresql+psycopg://..."
        ) from None


def open_store(db: str, *, create: bool = False, settings: Settings | None = None) -> Store:
    """Open the store at `db`, creating its schema when `create` is true (import, user add) and
    upgrading an older schema. A missing store without `create`, or one written by a newer
    musebench, is a StoreError."""
    url = parse_db_url(db)
    settings = settings or load_settings()
    if url.get_backend_name() == "sqlite" and not create:
        path = Path(url.database or "")
        if not path.is_file():
            raise StoreError(
                f"--db: no annotation store at {path} (create one with `musebench annotate "
                "import RUN_DIR --db ...` or `musebench annotate user add ...`)"
            )
    engine = _make_engine(url, settings)
    store = Store(engine=engine, url=url, settings=settings)
    try:
        ensure_schema(store, create=create)
    except DBAPIError as err:
        engine.dispose()
        detail = (str(err.orig).strip().splitlines() or [type(err.orig).__name__])[0]
        raise StoreError(f"--db: cannot open {safe_url(url)}: {detail}") from None
    except StoreError:
        engine.dispose()
        raise
    return store


def schema_version(store: Store) -> int | None:
    if not inspect(store.engine).has_table(Meta.__tablename__):
        return None
    with store.read() as s:
        row = s.get(Meta, "schema_version")
        return int(row.value) if row is not None else None


def ensure_schema(store: Store, *, create: bool) -> None:
    version = schema_version(store)
    if version is None and not create:
        raise StoreError(
            f"--db: {store.label} holds no annotation store (create one with "
            "`musebench annotate import` or `musebench annotate user add`)"
        )
    if version is not None and version > SCHEMA_VERSION:
        raise StoreError(
            f"--db: {store.label} has store schema {version}, newer than this musebench "
            f"understands ({SCHEMA_VERSION}); upgrade musebench"
        )
    if version == SCHEMA_VERSION:
        return
    with store.write() as s:
        Base.metadata.create_all(s.connection())
        current = s.get(Meta, "schema_version")
        start = int(current.value) if current is not None else SCHEMA_VERSION
        for v in range(start, SCHEMA_VERSION):
            MIGRATIONS[v](s)
        s.merge(Meta(key="schema_version", value=str(SCHEMA_VERSION)))
        if s.get(Meta, "created_at") is None:
            s.add(Meta(key="created_at", value=json.dumps(time.time())))
        for key in (ORDER_SEED_KEY, SESSION_SECRET_KEY):
            if s.get(Meta, key) is None:
                s.add(Meta(key=key, value=secrets.token_hex(32)))


@cache
def _served(db: str, overrides: tuple[tuple[str, str], ...]) -> Store:
    # `overrides` is part of the key only: open_store reads the same environment.
    return open_store(db)


def served_store() -> Store:
    """The store this app process serves (`annotate serve` names it in the environment). One
    per process: the pages and the login routes share it, so SQLite writers queue on one lock."""
    db = os.environ.get(ENV_DB)
    if not db:
        raise StoreError("no annotation store: start the app with `musebench annotate serve`")
    overrides = tuple((k, os.environ[k]) for k in sorted(ENV_OVERRIDES) if k in os.environ)
    return _served(db, overrides)
