"""Users and login tokens. A token is shown once (`musebench annotate user add`); the store keeps
only a salted scrypt hash of its secret part, plus a random key id that finds the row without
trying every user's hash."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import select, update

from .errors import AuthError, PermissionDenied, UserDisabled
from .store import ROLES, Store, User, WebSession

TOKEN_PREFIX = "mb"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# scrypt cost: ~50 ms per login on a laptop core; enough to make a leaked table slow to attack.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


@dataclass(frozen=True)
class UserInfo:
    id: int
    name: str
    role: str
    active: bool
    created_at: float

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def info(u: User) -> UserInfo:
    return UserInfo(id=u.id, name=u.name, role=u.role, active=u.active, created_at=u.created_at)


def hash_secret(secret: str, salt: str) -> str:
    digest = hashlib.scrypt(
        secret.encode(), salt=bytes.fromhex(salt), n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    return digest.hex()


def _new_credentials() -> tuple[str, str, str, str]:
    """(token, key_id, salt, hash)."""
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_hex(16)
    return f"{TOKEN_PREFIX}_{key_id}_{secret}", key_id, salt, hash_secret(secret, salt)


def check_name(name: str) -> None:
    if not NAME_PATTERN.match(name):
        raise AuthError(
            f"user name {name!r}: use 1-64 letters, digits, '_', '.' or '-' "
            "(a pseudonym is best: names can end up in exported data)"
        )


def add_user(store: Store, name: str, role: str) -> str:
    """Create a user and return their login token (the only time it exists in clear)."""
    check_name(name)
    if role not in ROLES:
        raise AuthError(f"--role: {role!r} is not a role (choose {' or '.join(ROLES)})")
    token, key_id, salt, digest = _new_credentials()
    with store.write() as s:
        if s.scalar(select(User.id).where(User.name == name)) is not None:
            raise AuthError(f"user {name!r} already exists (use `user reset-token {name}`)")
        s.add(
            User(
                name=name,
                role=role,
                key_id=key_id,
                salt=salt,
                token_hash=digest,
                active=True,
                created_at=time.time(),
            )
        )
    return token


def reset_token(store: Store, name: str) -> str:
    """Replace a user's token (the old one stops working, and so do the browser sessions it
    opened) and return the new one."""
    token, key_id, salt, digest = _new_credentials()
    with store.write() as s:
        user = s.scalar(select(User).where(User.name == name))
        if user is None:
            raise AuthError(f"no user named {name!r}")
        user.key_id, user.salt, user.token_hash, user.active = key_id, salt, digest, True
        s.execute(
            update(WebSession)
            .where(WebSession.user_pk == user.id, WebSession.revoked_at.is_(None))
            .values(revoked_at=time.time())
        )
    return token


def set_active(store: Store, name: str, active: bool) -> None:
    with store.write() as s:
        user = s.scalar(select(User).where(User.name == name))
        if user is None:
            raise AuthError(f"no user named {name!r}")
        user.active = active


def list_users(store: Store) -> list[UserInfo]:
    with store.read() as s:
        return [info(u) for u in s.scalars(select(User).order_by(User.id))]


def get_user(store: Store, user_id: int) -> UserInfo | None:
    with store.read() as s:
        u = s.get(User, user_id)
        return info(u) if u is not None else None


def key_id_of(token: str) -> str:
    """The key id part of a token shaped like one, else "" (for throttling and the audit)."""
    parts = token.strip().split("_", 2)
    ok = len(parts) == 3 and parts[0] == TOKEN_PREFIX and parts[1] and parts[2]
    return parts[1][:64] if ok else ""


def authenticate(store: Store, token: str) -> UserInfo:
    """The active user owning `token`, or AuthError (one message for every failure)."""
    wrong = AuthError("wrong login token (ask an admin for a new one if yours was lost)")
    key_id = key_id_of(token)
    if not key_id:
        raise wrong
    secret = token.strip().split("_", 2)[2]
    with store.read() as s:
        user = s.scalar(select(User).where(User.key_id == key_id))
        if user is None:
            hash_secret(secret, "00" * 16)  # same work as a real check: no timing hint
            raise wrong
        if not hmac.compare_digest(hash_secret(secret, user.salt), user.token_hash):
            raise wrong
        if not user.active:
            raise UserDisabled(f"user {user.name!r} is disabled")
        return info(user)


def require_admin(user: UserInfo | None, what: str = "this page") -> UserInfo:
    if user is None or not user.is_admin:
        raise PermissionDenied(f"{what} is for admins only")
    return user


def require_self_or_admin(user: UserInfo, rater_name: str) -> None:
    if not user.is_admin and user.name != rater_name:
        raise PermissionDenied("annotators may see only their own ratings")
