"""`musebench render RUN_DIR` on the offline demo's run: screenshots, facts and an index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmark.cli import main
from tests.browser.render.support import require_chromium


@pytest.mark.browser
def test_render_writes_the_store_and_its_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    require_chromium()
    assert main(["demo", "--out", str(tmp_path / "demo")]) == 0
    run = tmp_path / "demo" / "illustrative-careful"
    assert main(["render", str(run), "--tasks", "vd_kpi_card", "--pages", "1"]) == 0
    (line,) = (run / "render" / "index.jsonl").read_text().splitlines()
    entry = json.loads(line)
    assert (entry["task_id"], entry["sample"], entry["errors"]) == ("vd_kpi_card", 0, [])
    rendered = run / "render" / entry["dir"]
    assert entry["html_sha256"].startswith(entry["dir"])
    assert sorted(p.name for p in rendered.iterdir()) == [
        "1280.png",
        "375.png",
        "768.png",
        "facts.json",
    ]
    assert "1 artefact(s) rendered" in capsys.readouterr().out
    # Run again: everything is in the store, so chromium is not even needed.
    from benchmark.checks.render import store

    def no_browser() -> None:
        raise AssertionError("chromium started although every artefact is stored")

    monkeypatch.setattr(store, "shared_renderer", no_browser)
    assert main(["render", str(run), "--tasks", "vd_kpi_card"]) == 0


def test_render_refuses_a_bad_pages_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["render", str(tmp_path), "--pages", "0"]) == 2
    assert capsys.readouterr().err.strip() == "musebench: error: --pages: 0 is not between 1 and 8"
