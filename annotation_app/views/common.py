"""Store access, the logged-in user and the sidebar, shared by every page."""

from __future__ import annotations

from typing import Any

import streamlit as st

from benchmark.errors import UsageError
from benchmark.webapp.component import component
from benchmark.webapp.inert import text_html

from .. import sessions
from ..auth import UserInfo
from ..store import Store, served_store
from ..web_routes import PREFIX

# (file relative to app.py, title, menu section, admin only, url path)
PAGES: list[tuple[str, str, str, bool, str]] = [
    ("app_pages/rate.py", "Rate", "Annotate", False, "rate"),
    ("app_pages/my_ratings.py", "My ratings", "Annotate", False, "my_ratings"),
    ("app_pages/admin_agreement.py", "Agreement", "Admin", True, "admin_agreement"),
    ("app_pages/admin_annotators.py", "Annotators", "Admin", True, "admin_annotators"),
    ("app_pages/admin_comments.py", "Comments & flags", "Admin", True, "admin_comments"),
    ("app_pages/admin_judge.py", "Judge vs humans", "Admin", True, "admin_judge"),
    ("app_pages/admin_response.py", "Response", "Admin", True, "admin_response"),
    ("app_pages/admin_logins.py", "Logins", "Admin", True, "admin_logins"),
]
ANNOTATOR_HOME, ADMIN_HOME = "rate", "admin_agreement"


def store() -> Store:
    try:
        return served_store()
    except UsageError as err:
        st.error(str(err))
        st.stop()


def session_cookie() -> str | None:
    """The session cookie the browser sent when this Streamlit session began (tests replace
    this: AppTest cannot send cookies)."""
    return st.context.cookies.get(sessions.COOKIE)


def current_user() -> UserInfo | None:
    """The user of this browser's live session, or None (checked on every run, so a logout in
    another tab, an expired session or a disabled user takes effect at the next action)."""
    return sessions.resolve(store(), session_cookie())


def require_user() -> UserInfo:
    user = current_user()
    if user is None:
        st.warning("Your session has ended: reload the page to log in again.")
        st.stop()
    return user


def _session_button() -> Any:
    return component("musebench.session_button", "annotation_app", "session_button")


def sidebar(user: UserInfo) -> None:
    with st.sidebar:
        st.html(text_html(f"{user.name} · {user.role}", tag="div", style="font-weight: 600"))
        _session_button()(key="logout", data={"url": f"{PREFIX}/logout", "label": "Log out"})


def refuse(message: str) -> None:
    st.error(f"Refused: {message}.")
    st.stop()
