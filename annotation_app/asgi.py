"""What `musebench annotate serve` runs: the annotation app (app.py) as an `st.App`, with the login
and logout routes (web_routes.py) and the security headers on every response
(benchmark/webapp/security.py)."""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
# `streamlit run` puts this directory on sys.path, where module names like `store` or `errors`
# could shadow others; the package is imported through its parent instead.
sys.path[:] = [p for p in sys.path if not p or Path(p).resolve() != _HERE]
try:
    import annotation_app  # noqa: F401
except ImportError:  # pragma: no cover (a source checkout run without `musebench annotate serve`)
    sys.path.insert(0, str(_HERE.parent))

import streamlit as st  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402

from annotation_app.web_routes import ROUTES  # noqa: E402
from benchmark.webapp.security import SecurityHeaders  # noqa: E402

app = st.App(
    _HERE / "app.py",
    routes=ROUTES,
    middleware=[Middleware(SecurityHeaders, frame_ancestors="'none'")],
)
