"""Logging in: the token check (auth.authenticate) behind throttling, with every attempt in the
audit table. Failed attempts are counted per key id (the public half of a token, so a guesser
spread over many clients is slowed on one account) and per client (so one client guessing many
key ids is slowed too). After `login_free_failures` failures in `login_window_minutes` without a
success, each further attempt waits `login_backoff_seconds`, doubling per failure up to
`login_backoff_max_seconds`; an attempt during the wait is refused unchecked and recorded as
"throttled" (it does not lengthen the wait, so a locked-out user is not locked out for longer)."""

from __future__ import annotations

import time

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute

from .auth import UserInfo, authenticate, key_id_of, require_admin
from .errors import AuthError, LoginThrottled, UserDisabled
from .store import (
    LOGIN_DISABLED,
    LOGIN_OK,
    LOGIN_THROTTLED,
    LOGIN_WRONG,
    LoginAttempt,
    Store,
    User,
)

FAILED = (LOGIN_WRONG, LOGIN_DISABLED)


def _wait(store: Store, column: InstrumentedAttribute[str], value: str, now: float) -> float:
    """Seconds this key id or client must still wait before its next attempt is checked."""
    cfg = store.settings
    since = now - cfg.login_window_minutes * 60
    with store.read() as s:
        last_ok = s.scalar(
            select(func.max(LoginAttempt.at)).where(
                column == value, LoginAttempt.outcome == LOGIN_OK
            )
        )
        start = max(since, last_ok or since)
        n, last = s.execute(
            select(func.count(), func.max(LoginAttempt.at)).where(
                column == value, LoginAttempt.at > start, LoginAttempt.outcome.in_(FAILED)
            )
        ).one()
    over = int(n or 0) - cfg.login_free_failures
    if over < 0 or last is None:
        return 0.0
    backoff = min(cfg.login_backoff_seconds * 2.0**over, cfg.login_backoff_max_seconds)
    return max(0.0, float(last) + backoff - now)


def _record(
    store: Store, at: float, key_id: str, client: str, outcome: str, user: int | None
) -> None:
    with store.write() as s:
        s.add(
            LoginAttempt(at=at, key_id=key_id, client=client[:128], outcome=outcome, user_pk=user)
        )


def login(store: Store, token: str, client: str, now: float | None = None) -> UserInfo:
    """The user owning `token`; AuthError (LoginThrottled while backing off) otherwise. Every
    call leaves one row in the audit table."""
    t = time.time() if now is None else now
    key_id = key_id_of(token)
    waits = [_wait(store, LoginAttempt.client, client, t)]
    if key_id:
        waits.append(_wait(store, LoginAttempt.key_id, key_id, t))
    wait = max(waits)
    if wait > 0:
        _record(store, t, key_id, client, LOGIN_THROTTLED, None)
        raise LoginThrottled(f"too many failed logins: try again in {wait:.0f} s", retry_after=wait)
    try:
        user = authenticate(store, token)
    except UserDisabled:
        _record(store, t, key_id, client, LOGIN_DISABLED, None)
        raise
    except AuthError:
        _record(store, t, key_id, client, LOGIN_WRONG, None)
        raise
    _record(store, t, key_id, client, LOGIN_OK, user.id)
    return user


def audit(store: Store, requester: UserInfo, limit: int = 500) -> pd.DataFrame:
    """The latest login attempts, newest first (admins only)."""
    require_admin(requester, "the login audit")
    with store.read() as s:
        rows = s.execute(
            select(LoginAttempt, User.name)
            .outerjoin(User, User.id == LoginAttempt.user_pk)
            .order_by(LoginAttempt.at.desc(), LoginAttempt.id.desc())
            .limit(limit)
        ).all()
    return pd.DataFrame(
        [
            {
                "when": pd.Timestamp(a.at, unit="s", tz="UTC"),
                "outcome": a.outcome,
                "user": name or "—",
                "key id": a.key_id or "—",
                "client": a.client or "—",
            }
            for a, name in rows
        ],
        columns=["when", "outcome", "user", "key id", "client"],
    )
