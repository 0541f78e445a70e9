"""The musebench leaderboard app: `musebench leaderboard serve --data DIR|hf://datasets/ORG/NAME`
(or `streamlit run leaderboard/app.py` with MUSEBENCH_BOARD_DATA set)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

# From a source checkout (not pip-installed) the project root must be importable.
if importlib.util.find_spec("leaderboard") is None:  # pragma: no cover - depends on install
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import streamlit as st

from leaderboard.links import MODEL_PAGE

# An emoji favicon is drawn by the browser (a data: URL); a `:material/...:` page icon would be
# fetched from fonts.gstatic.com, which the app's Content-Security-Policy refuses.
st.set_page_config(page_title="musebench leaderboard", page_icon="🏆", layout="wide")

HERE = Path(__file__).resolve().parent
pages = [
    st.Page(
        str(HERE / "views" / "board.py"),
        title="Leaderboard",
        icon=":material/leaderboard:",
        default=True,
    ),
    st.Page(
        str(HERE / "views" / "model.py"),
        title="Model",
        icon=":material/query_stats:",
        url_path=MODEL_PAGE,
    ),
    st.Page(
        str(HERE / "views" / "about.py"),
        title="About & rejected",
        icon=":material/fact_check:",
        url_path="about",
    ),
]
st.navigation(pages).run()
