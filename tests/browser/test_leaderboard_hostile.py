"""A board whose bundle carries payloads in every free field, served by the real `musebench
leaderboard serve` and visited in Debian's headless chromium: the model and judge names and the
run id carry `name_payload` (a remote image, a "verified by HF" link, an <img onerror>), the
responses, transcript turns and rationales `markdown_payload`, the visual-design answer
`html_page` (scripts, remote CSS and fonts, frames, forms, navigation, reaching into the app).
Every payload points at a loopback listener. The board, model (desktop and mobile page views)
and about pages are visited; the listener must see no connection at all, the tab title must
never become the payload's, no element may carry a payload URL in an attribute, and the names
must read as the literal text they are. Screenshots: test-artifacts/leaderboard-hostile-*.png."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pandas as pd
import pytest

from leaderboard.build import build_board
from leaderboard.files import BOARD_FILE, META_FILE
from tests.browser import chromium
from tests.browser.hostile import PWNED, Listener, listening, name_payload
from tests.leaderboard_helpers import bundle, constant, edit_json, hostile_bundle, mini_suites

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
SETTLE = 3.0  # seconds for timers, refreshes and late requests a payload could set off
# Attributes holding a URL the browser fetches or follows (*|href: in any namespace, SVG too).
URL_ATTRIBUTES = (
    "src", "srcset", "*|href", "poster", "data", "action", "formaction", "background", "ping",
)  # fmt: skip


@dataclass
class Served:
    url: str
    listener: Listener
    spec: str  # the hostile model (and judge) name
    run_key: str


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    if not chromium.available():
        pytest.skip(chromium.MISSING)
    with listening() as listener:
        src = tmp_path_factory.mktemp("src")
        hostile_bundle(src, listener.url)
        bundle(src, "plain", verdict=constant(True))
        liar = hostile_bundle(src, listener.url, name="hostile-liar")
        edit_json(liar / "manifest.json", lambda m: m.update(run_id="another run"))
        edit_json(liar / "scores.json", lambda s: s["overall"].update(score=100.0))
        board = tmp_path_factory.mktemp("board") / "board"
        build_board(src, board, suites=mini_suites(), workers=1, min_samples=1)
        spec = name_payload(listener.url)
        edit_json(board / META_FILE, lambda m: m["notes"].append(f"a note naming {spec}"))
        frame = pd.read_parquet(board / BOARD_FILE).set_index("model")
        log = tmp_path_factory.mktemp("log") / "serve.log"
        with chromium.serving(["leaderboard", "serve", "--data", str(board)], log=log) as url:
            yield Served(url, listener, spec, str(frame.loc[spec, "run_key"]))


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    drv = chromium.headless_chrome(tmp_path_factory.mktemp("chromium-profile"), console=True)
    drv.set_window_size(1280, 1000)
    try:
        yield drv
    finally:
        drv.quit()


def _wait(drv: WebDriver, css: str, timeout: float = 30) -> WebElement:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    found: WebElement = WebDriverWait(drv, timeout).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, css))
    )
    return found


def _wait_text(drv: WebDriver, text: str, timeout: float = 30) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(drv, timeout).until(lambda d: text in d.find_element("tag name", "body").text)


# Walks the page and every open shadow root (custom components render into one).
_DEEP_QUERY = """
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
    return list(drv.execute_script(_DEEP_QUERY, selector))


def _assert_inert(drv: WebDriver, served: Served) -> None:
    """Nothing on the page fetches or links to the listener, and no payload ran."""
    assert PWNED not in drv.title.lower(), drv.title
    for attribute in URL_ATTRIBUTES:
        found = _deep(drv, f'[{attribute}*="{served.listener.url}"]')
        assert not found, [e.get_attribute("outerHTML")[:200] for e in found]
    for img in _deep(drv, "img"):
        assert not str(img.get_attribute("src")).startswith("http://127.0.0.1"), img
    # Every frame on the page is a sandboxed artefact frame with no permission at all.
    for frame in _deep(drv, "iframe"):
        assert frame.get_attribute("sandbox") == "", frame.get_attribute("outerHTML")[:200]


