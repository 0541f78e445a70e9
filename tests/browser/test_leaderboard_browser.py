"""The served leaderboard in Debian's headless chromium: `musebench leaderboard serve` on a
board built from synthetic bundles, the board page and a model page rendered, screenshots in
test-artifacts/."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pytest

from benchmark.records.schemas import ResolvedTask, RubricItem
from leaderboard.build import build_board
from leaderboard.files import BOARD_FILE
from tests.browser import chromium
from tests.leaderboard_helpers import bundle, constant, mini_suites

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
STORY = "The lighthouse keeper climbed the stairs and lit the lamp for the last time."


def _text(name: str) -> Callable[[ResolvedTask, int], str]:
    """The story for every bundle, signed with its name (equal responses would be a copy)."""

    def text(task: ResolvedTask, sample: int) -> str:
        return (
            f"{STORY} ({name})"
            if task.id == "story"
            else f"Synthetic answer to {task.id} ({name})."
        )

    return text


def _quote(item: RubricItem, text: str) -> str:
    return "lit the lamp" if item.id == "has_lighthouse" and "lamp" in text else ""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    if not chromium.available():
        pytest.skip(chromium.MISSING)
    src = tmp_path_factory.mktemp("src")
    bundle(src, "claude-top", verdict=constant(True), text=_text("top"), evidence=_quote)
    # The hand-computed run (HAND_VERDICTS; its texts make the checks agree with them, as the
    # board re-runs the checks): task scores 37.5, 100 and 40, overall 95% CI 37.5 - 100.0.
    bundle(src, "hand", evidence=_quote)
    bundle(src, "openish", model="openai/meta-llama/Llama-3.1-8B-Instruct")
    bundle(src, "floor", model="replay/illustrative-floor", verdict=constant(False))
    board = tmp_path_factory.mktemp("board") / "board"
    build_board(src, board, suites=mini_suites(), min_samples=1)
    log = tmp_path_factory.mktemp("log") / "serve.log"
    with chromium.serving(["leaderboard", "serve", "--data", str(board)], log=log) as url:
        yield url, board


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    drv = chromium.headless_chrome(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield drv
    finally:
        drv.quit()


def _wait_for(drv: WebDriver, css: str, timeout: float = 30) -> WebElement:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    found: WebElement = WebDriverWait(drv, timeout).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, css))
    )
    return found


def test_board_page_renders(served: tuple[str, Path], driver: WebDriver) -> None:
    from selenium.webdriver.common.by import By

    url, _ = served
    driver.get(url)
    title = _wait_for(driver, "h1")
    assert "musebench leaderboard" in title.text
    _wait_for(driver, '[data-testid="stDataFrame"]')
    _wait_for(driver, '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg')
    # The label warning (an inert notice: labels come from the board's data).
    assert "Rows marked “illustrative (demo data)”" in driver.find_element(By.TAG_NAME, "main").text
    # The CI chart names every run on its axis.
    labels = driver.execute_script(
        "return Array.from(document.querySelectorAll("
        "'[data-testid=stVegaLiteChart] .role-axis-label text')).map((t) => t.textContent)"
    )
    runs = ["anthropic/claude-top", "anthropic/hand", "openai/meta-llama/Llama-3.1-8B-Instruct"]
    assert set(runs) < set(labels), labels
    time.sleep(1.0)  # let the grid and chart finish painting before the screenshot
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "leaderboard.png"
    assert driver.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000


def test_model_page_highlights_evidence(served: tuple[str, Path], driver: WebDriver) -> None:
    url, board = served
    frame = pd.read_parquet(board / BOARD_FILE)
    key = frame.loc[frame["model"] == "anthropic/hand", "run_key"].iloc[0]
    driver.get(f"{url}/model?run={key}")
    mark = _wait_for(driver, "mark")
    assert mark.text == "lit the lamp"
    heading = _wait_for(driver, "h1")
    assert heading.text.startswith("anthropic/hand")
    # The headline numbers fit their boxes: the interval was cut to "37.5 – 1…" at six a row.
    # (Streamlit cuts them with an ellipsis on an inner element: every element is measured.)
    # Wait for all six metrics: on a loaded machine the sample viewer's mark can be painted
    # while the page is still re-running and the metrics are not (yet again) in the DOM.
    from selenium.webdriver.support.ui import WebDriverWait

    def metric_values(drv: WebDriver) -> list[list[object]]:
        found: list[list[object]] = drv.execute_script(
            "return Array.from(document.querySelectorAll('[data-testid=stMetricValue], "
            "[data-testid=stMetricValue] *')).map((e) => [e.textContent, e.scrollWidth, "
            "e.clientWidth])"
        )
        return found

    WebDriverWait(driver, 30).until(
        lambda d: len(d.find_elements("css selector", "[data-testid=stMetricValue]")) >= 6
    )
    values = metric_values(driver)
    assert "37.5 – 100.0" in {v for v, _, _ in values}  # the verified overall score's CI
    assert all(scroll <= client for _, scroll, client in values), values
    time.sleep(1.0)
    ARTIFACTS.mkdir(exist_ok=True)
    assert driver.save_screenshot(str(ARTIFACTS / "leaderboard-model.png"))
