"""The leaderboard's screenshots end to end in Debian's headless chromium: a board built with
`screenshots=True` (the real renderer, benchmark/checks/render/), served, its model page opened on the
visual-design sample: the build's 1280 px screenshot is shown as a same-origin PNG, the switch
brings the 375 px one, and the last choice brings back the sandboxed frame. Screenshot of the
app in test-artifacts/leaderboard-screenshots-{1280,375}.png."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pytest

from benchmark.records.schemas import ResolvedTask
from leaderboard.build import build_board
from leaderboard.files import BOARD_FILE, DETAILS_DIR
from tests.browser import chromium
from tests.leaderboard_helpers import bundle, mini_suites

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
# A page that looks different at 375 px (stacked cards) and 1280 px (three in a row).
PAGE = """<!DOCTYPE html><html><head><style>
body { margin: 0; font-family: sans-serif; background: #f4f1ea; color: #1d1d1d; }
header { background: #1f4e79; color: #fff; padding: 24px; font-size: 28px; }
.cards { display: flex; flex-wrap: wrap; gap: 16px; padding: 24px; }
.card { flex: 1 1 300px; background: #fff; border-radius: 8px; padding: 16px; }
.card b { display: block; font-size: 40px; color: #b5451b; }
</style></head><body><header>Harbour status</header><div class="cards">
<div class="card"><b>12</b>ships in port</div><div class="card"><b>3</b>berths free</div>
<div class="card"><b>98%</b>on time</div></div></body></html>"""


# Frames live in the page-frame component's shadow root: search every root.
DEEP_QUERY = """
const [selector] = arguments;
const out = [];
const visit = (root) => {
  root.querySelectorAll(selector).forEach((e) => out.push(e));
  root.querySelectorAll('*').forEach((e) => { if (e.shadowRoot) visit(e.shadowRoot); });
};
visit(document);
return out;
"""


def _deep(drv: WebDriver, selector: str) -> list[Any]:
    return list(drv.execute_script(DEEP_QUERY, selector))


def _text(task: ResolvedTask, sample: int) -> str:
    return PAGE if task.id == "page" else f"Synthetic answer to {task.id}."


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    if not chromium.available():
        pytest.skip(chromium.MISSING)
    src = tmp_path_factory.mktemp("src")
    bundle(src, "shots", text=_text)
    board = tmp_path_factory.mktemp("board") / "board"
    build_board(src, board, suites=mini_suites(), min_samples=1, screenshots=True)
    key = str(pd.read_parquet(board / BOARD_FILE)["run_key"].iloc[0])
    assert len(list((board / DETAILS_DIR / key).rglob("*.png"))) == 3
    log = tmp_path_factory.mktemp("log") / "serve.log"
    with chromium.serving(["leaderboard", "serve", "--data", str(board)], log=log) as url:
        yield url, key


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    drv = chromium.headless_chrome(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield drv
    finally:
        drv.quit()


def _image(drv: WebDriver, timeout: float = 60) -> dict[str, object]:
    """The shown screenshot's src and natural size, once it has loaded."""
    from selenium.webdriver.support.ui import WebDriverWait

    script = (
        "const i = document.querySelector('[data-testid=stImage] img, "
        "[data-testid=stFullScreenFrame] img');"
        "return i && i.complete && i.naturalWidth ? "
        "{src: i.src, w: i.naturalWidth, h: i.naturalHeight, shown: i.clientWidth} : null"
    )
    found: dict[str, object] = WebDriverWait(drv, timeout).until(lambda d: d.execute_script(script))
    return found


def _pick(drv: WebDriver, label: str) -> None:
    from selenium.webdriver.common.by import By

    option = drv.find_element(
        By.XPATH, f'//*[@data-testid="stRadio"]//label[.//*[normalize-space()="{label}"]]'
    )
    drv.execute_script("arguments[0].scrollIntoView({block: 'center'})", option)
    option.click()


def _choose(drv: WebDriver, label: str, option: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = drv.find_element(
        By.XPATH, f'//*[@data-testid="stSelectbox"][.//label[normalize-space()="{label}"]]//input'
    )
    drv.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
    box.click()
    box.send_keys(option)
    box.send_keys(Keys.ENTER)


def test_model_page_shows_the_builds_screenshots_with_a_width_switch(
    served: tuple[str, str], driver: WebDriver
) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    url, key = served
    d = driver
    d.get(f"{url}/model?run={key}")
    WebDriverWait(d, 60).until(
        lambda x: x.find_elements("css selector", '[data-testid="stSelectbox"] input')
    )
    _choose(d, "Task", "page")
    wide = _image(d)
    # Served by the app itself (Streamlit's media endpoint), a PNG of the build's render.
    assert str(wide["src"]).startswith(f"{url}/media/") and str(wide["src"]).endswith(".png")
    assert wide["w"] == 1280
    assert not _deep(d, "iframe")  # the frame is not shown alongside
    img = d.find_element("css selector", "[data-testid=stImage] img")
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", img)
    time.sleep(1.0)
    ARTIFACTS.mkdir(exist_ok=True)
    assert d.save_screenshot(str(ARTIFACTS / "leaderboard-screenshots-1280.png"))

    _pick(d, "375 px")
    WebDriverWait(d, 60).until(lambda x: _image(x)["w"] == 375)
    narrow = _image(d)
    assert narrow["shown"] == 375  # never scaled up to the column
    assert narrow["src"] != wide["src"] and narrow["h"] == 900  # the 900 px viewport, at least
    img = d.find_element("css selector", "[data-testid=stImage] img")
    d.execute_script("arguments[0].scrollIntoView({block: 'start'})", img)
    time.sleep(1.0)
    assert d.save_screenshot(str(ARTIFACTS / "leaderboard-screenshots-375.png"))

    _pick(d, "Sandboxed page")
    WebDriverWait(d, 60).until(lambda x: _deep(x, "iframe"))
    (frame,) = _deep(d, "iframe")
    assert frame.get_attribute("sandbox") == ""  # the inert frame, granting nothing
    assert not d.find_elements("css selector", "[data-testid=stImage] img")
