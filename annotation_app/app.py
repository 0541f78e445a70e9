"""The annotation app's pages (served by asgi.py: `musebench annotate serve --db URL`).

Every page is registered whether or not someone is logged in, so an address like
/admin_agreement survives the login (the login form reloads the same address). Logged-out
visitors get only the login form. Admins land on Agreement and take no response from the queue
unless they choose to rate; annotators land on Rate and never see admin pages in the menu, and
each admin page refuses them (an annotator typing an admin URL is told no, not shown a blank)."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

# `streamlit run` puts this directory on sys.path, where module names like `store` or `errors`
# could shadow others; the package is imported through its parent instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if not p or Path(p).resolve() != _HERE]
try:
    import annotation_app  # noqa: F401
except ImportError:  # pragma: no cover (a source checkout run without `musebench annotate serve`)
    sys.path.insert(0, str(_HERE.parent))

from annotation_app.views import common, login  # noqa: E402 (after the sys.path fix above)

st.set_page_config(page_title="musebench annotation", page_icon="📝", layout="wide")

user = common.current_user()
home = common.ADMIN_HOME if user is not None and user.is_admin else common.ANNOTATOR_HOME
sections: dict[str, list[StreamlitPage]] = {}
for path, title, section, admin, url_path in common.PAGES:
    shown = user is not None and (user.is_admin or not admin)
    page = st.Page(
        path,
        title=title,
        url_path=url_path,
        default=url_path == home,
        visibility="visible" if shown else "hidden",
    )
    sections.setdefault(section, []).append(page)
if user is None:
    st.navigation(sections, position="hidden")
    login.render()
else:
    nav = st.navigation(sections)
    common.sidebar(user)
    nav.run()
