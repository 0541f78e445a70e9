"""Shared by the renderer's tests: one Renderer per test module (a chromium start costs about a
second), skipping with the reason when chromium is absent."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from benchmark.checks.render.browser import ChromiumNotFound, find_chromium


def require_chromium() -> None:
    try:
        find_chromium()
    except ChromiumNotFound as err:
        pytest.skip(f"visual checks need chromium: {err}")


def renderer_fixture(**kwargs: object) -> Iterator[object]:
    require_chromium()
    from benchmark.checks.render.renderer import Renderer

    with Renderer(**kwargs) as r:  # type: ignore[arg-type]
        yield r
