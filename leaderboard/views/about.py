"""Methodology, the build's notes, judge calibration per dimension, and every bundle left out
with the reason."""

from __future__ import annotations

from importlib import resources

import pandas as pd
import streamlit as st

from leaderboard.ui import caption, current_board, notice

st.title("About & rejected bundles")
st.markdown(resources.files("leaderboard").joinpath("data/about.md").read_text("utf-8"))

data = current_board()
if data is None:
    st.stop()
meta = data.meta

st.subheader("This build")
for line in (
    f"built {meta.get('built_at', '?')} from {meta.get('source', '?')}",
    "suite versions: "
    + ", ".join(f"{v} ({h[:12]})" for v, h in meta.get("suite_versions", {}).items()),
    f"minimum coverage: {100 * float(meta.get('min_coverage', 0.99)):g}%",
    f"ranking: {meta.get('ranking', {}).get('method', '?')}",
):
    caption(line)
for note in meta.get("notes", []):
    notice(note)

st.subheader("Judge calibration")
calibration = meta.get("calibration") or {}
if calibration:
    st.dataframe(
        pd.DataFrame(
            [
                {"judge": judge, "dimension": dim, **entry}
                for judge, dims in calibration.items()
                for dim, entry in dims.items()
            ]
        ),
        hide_index=True,
        width="stretch",
    )
else:
    st.caption("No human labels were given to this build.")

st.subheader(f"Rejected bundles ({len(data.rejected)})")
if data.rejected:
    st.dataframe(
        pd.DataFrame(data.rejected, columns=["source", "model", "run_id", "code", "reason"]),
        hide_index=True,
        width="stretch",
    )
else:
    st.caption("Every bundle passed verification.")
