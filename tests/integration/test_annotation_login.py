"""Logging in and out: the routes beside the app (cookie flags, same-origin POSTs only),
signed expiring sessions that logout revokes, throttling per key id and per client with backoff,
and the audit table that records every attempt."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from annotation_app import auth, logins, sessions
from annotation_app.errors import AuthError, LoginThrottled, UserDisabled
from annotation_app.settings import ENV_DB
from annotation_app.store import LoginAttempt, Store
from annotation_app.store import _served as open_served
from annotation_app.web_routes import PREFIX, ROUTES
from tests.annotation_support import cheap_token_hashing as cheap_token_hashing
from tests.annotation_support import db_url, new_store

pytestmark = pytest.mark.usefixtures("cheap_token_hashing")
T0 = 2_000_000_000.0
ORIGIN = {"origin": "http://testserver"}


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    s = new_store(tmp_path)
    monkeypatch.setenv(ENV_DB, db_url(tmp_path / "annotations.sqlite"))
    open_served.cache_clear()
    yield s
    open_served.cache_clear()
    s.dispose()


def _client() -> TestClient:
    return TestClient(Starlette(routes=ROUTES))


def _outcomes(store: Store) -> list[str]:
    with store.read() as s:
        return [a.outcome for a in s.query(LoginAttempt).order_by(LoginAttempt.id)]


def test_login_sets_a_strict_http_only_cookie_and_logout_revokes_it(store: Store) -> None:
    token = auth.add_user(store, "alice", "annotator")
    client = _client()
    r = client.post(f"{PREFIX}/login", json={"token": token}, headers=ORIGIN)
    assert r.status_code == 200 and r.json() == {"ok": True, "user": "alice"}
    header = r.headers["set-cookie"].lower()
    assert "httponly" in header and "samesite=strict" in header and "path=/" in header
    assert f"max-age={int(store.settings.session_hours * 3600)}" in header
    cookie = r.cookies[sessions.COOKIE]
    assert token not in header and cookie.startswith("v1.")
    user = sessions.resolve(store, cookie)
    assert user is not None and user.name == "alice"
    client.cookies.set(sessions.COOKIE, cookie)
    out = client.post(f"{PREFIX}/logout", headers=ORIGIN)
    assert out.status_code == 200 and "max-age=0" in out.headers["set-cookie"].lower()
    assert sessions.resolve(store, cookie) is None  # revoked: a copied cookie is dead too
    assert _outcomes(store) == ["ok"]


def test_only_this_apps_pages_may_post(store: Store) -> None:
    token = auth.add_user(store, "alice", "annotator")
    client = _client()
    for headers in ({}, {"origin": "http://evil.example"}):
        r = client.post(f"{PREFIX}/login", json={"token": token}, headers=headers)
        assert r.status_code == 403 and sessions.COOKIE not in r.cookies
    assert client.get(f"{PREFIX}/login").status_code == 405
    bad = client.post(f"{PREFIX}/login", content=b"token=x", headers=ORIGIN)
    assert bad.status_code == 400
    assert _outcomes(store) == []  # refused before any token was checked


def test_wrong_token_and_throttling_over_http(store: Store) -> None:
    token = auth.add_user(store, "alice", "annotator")
    client = _client()
    wrong = token[:-4] + "AAAA"
    for _ in range(store.settings.login_free_failures):
        r = client.post(f"{PREFIX}/login", json={"token": wrong}, headers=ORIGIN)
        assert r.status_code == 401 and "wrong login token" in r.json()["error"]
    # Then the wait: even the right token is refused unchecked until it is over.
    r = client.post(f"{PREFIX}/login", json={"token": token}, headers=ORIGIN)
    assert r.status_code == 429 and "try again in" in r.json()["error"]
    assert 1 <= int(r.headers["retry-after"]) <= store.settings.login_backoff_seconds + 1
    assert sessions.COOKIE not in r.cookies
    assert _outcomes(store) == ["wrong"] * 5 + ["throttled"]


def _attempts(store: Store, token: str, client: str, t: float, n: int) -> list[str]:
    out = []
    for i in range(n):
        try:
            logins.login(store, token, client, now=t + i)
            out.append("ok")
        except LoginThrottled:
            out.append("throttled")
        except UserDisabled:
            out.append("disabled")
        except AuthError:
            out.append("wrong")
    return out


def test_backoff_doubles_per_key_id_across_clients_and_resets_on_success(store: Store) -> None:
    cfg = store.settings
    token = auth.add_user(store, "alice", "annotator")
    wrong = token[:-4] + "AAAA"
    free = cfg.login_free_failures
    # A guesser spread over many clients is slowed on the account (the key id).
    seen = [_attempts(store, wrong, f"10.0.0.{i}", T0 + i, 1)[0] for i in range(free)]
    assert seen == ["wrong"] * free
    assert _attempts(store, token, "10.9.9.9", T0 + free, 1) == ["throttled"]
    # The wait is login_backoff_seconds after the last failure; the next failure doubles it.
    after = T0 + free - 1 + cfg.login_backoff_seconds + 1
    assert _attempts(store, wrong, "10.9.9.9", after, 1) == ["wrong"]
    assert _attempts(store, token, "10.9.9.9", after + cfg.login_backoff_seconds + 1, 1) == [
        "throttled"
    ]
    ok_at = after + 2 * cfg.login_backoff_seconds + 1
    assert _attempts(store, token, "10.9.9.9", ok_at, 1) == ["ok"]
    # A success resets the count.
    assert _attempts(store, wrong, "10.9.9.9", ok_at + 1, free) == ["wrong"] * free


def test_one_client_guessing_many_key_ids_is_throttled(store: Store) -> None:
    auth.add_user(store, "alice", "annotator")
    free = store.settings.login_free_failures
    guesses = [f"mb_{i:016x}_secret" for i in range(free + 2)]
    seen = [_attempts(store, g, "203.0.113.7", T0 + i, 1)[0] for i, g in enumerate(guesses)]
    assert seen == ["wrong"] * free + ["throttled"] * 2
    # Another client is not slowed by it.
    assert _attempts(store, guesses[0], "198.51.100.1", T0 + 10, 1) == ["wrong"]


def test_backoff_is_capped_and_forgotten_after_the_window(store: Store) -> None:
    cfg = store.settings
    token = auth.add_user(store, "alice", "annotator")
    wrong = token[:-4] + "AAAA"
    t, waits = T0, []
    for n in range(cfg.login_free_failures + 6):  # each failure as soon as it is allowed
        assert _attempts(store, wrong, "c", t, 1) == ["wrong"]
        over = n + 1 - cfg.login_free_failures
        wait = (
            0.0
            if over < 0
            else min(cfg.login_backoff_seconds * 2**over, cfg.login_backoff_max_seconds)
        )
        waits.append(wait)
        if wait:
            assert _attempts(store, token, "c", t + wait - 1, 1) == ["throttled"]
        t += wait + 1
    assert waits[-2:] == [cfg.login_backoff_max_seconds] * 2  # 30, 60, ... capped at 900
    assert t - T0 < cfg.login_window_minutes * 60  # all of them inside one window
    # A window without attempts forgets them: the next failures are free again.
    later = t + cfg.login_window_minutes * 60
    free = cfg.login_free_failures
    assert _attempts(store, wrong, "c", later, free) == ["wrong"] * free


def test_disabled_users_are_audited_and_refused(store: Store) -> None:
    token = auth.add_user(store, "alice", "annotator")
    auth.set_active(store, "alice", False)
    assert _attempts(store, token, "c", T0, 1) == ["disabled"]
    assert _outcomes(store) == ["disabled"]


def test_sessions_are_signed_expire_and_end_with_a_reset_token(store: Store) -> None:
    auth.add_user(store, "alice", "annotator")
    (alice,) = auth.list_users(store)
    cookie = sessions.create(store, alice.id, now=T0)
    assert sessions.resolve(store, cookie, now=T0 + 60) == alice
    version, token, expires, sig = cookie.split(".")
    forged = ".".join([version, token, str(int(expires) + 3600), sig])  # a longer life
    assert sessions.resolve(store, forged, now=T0 + 60) is None
    assert sessions.resolve(store, "v1.x.1.y") is None and sessions.resolve(store, None) is None
    life = store.settings.session_hours * 3600
    assert sessions.resolve(store, cookie, now=T0 + life + 1) is None  # expired
    live = sessions.create(store, alice.id)
    auth.set_active(store, "alice", False)
    assert sessions.resolve(store, live) is None  # disabled users have no session
    auth.set_active(store, "alice", True)
    assert sessions.resolve(store, live) == auth.get_user(store, alice.id)
    auth.reset_token(store, "alice")
    assert sessions.resolve(store, live) is None  # a new token ends the old sessions


def test_audit_is_for_admins(store: Store) -> None:
    from annotation_app.errors import PermissionDenied

    auth.add_user(store, "alice", "annotator")
    auth.add_user(store, "root", "admin")
    alice, root = auth.list_users(store)
    _attempts(store, "nonsense", "c", T0, 1)
    with pytest.raises(PermissionDenied):
        logins.audit(store, alice)
    table: Any = logins.audit(store, root)
    assert table[["outcome", "user", "key id", "client"]].values.tolist() == [
        ["wrong", "—", "—", "c"]
    ]


def test_an_unusable_store_is_a_one_line_error_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_DB, db_url(tmp_path / "missing" / "annotations.sqlite"))
    open_served.cache_clear()
    r = _client().post(f"{PREFIX}/login", json={"token": "mb_x_y"}, headers=ORIGIN)
    assert r.status_code == 503 and r.json()["error"].startswith("--db:")
    open_served.cache_clear()
