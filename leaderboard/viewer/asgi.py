"""What `musebench view` runs: the viewer page (app.py) as an `st.App`, so that every response
carries the security headers (benchmark/webapp/security.py). Framed by nothing."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

# From a source checkout (not pip-installed) the project root must be importable.
if importlib.util.find_spec("benchmark") is None:  # pragma: no cover - depends on install
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import streamlit as st
from starlette.middleware import Middleware

from benchmark.webapp.security import SecurityHeaders

app = st.App(
    Path(__file__).resolve().with_name("app.py"),
    middleware=[Middleware(SecurityHeaders, frame_ancestors="'none'")],
)
