"""The served run viewer in Debian's headless chromium: `musebench view` on two runs made by
`musebench demo` (tests/run_fixtures.py), one of them with a hostile first response and model
name pointing at a loopback listener. The page carries the security headers, the hostile text
reads as text with the judge's quote of it highlighted, nothing connects to the listener and no
script runs. Screenshot: test-artifacts/viewer.png."""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser import chromium
from tests.browser.hostile import PWNED, Listener, listening
from tests.run_fixtures import hostile_copy, make_demo_runs

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Listener]]:
    if not chromium.available():
        pytest.skip(chromium.MISSING)
    root = tmp_path_factory.mktemp("runs")
    runs = make_demo_runs(root)
    with listening() as listener:
        hostile_copy(runs.judged, root / "hostile", url=listener.url)
        log = tmp_path_factory.mktemp("log") / "view.log"
        args = ["view", str(root / "hostile"), str(runs.careful)]
        with chromium.serving(args, log=log) as url:
            yield url, listener


def test_the_viewer_shows_a_hostile_run_as_text(
    served: tuple[str, Listener], tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    url, listener = served
    with urllib.request.urlopen(url) as r:
        policy = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
    driver: WebDriver = chromium.headless_chrome(tmp_path / "profile")
    try:
        driver.set_window_size(1400, 2400)
        driver.get(url)
        mark = WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.TAG_NAME, "mark"))[0]
        assert mark.text == "<script>document.title = 'pwned'</script>"
        heading = driver.find_element(By.TAG_NAME, "h1")
        assert heading.text == f"![m]({listener.url}/name.png)<b>bold</b>"
        # the filters and tabs may paint after the first mark under load: wait for them
        WebDriverWait(driver, 60).until(
            lambda d: all(
                s in d.find_element(By.TAG_NAME, "main").text
                for s in ("Only judge-sample disagreements", "Per-task scores")
            )
        )
        time.sleep(2.0)  # late requests a payload could set off; the grid finishes painting
        assert driver.title != PWNED
        assert not driver.find_elements(By.CSS_SELECTOR, f'[src^="{listener.url}"]')
        assert listener.connections == []
        ARTIFACTS.mkdir(exist_ok=True)
        assert driver.save_screenshot(str(ARTIFACTS / "viewer.png"))
    finally:
        driver.quit()
