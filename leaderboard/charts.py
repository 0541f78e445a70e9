"""Altair charts for the app: scores with 95% CIs, quality versus diversity, and a radar of a
run's dimension scores (drawn on Cartesian axes from polar coordinates, since Vega-Lite has no
polar line mark)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import altair as alt
import pandas as pd

RINGS = (25, 50, 75, 100)
# The CI chart gives every run a row this many pixels high, so the chart grows with the board
# and no label is dropped for lack of room (Vega-Lite hides overlapping labels otherwise).
ROW_STEP = 24
# Run names up to about 100 characters are shown whole; longer ones (a submitter's choice) end
# in an ellipsis rather than squeeze the plot; the tooltip and the table have them whole.
NAME_LIMIT_PX = 640
# The scatter names its points beside them, best ranked first, leaving out a name whose box
# would overlap one already placed (Vega-Lite has no label placement of its own). Boxes are
# estimated on a plot of about PLOT_PX at 11 px type: an estimate, since the chart stretches.
POINT_LABEL_PX = 220
SCATTER_HEIGHT = 420
PLOT_PX = (600.0, SCATTER_HEIGHT - 80.0)  # the chart less its axes and title
CHAR_PX, LINE_PX, GAP_PX = 6.2, 13.0, 8.0


def ci_chart(frame: pd.DataFrame, label: str = "display") -> alt.LayerChart:
    """Overall score per run with its 95% CI, best first, every run labelled."""
    data = frame[[label, "overall", "overall_ci_low", "overall_ci_high", "rank"]].dropna(
        subset=["overall"]
    )
    order = data.sort_values(["rank", "overall"], ascending=[True, False])[label].tolist()
    axis = alt.Axis(labelLimit=NAME_LIMIT_PX, labelOverlap=False)
    y = alt.Y(f"{label}:N", sort=order, title=None, axis=axis)
    base = alt.Chart(data).encode(y=y)
    rules = base.mark_rule().encode(
        x=alt.X("overall_ci_low:Q", title="overall score (0-100) with 95% CI"),
        x2="overall_ci_high:Q",
    )
    points = base.mark_point(filled=True, size=60).encode(
        x="overall:Q",
        tooltip=[
            alt.Tooltip(f"{label}:N", title="run"),
            alt.Tooltip("rank:Q"),
            alt.Tooltip("overall:Q", format=".1f"),
            alt.Tooltip("overall_ci_low:Q", format=".1f", title="CI low"),
            alt.Tooltip("overall_ci_high:Q", format=".1f", title="CI high"),
        ],
    )
    return (rules + points).properties(height=alt.Step(ROW_STEP))


def _scaled(values: Sequence[float], size: float) -> list[float]:
    lo, hi = min(values, default=0.0), max(values, default=0.0)
    return [(v - lo) / (hi - lo) * size if hi > lo else size / 2 for v in values]


Box = tuple[float, float, float, float]
Side = Literal["right", "left"]


def _free(box: Box, kept: list[Box]) -> bool:
    inside = box[0] >= -1.0 and box[2] <= PLOT_PX[0] + 1.0
    return inside and all(
        box[2] <= k[0] or k[2] <= box[0] or box[3] <= k[1] or k[3] <= box[1] for k in kept
    )


def name_sides(x: Sequence[float], y: Sequence[float], names: Sequence[str]) -> list[Side | None]:
    """Where each point's name goes: in the order given (best first), right of the point, else
    left of it (near the right edge, or when the right is taken), else nowhere: a name never
    leaves the plot or overlaps a name placed before."""
    kept: list[Box] = []
    out: list[Side | None] = []
    for px, py, name in zip(_scaled(x, PLOT_PX[0]), _scaled(y, PLOT_PX[1]), names, strict=True):
        width = min(len(name) * CHAR_PX, POINT_LABEL_PX)
        top, bottom = py - LINE_PX / 2, py + LINE_PX / 2
        boxes: dict[Side, Box] = {
            "right": (px + GAP_PX, top, px + GAP_PX + width, bottom),
            "left": (px - GAP_PX - width, top, px - GAP_PX, bottom),
        }
        side = next((s for s, box in boxes.items() if _free(box, kept)), None)
        if side is not None:
            kept.append(boxes[side])
        out.append(side)
    return out


def named_runs(frame: pd.DataFrame, metric: str, label: str = "display") -> pd.DataFrame:
    """The scatter's points that carry their name, with the `side` it goes on (name_sides)."""
    data = frame.dropna(subset=["overall", metric])
    data = data.sort_values(["rank", "overall"], ascending=[True, False])
    sides = name_sides(data[metric].tolist(), data["overall"].tolist(), data[label].tolist())
    return data.assign(side=sides).dropna(subset=["side"])


