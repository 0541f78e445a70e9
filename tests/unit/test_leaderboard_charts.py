"""The board's charts label every run (spec checks), the scatter's names do not overlap, and
table links stay on the app's own model page whatever the run key."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pandas as pd
import pytest

from leaderboard.charts import (
    NAME_LIMIT_PX,
    ROW_STEP,
    ci_chart,
    name_sides,
    named_runs,
    quality_diversity_chart,
)
from leaderboard.links import model_page_url


def _frame(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "display": [f"provider/model-{i:03d} with a long name · run-{i}" for i in range(n)],
            "overall": [90.0 - i for i in range(n)],
            "overall_ci_low": [80.0 - i for i in range(n)],
            "overall_ci_high": [95.0 - i for i in range(n)],
            "rank": list(range(1, n + 1)),
            "div_vendi": [1.0 + 0.1 * i for i in range(n)],
            "provider": ["p"] * n,
            "weights": ["open"] * n,
        }
    )


def _layers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return list(spec["layer"])


def test_ci_chart_gives_every_run_a_row_and_a_whole_label() -> None:
    frame = _frame(120)
    spec = ci_chart(frame).to_dict()
    assert spec["height"] == {"step": ROW_STEP}  # grows with the rows: 120 x 24 px
    for layer in _layers(spec):
        axis = layer["encoding"]["y"]["axis"]
        assert axis["labelOverlap"] is False and axis["labelLimit"] == NAME_LIMIT_PX
        assert layer["encoding"]["y"]["sort"] == frame["display"].tolist()
    data = next(iter(spec["datasets"].values()))
    assert [row["display"] for row in data] == frame["display"].tolist()
    # The longest name here, 42 characters of 11 px type, fits the limit with room to spare.
    assert max(len(d) for d in frame["display"]) * 6.2 < NAME_LIMIT_PX


def test_scatter_names_its_points_as_text_marks() -> None:
    frame = _frame(3)
    spec = quality_diversity_chart(frame, "div_vendi", "Vendi").to_dict()
    assert [layer["mark"]["type"] for layer in _layers(spec)] == ["circle", "text", "text"]
    named = []
    for layer, align in zip(_layers(spec)[1:], ["left", "right"], strict=True):
        assert layer["mark"]["align"] == align  # names right of their point, then left
        assert layer["encoding"]["text"]["field"] == "display"
        named += [row["display"] for row in spec["datasets"][layer["data"]["name"]]]
    assert sorted(named) == sorted(frame["display"])  # three points far apart: all named


def test_name_sides_never_overlap_or_leave_the_plot() -> None:
    # Scaled to the 600 x 340 px plot: x 0..1 -> 0..600, y 0..34 -> 0..340 px; 6.2 px a letter.
    x = [0.0, 0.0, 0.0, 1.0, 0.0]
    y = [0.0, 1.0, 1.4, 1.0, 34.0]
    names = ["best", "10 px above best", "4 px above the second", "right edge", "top"]
    # The second sits 10 px above the first (a 13 px line) and has no room on its left: no
    # name. The third is 14 px from the first and 4 from the unnamed second: right. The
    # fourth is at the right edge: its name goes left.
    assert name_sides(x, y, names) == ["right", None, "right", "left", "right"]
    # Identical points at the left edge: the first (best ranked) is named on the right; the
    # second's name would overlap it on the right and leave the plot on the left.
    assert name_sides([0.0, 0.0, 1.0], [5.0, 5.0, 0.0], ["a", "b", "c"])[:2] == ["right", None]
    # Mid-plot, the second name of two identical points goes left.
    sides = name_sides([0.0, 0.5, 0.5, 1.0], [0.0, 5.0, 5.0, 10.0], list("wabz"))
    assert sides[1:3] == ["right", "left"]


def test_named_runs_prefers_the_better_rank() -> None:
    frame = _frame(2)
    frame["div_vendi"] = [2.0, 2.0]
    frame["overall"] = [50.0, 50.0]
    frame["rank"] = [2, 1]
    named = named_runs(frame, "div_vendi")
    # One spot (mid-plot, both axes collapsed): the better rank takes the right-hand side.
    assert named["display"].tolist() == frame["display"].iloc[[1, 0]].tolist()
    assert named["side"].tolist() == ["right", "left"]


@pytest.mark.parametrize(
    "key",
    [
        "run-20261206T050956Z-83128655",
        "javascript:document.title='pwned'",
        "//127.0.0.1:9/elsewhere",
        "https://127.0.0.1:9/elsewhere",
        "data:text/html,<script>alert(1)</script>",
        "../../admin?x=1#frag",
        " \tjavascript:alert(1)",
    ],
)
def test_model_links_stay_on_the_model_page(key: str) -> None:
    url = model_page_url(key)
    assert url.startswith("model?run=")
    for page in ("http://board.example/", "http://board.example/model?run=other"):
        target = urlsplit(urljoin(page, url))
        assert (target.scheme, target.netloc, target.path) == ("http", "board.example", "/model")
        assert parse_qs(target.query) == {"run": [key]}
