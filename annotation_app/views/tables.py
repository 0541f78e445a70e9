"""Tables for the admin pages: missing values shown as "—" (never "None"), long text columns
given room, wide tables scrolling sideways rather than cut."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

MISSING = "—"


def _text(value: Any, digits: int) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return MISSING
    if isinstance(value, float):
        return f"{round(value, digits):g}"
    return str(value)


def dashed(df: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """A copy for display: floats rounded; a column with a missing value becomes text with the
    dash in its place (one type per column, as Arrow wants)."""
    columns: dict[str, Any] = {}
    for col in df.columns:
        values = df[col]
        if not values.isna().any():
            is_float = pd.api.types.is_float_dtype(values)
            columns[col] = values.round(digits) if is_float else values
        else:
            columns[col] = pd.Series(
                [_text(v, digits) for v in values], index=df.index, dtype="string"
            )
    return pd.DataFrame(columns, index=df.index)


def show(
    df: pd.DataFrame,
    *,
    wide: tuple[str, ...] = (),
    config: Mapping[str, Any] | None = None,
    height: int | None = None,
) -> None:
    """`df` with missing values dashed; `wide` columns get a large width, so long texts show."""
    columns: dict[str, Any] = {c: st.column_config.Column(c, width="large") for c in wide}
    columns.update(config or {})
    st.dataframe(
        dashed(df),
        hide_index=True,
        width="stretch",
        column_config=columns,
        height=height if height is not None else "auto",
    )
