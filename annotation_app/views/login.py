"""The login page: a token field that posts to the login route (web_routes.py), which sets the
session cookie. Failed attempts are throttled and every attempt is audited there."""

from __future__ import annotations

import streamlit as st

from benchmark.webapp.component import component

from ..web_routes import PREFIX


def render() -> None:
    st.title("musebench annotation")
    st.write("Paste the login token an admin gave you.")
    component("musebench.login_form", "annotation_app", "login_form")(
        key="login", data={"url": f"{PREFIX}/login"}
    )
