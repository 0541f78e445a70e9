"""Spot re-judging of items judged from screenshots (leaderboard/rejudge.py) through the real
Anthropic SDK against the loopback fake: the board renders the page itself and the PNG bytes of
its render are on the wire with those items; without chromium they are left out of the draw,
with the reason, and never asked from the source alone."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PIL import Image

from benchmark.analysis.html_extract import extract_html
from benchmark.checks.render.browser import ChromiumNotFound
from benchmark.checks.render.store import render_dir
from benchmark.engine.judging import item_record
from benchmark.engine.judging.screenshots import parts, tiles
from benchmark.suite import Suite, load_suite
from leaderboard import rejudge
from leaderboard.rejudge import Rejudger, rejudge_config
from tests.browser.render.support import require_chromium
from tests.fakes import FakeAnthropic, structured_schema
from tests.fakes.fixtures import point_anthropic_env
from tests.integration.test_judge_images import PAGE, response, suite_with

JUDGE = "anthropic/judge-x"


def agreeing(body: dict[str, Any]) -> dict[str, Any]:
    """A judge that finds every item met (as the bundle claims)."""
    schema = structured_schema(body) or {}
    return {
        item: {"evidence": "", "rationale": "as judged", "verdict": True}
        for item in schema.get("properties", {})
    }


@pytest.fixture
def judge(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAnthropic]:
    monkeypatch.setenv("MUSEBENCH_REJUDGE_KEY", "maintainer-key-for-tests")
    with FakeAnthropic(agreeing) as server:
        point_anthropic_env(server, monkeypatch)  # type: ignore[arg-type]
        yield server


def bundle_of(suite: Suite, path: Path) -> SimpleNamespace:
    """A verified bundle's parts as the rejudger reads them: one answer to the page task, every
    item claimed met (clear_action: source; looks_calm: screenshots; has_form: a check)."""
    task = suite.task("page")
    resp = response()
    return SimpleNamespace(
        manifest=SimpleNamespace(judge=JUDGE, samples=1, judge_mode="dimension"),
        tasks=[task],
        responses=[resp],
        judgments=[item_record(task, resp, it, JUDGE, verdict=True) for it in task.items],
        path=path,
    )


def sent(server: FakeAnthropic) -> dict[str, list[dict[str, Any]]]:
    """The content blocks of each judge request, by the items it asks about."""
    out = {}
    for r in server.requests_to("/v1/messages"):
        schema = structured_schema(r.body) or {}
        [message] = r.body["messages"]
        content = message["content"]
        blocks = content if isinstance(content, list) else [{"type": "text", "text": content}]
        out[",".join(sorted(schema.get("properties", {})))] = blocks
    return out


@pytest.mark.browser
def test_screenshot_items_are_rejudged_with_the_boards_own_render(
    judge: FakeAnthropic, tmp_path: Path
) -> None:
    require_chromium()
    suite = load_suite(suite_with(tmp_path))
    cache = tmp_path / "cache"
    report = Rejudger(rejudge_config([JUDGE], 10, cache))(bundle_of(suite, tmp_path), suite, ())
    assert report is not None
    assert (report.population, report.drawn, report.rejudged, report.failed) == (2, 2, 2, 0)
    assert report.disagree == 0 and report.left_out is None

    html = extract_html(PAGE)
    assert html is not None
    rendered = render_dir(cache / "rejudge" / "render", html)  # the board's render, by hash
    blocks = sent(judge)
    assert set(blocks) == {"clear_action", "looks_calm"}
    assert [b["type"] for b in blocks["clear_action"]] == ["text"]  # source only, as before
    on_wire = [
        base64.b64decode(b["source"]["data"]) for b in blocks["looks_calm"] if b["type"] == "image"
    ]
    # The tiles of the board's render (one per width: the page is shorter than a tile) ...
    assert on_wire == [part.png for part in parts(tiles(rendered))]
    # ... whose pixels are the stored screenshots'.
    for png, width in zip(on_wire, (375, 768, 1280), strict=True):
        stored = Image.open(rendered / f"{width}.png").convert("RGB")
        sent_image = Image.open(io.BytesIO(png)).convert("RGB")
        assert sent_image.size == stored.size and sent_image.tobytes() == stored.tobytes()


def test_without_chromium_screenshot_items_are_left_out_with_the_reason(
    judge: FakeAnthropic, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing() -> None:
        raise ChromiumNotFound("chromium not found at /usr/bin/chromium (install ...)")

    monkeypatch.setattr(rejudge, "find_chromium", missing)
    suite = load_suite(suite_with(tmp_path))
    config = rejudge_config([JUDGE], 10, tmp_path / "cache")
    report = Rejudger(config)(bundle_of(suite, tmp_path), suite, ())
    assert report is not None
    assert (report.population, report.drawn, report.rejudged) == (1, 1, 1)
    why = (
        "1 verdict(s) judged from screenshots left out of the draw (visual checks not run: "
        "chromium not found at /usr/bin/chromium (install ...))"
    )
    assert report.left_out == why and report.line().endswith(why)
    assert report.as_dict()["left_out"] == why
    assert set(sent(judge)) == {"clear_action"}  # looks_calm never asked from the source