def quality_diversity_chart(
    frame: pd.DataFrame, metric: str, title: str, label: str = "display"
) -> alt.LayerChart:
    """Overall score against a diversity measure, each point named beside it where the name
    fits (named_runs)."""
    data = frame[[label, "overall", metric, "provider", "weights", "rank"]].dropna(
        subset=["overall", metric]
    )
    named = named_runs(data, metric, label)
    x = alt.X(f"{metric}:Q", title=title, scale=alt.Scale(zero=False))
    y = alt.Y("overall:Q", title="overall score (0-100)", scale=alt.Scale(zero=False))
    points = (
        alt.Chart(data)
        .mark_circle(size=80, opacity=0.8)
        .encode(
            x=x,
            y=y,
            color=alt.Color("weights:N", title="weights"),
            tooltip=[
                alt.Tooltip(f"{label}:N", title="run"),
                alt.Tooltip("provider:N"),
                alt.Tooltip("overall:Q", format=".1f"),
                alt.Tooltip(f"{metric}:Q", format=".3f", title=title),
            ],
        )
    )

    def names(side: Side, align: Literal["left", "right"], dx: float) -> alt.Chart:
        return (
            alt.Chart(named[named["side"] == side])
            .mark_text(align=align, baseline="middle", dx=dx, fontSize=11, limit=POINT_LABEL_PX)
            .encode(x=x, y=y, text=f"{label}:N")
        )

    layers = points + names("right", "left", GAP_PX) + names("left", "right", -GAP_PX)
    return layers.properties(height=SCATTER_HEIGHT)


def radar_frame(scores: dict[str, float]) -> pd.DataFrame:
    """Polygon vertices for {axis: score 0-100}, closed by repeating the first vertex."""
    axes = list(scores)
    rows = []
    for i, axis in enumerate([*axes, axes[0]] if axes else []):
        angle = 2 * math.pi * (i % len(axes)) / len(axes)
        r = scores[axis] / 100.0
        rows.append(
            {
                "axis": axis,
                "score": scores[axis],
                "x": r * math.sin(angle),
                "y": r * math.cos(angle),
                "order": i,
            }
        )
    return pd.DataFrame(rows)


def radar_chart(scores: dict[str, float]) -> alt.LayerChart:
    axes = list(scores)
    n = len(axes)
    scale = alt.Scale(domain=[-1.3, 1.3])
    x = alt.X("x:Q", scale=scale, axis=None)
    y = alt.Y("y:Q", scale=scale, axis=None)
    grid_rows = []
    for ring in RINGS:
        for i in range(n + 1):
            angle = 2 * math.pi * (i % n) / n
            grid_rows.append(
                {
                    "ring": ring,
                    "x": ring / 100 * math.sin(angle),
                    "y": ring / 100 * math.cos(angle),
                    "order": i,
                }
            )
    grid = (
        alt.Chart(pd.DataFrame(grid_rows))
        .mark_line(color="#cccccc", strokeWidth=1)
        .encode(x=x, y=y, detail="ring:N", order="order:Q")
    )
    spokes = pd.DataFrame(
        [
            {
                "x": 0.0,
                "y": 0.0,
                "x2": math.sin(2 * math.pi * i / n),
                "y2": math.cos(2 * math.pi * i / n),
            }
            for i in range(n)
        ]
    )
    spoke = alt.Chart(spokes).mark_rule(color="#dddddd").encode(x=x, y=y, x2="x2:Q", y2="y2:Q")
    labels = pd.DataFrame(
        [
            {
                "axis": a,
                "x": 1.15 * math.sin(2 * math.pi * i / n),
                "y": 1.15 * math.cos(2 * math.pi * i / n),
            }
            for i, a in enumerate(axes)
        ]
    )
    text = alt.Chart(labels).mark_text(fontSize=11).encode(x=x, y=y, text="axis:N")
    poly = radar_frame(scores)
    line = (
        alt.Chart(poly)
        .mark_line(color="#d62728", strokeWidth=2, point=True)
        .encode(
            x=x,
            y=y,
            order="order:Q",
            tooltip=[alt.Tooltip("axis:N"), alt.Tooltip("score:Q", format=".1f")],
        )
    )
    return (grid + spoke + text + line).properties(width=420, height=420)


def task_chart(tasks: pd.DataFrame) -> alt.Chart:
    data = tasks.dropna(subset=["score"])
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("score:Q", title="task score (0-100)", scale=alt.Scale(domain=[0, 100])),
            y=alt.Y("task_id:N", sort="-x", title=None),
            color=alt.Color("category:N"),
            tooltip=["task_id", "title", "category", alt.Tooltip("score:Q", format=".1f")],
        )
        .properties(height=max(120, 16 * len(data)))
    )
