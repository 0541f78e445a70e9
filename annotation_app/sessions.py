"""Browser sessions: what keeps a login across reloads and deep links. The cookie is
`v1.<token>.<expires>.<signature>`: a random token (the store keeps only its SHA-256), the expiry
time, and an HMAC over both with the store's secret, so a forged or edited cookie is refused
before the database is asked. Logging out revokes the row; a revoked, expired or disabled
user's session resolves to nobody."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

from sqlalchemy import select, update

from .auth import UserInfo, info
from .store import SESSION_SECRET_KEY, Store, User, WebSession

COOKIE = "musebench_session"
_VERSION = "v1"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _sign(store: Store, token: str, expires: int) -> str:
    key = bytes.fromhex(store.secret(SESSION_SECRET_KEY))
    mac = hmac.new(key, f"{_VERSION}.{token}.{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def create(store: Store, user_id: int, client: str = "", now: float | None = None) -> str:
    """A new session for `user_id`; returns the cookie value."""
    t = time.time() if now is None else now
    expires = int(t + store.settings.session_hours * 3600)
    token = secrets.token_urlsafe(32)
    with store.write() as s:
        s.add(
            WebSession(
                token_hash=_hash(token),
                user_pk=user_id,
                created_at=t,
                expires_at=float(expires),
                client=client[:128],
            )
        )
    return f"{_VERSION}.{token}.{expires}.{_sign(store, token, expires)}"


def _token(store: Store, cookie: str | None, now: float) -> str | None:
    """The token of a well-formed, correctly signed, unexpired cookie, else None."""
    parts = (cookie or "").split(".")
    if len(parts) != 4 or parts[0] != _VERSION or not parts[2].isdigit():
        return None
    _, token, expires, signature = parts
    if not hmac.compare_digest(signature, _sign(store, token, int(expires))):
        return None
    return token if int(expires) > now else None


def resolve(store: Store, cookie: str | None, now: float | None = None) -> UserInfo | None:
    """The active user whose live session the cookie names, or None."""
    t = time.time() if now is None else now
    token = _token(store, cookie, t)
    if token is None:
        return None
    with store.read() as s:
        row = s.execute(
            select(User)
            .join(WebSession, WebSession.user_pk == User.id)
            .where(
                WebSession.token_hash == _hash(token),
                WebSession.revoked_at.is_(None),
                WebSession.expires_at > t,
                User.active.is_(True),
            )
        ).scalar_one_or_none()
        return info(row) if row is not None else None


def revoke(store: Store, cookie: str | None, now: float | None = None) -> bool:
    """End the cookie's session (logout); True when there was one to end."""
    t = time.time() if now is None else now
    token = _token(store, cookie, t)
    if token is None:
        return False
    with store.write() as s:
        result = s.execute(
            update(WebSession)
            .where(WebSession.token_hash == _hash(token), WebSession.revoked_at.is_(None))
            .values(revoked_at=t)
        )
        return bool(getattr(result, "rowcount", 0))
