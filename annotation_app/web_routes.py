"""HTTP routes beside the Streamlit app (mounted by asgi.py): log in and log out. They set and
clear the session cookie, which a Streamlit page cannot do (it has no HTTP response of its own).

Both take POSTs from this app's own pages only (the Origin header must name this host), so
another site cannot log a visitor in or out. The token never appears in a URL."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from benchmark.errors import UsageError

from . import logins, sessions
from .errors import AuthError, LoginThrottled
from .store import served_store

PREFIX = "/_musebench"
MAX_BODY = 4096


def client_of(request: Request) -> str:
    """The peer address (behind a proxy, the proxy's: throttling then counts per proxy too)."""
    return request.client.host if request.client else ""


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    host = request.headers.get("host", "")
    return origin is not None and urlsplit(origin).netloc == host


def _cookie(response: Response, request: Request, value: str, max_age: int) -> None:
    secure = request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
    response.set_cookie(
        sessions.COOKIE,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="strict",
        secure=secure,
    )


def _error(status: int, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error": message}, status_code=status, headers=headers)


async def login(request: Request) -> Response:
    if not _same_origin(request):
        return _error(403, "refused: not sent by this app's login page")
    body = await request.body()
    if len(body) > MAX_BODY:
        return _error(413, "refused: request too large")
    try:
        payload: Any = await request.json()
        token = str(payload["token"])
    except (ValueError, KeyError, TypeError):
        return _error(400, 'send {"token": ...} as JSON')
    client = client_of(request)

    def work() -> tuple[str, str, int]:
        store = served_store()
        user = logins.login(store, token, client)
        cookie = sessions.create(store, user.id, client)
        return cookie, user.name, int(store.settings.session_hours * 3600)

    try:
        cookie, name, max_age = await run_in_threadpool(work)
    except LoginThrottled as err:
        return _error(429, str(err), **{"Retry-After": str(int(err.retry_after) + 1)})
    except AuthError as err:
        return _error(401, str(err))
    except UsageError as err:  # the store cannot be used: say why, in one line
        return _error(503, str(err))
    response = JSONResponse({"ok": True, "user": name})
    _cookie(response, request, cookie, max_age)
    return response


async def logout(request: Request) -> Response:
    if not _same_origin(request):
        return _error(403, "refused: not sent by this app")
    cookie = request.cookies.get(sessions.COOKIE)
    try:
        await run_in_threadpool(lambda: sessions.revoke(served_store(), cookie))
    except UsageError as err:
        return _error(503, str(err))
    response = JSONResponse({"ok": True})
    _cookie(response, request, "", 0)
    return response


ROUTES = [
    Route(f"{PREFIX}/login", login, methods=["POST"]),
    Route(f"{PREFIX}/logout", logout, methods=["POST"]),
]