def _choose(drv: WebDriver, label: str, option: str) -> None:
    """Pick `option` in the selectbox labelled `label` by typing it, as a keyboard user would."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = drv.find_element(
        By.XPATH, f'//*[@data-testid="stSelectbox"][.//label[normalize-space()="{label}"]]//input'
    )
    drv.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
    box.click()
    box.send_keys(option)
    box.send_keys(Keys.ENTER)


def _shot(drv: WebDriver, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"leaderboard-hostile-{name}.png"
    assert drv.save_screenshot(str(path))
    assert path.stat().st_size > 10_000
    return path


def test_hostile_bundle_stays_inert_on_every_page(served: Served, driver: WebDriver) -> None:
    from selenium.webdriver.common.by import By

    d = driver
    # ----------------------------------------------------------------- the board
    d.get(served.url)
    _wait(d, '[data-testid="stDataFrame"]')
    _wait(d, '[data-testid="stVegaLiteChart"] svg, [data-testid="stVegaLiteChart"] canvas')
    _wait_text(d, f"a note naming {served.spec}")  # the note, its markdown shown as text
    d.find_element(By.XPATH, '//*[@role="tab"][.//*[contains(text(), "Diversity")]]').click()
    time.sleep(SETTLE)
    _assert_inert(d, served)
    names = d.execute_script(
        "return Array.from(document.querySelectorAll('[data-testid=stVegaLiteChart] text'))"
        ".map((t) => t.textContent)"
    )
    assert any(n.startswith("evil/model ![x](") for n in names), names  # labels: plain text
    _shot(d, "board")
    charts = [c for c in d.find_elements(By.CSS_SELECTOR, '[data-testid="stVegaLiteChart"]')]
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", charts[-1])
    time.sleep(1.0)
    _shot(d, "board-scatter")

    # ----------------------------------------------------------------- the model page
    d.get(f"{served.url}/model?run={quote(served.run_key, safe='')}")
    heading = _wait(d, "h1")
    assert heading.text == served.spec  # the name as written: no image, link or bold
    assert not heading.find_elements(By.CSS_SELECTOR, "*")
    _wait_text(d, f"judge {served.spec}")
    _wait_text(d, "Here is my answer, with a picture: ![beacon](")  # the story, as written
    time.sleep(SETTLE)
    _assert_inert(d, served)
    _shot(d, "model")

    _choose(d, "Task", "talk")
    _wait_text(d, "[image: beacon] (" + served.listener.url)  # a user turn, markdown inert
    time.sleep(1.0)
    _assert_inert(d, served)
    turn = d.find_element(By.XPATH, '//p[normalize-space()="System prompt"]')
    d.execute_script("arguments[0].scrollIntoView({block: 'start'})", turn)
    time.sleep(0.5)
    _shot(d, "model-conversation")

    _choose(d, "Task", "page")
    _wait_text(d, "Rendered page")
    deadline = time.monotonic() + 30
    while not _deep(d, 'button[data-mode="mobile"]') and time.monotonic() < deadline:
        time.sleep(0.3)
    (frame,) = _deep(d, "iframe")
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", frame)
    time.sleep(SETTLE)
    _assert_inert(d, served)
    _shot(d, "model-page-desktop")
    (mobile,) = _deep(d, 'button[data-mode="mobile"]')
    mobile.click()
    time.sleep(1.0)
    (frame,) = _deep(d, "iframe")
    assert frame.get_attribute("style").startswith("width: 375px")
    assert mobile.get_attribute("aria-pressed") == "true"
    time.sleep(SETTLE)
    _assert_inert(d, served)
    _shot(d, "model-page-mobile")

    # ----------------------------------------------------------------- about & rejected
    d.get(f"{served.url}/about")
    _wait(d, '[data-testid="stDataFrame"]')
    _wait_text(d, f"a note naming {served.spec}")
    tables = d.find_elements(By.CSS_SELECTOR, '[data-testid="stDataFrame"]')
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", tables[-1])
    time.sleep(SETTLE)
    _assert_inert(d, served)
    _shot(d, "about")

    time.sleep(SETTLE)
    assert PWNED not in d.title.lower()
    # The whole visit: not one connection reached the listener, let alone a request.
    assert served.listener.connections == [], served.listener.requests
    assert served.listener.requests == []
    # Nothing the app's own page did was refused by its policy (the app policy allows 'self';
    # refusals inside the artefact frame name its stricter policy and are expected).
    refused = [
        e["message"]
        for e in d.get_log("browser")
        if "Content Security Policy" in e["message"] and "'self'" in e["message"]
    ]
    assert refused == [], json.dumps(refused, indent=1)
