"""The render service (benchmark/checks/render/service.py): renders run in threads of their own while
the event loop goes on, one render per page however many ask at once, and the runner renders a
response's page before its rendered checks, which then find it in the store."""

from __future__ import annotations

import asyncio
import shutil
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from benchmark.checks import checks_rendered
from benchmark.checks.render import service
from benchmark.checks.render.store import is_stored, using
from benchmark.engine.providers import MockProvider
from benchmark.engine.providers.base import GenerateRequest
from benchmark.engine.retry import RetryPolicy
from benchmark.engine.runner import RunConfig, Runner
from benchmark.records.rundir import RunDir
from tests.browser.render.support import require_chromium

MINI = Path(__file__).parents[2] / "data" / "mini_suite"
WAIT = 10.0  # seconds a fake render waits for the loop before calling it blocked


class FakeRenders:
    """Stands in for store.facts_for: each render waits until the test releases it."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls: list[tuple[str, str]] = []  # (html, thread name)

    def __call__(self, html: str, root: Path) -> str:
        self.calls.append((html, threading.current_thread().name))
        if not self.release.wait(WAIT):
            raise AssertionError("the event loop never ran while the page rendered")
        return f"visual checks not run: fake render of {html}"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeRenders:
    renders = FakeRenders()
    monkeypatch.setattr(service, "facts_for", renders)
    return renders


def test_the_loop_runs_while_a_page_renders(fake: FakeRenders, tmp_path: Path) -> None:
    async def main() -> str | object:
        rendering = asyncio.create_task(service.render("<p>a</p>", tmp_path))
        await asyncio.sleep(0.01)  # a render on the loop would block here until WAIT ran out
        fake.release.set()
        return await rendering

    assert asyncio.run(main()) == "visual checks not run: fake render of <p>a</p>"
    [(_, thread)] = fake.calls
    assert thread.startswith("musebench-render")


def test_one_render_per_page_however_many_ask(fake: FakeRenders, tmp_path: Path) -> None:
    async def main() -> list[object]:
        asks = [service.render(h, tmp_path) for h in ("<p>a</p>", "<p>a</p>", "<p>b</p>")]
        tasks = [asyncio.create_task(a) for a in asks]
        await asyncio.sleep(0.01)
        fake.release.set()
        return list(await asyncio.gather(*tasks))

    a, a_again, b = asyncio.run(main())
    assert a == a_again != b
    assert sorted(html for html, _ in fake.calls) == ["<p>a</p>", "<p>b</p>"]
    fake.release.set()
    asyncio.run(service.render("<p>a</p>", tmp_path))  # done renders are not kept in flight
    assert [html for html, _ in fake.calls].count("<p>a</p>") == 2


PAGE = "```html\n<!doctype html><main><form><input><button>Join</button></form></main>\n```"


class HtmlModel(MockProvider):
    async def generate(self, request: GenerateRequest):  # type: ignore[no-untyped-def]
        return replace(await super().generate(request), text=PAGE)


@pytest.mark.browser
def test_the_runner_renders_before_the_rendered_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_chromium()
    suite = tmp_path / "suite"
    shutil.copytree(MINI, suite)
    page = suite / "tasks" / "visual_design" / "page.yaml"
    item = (
        "  - {id: no_overflow, dimension: design, text: Fits a phone., points: 1,"
        " check: {type: no_horizontal_overflow}}\n"
    )
    page.write_text(page.read_text().replace("items:\n", "items:\n" + item, 1))
    store = tmp_path / "run" / "render"
    found: list[bool] = []
    sync_facts = checks_rendered.facts_for

    def recording(html: str, root: Path | None = None):  # type: ignore[no-untyped-def]
        found.append(is_stored(html, store))
        return sync_facts(html, root)

    monkeypatch.setattr(checks_rendered, "facts_for", recording)
    config = RunConfig(
        model="mock/q0.7",
        judge="mock/q0.7",
        suite_dir=suite,
        tasks="page",
        progress=False,
        retry=RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02),
    )
    with using(store):
        Runner(
            config,
            tmp_path / "run",
            model_provider=HtmlModel("q0.7"),
            judge_provider=MockProvider("q0.7"),
        ).execute()
    assert found == [True]  # rendered ahead, off the loop; the check only read the store
    [fits] = [j for j in RunDir(tmp_path / "run").judgments() if j.item_id == "no_overflow"]
    assert fits.verdict is True
