"""What `musebench leaderboard serve` runs: the board (app.py) as an `st.App`, so that every
response carries the security headers (benchmark/webapp/security.py). The board may be framed by
the Hugging Face Hub page of its Space, and by nothing else."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

# From a source checkout (not pip-installed) the project root must be importable.
if importlib.util.find_spec("benchmark") is None:  # pragma: no cover - depends on install
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import streamlit as st
from starlette.middleware import Middleware

from benchmark.webapp.security import SecurityHeaders

HUB_FRAMERS = "'self' https://huggingface.co https://*.huggingface.co https://*.hf.space"

app = st.App(
    Path(__file__).resolve().with_name("app.py"),
    middleware=[Middleware(SecurityHeaders, frame_ancestors=HUB_FRAMERS)],
)
