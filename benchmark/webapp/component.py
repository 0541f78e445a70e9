"""Our own Streamlit components (st.components.v2): JS and CSS kept as files beside the package
that owns them, loaded once per process. Component code is ours and trusted; whatever data it
shows it sets as text, never as HTML."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any


@cache
def component(name: str, package: str, stem: str, *, isolate_styles: bool = True) -> Any:
    """The mount function of component `name`, from `<package>/static/<stem>.js` (and `.css`
    when there is one)."""
    import streamlit as st

    static = resources.files(package).joinpath("static")
    css = static.joinpath(f"{stem}.css")
    return st.components.v2.component(
        name,
        js=static.joinpath(f"{stem}.js").read_text("utf-8"),
        css=css.read_text("utf-8") if css.is_file() else None,
        isolate_styles=isolate_styles,
    )
