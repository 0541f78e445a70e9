"""A real browser against the served app: `musebench annotate serve` (streamlit run, headless, on
loopback) driven by Debian's chromium through Selenium + chromedriver (never a downloaded
browser). Logs in, rates with the keyboard shortcuts, submits, and saves screenshots under
test-artifacts/."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotation_app import auth
from annotation_app.importer import import_run
from annotation_app.store import Assignment, Rating
from tests.annotation_support import db_url, make_run, new_store
from tests.browser import chromium

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not chromium.available(),
        reason=chromium.MISSING,
    ),
]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[dict[str, object]]:
    run = make_run(tmp_path / "run", n_tasks=1, samples=2)
    store = new_store(tmp_path)
    import_run(store, run, overlap=1)
    token = auth.add_user(store, "alice", "annotator")
    port = chromium.free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "benchmark",
            "annotate",
            "serve",
            "--db",
            db_url(tmp_path / "annotations.sqlite"),
            "--port",
            str(port),
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        chromium.wait_healthy(url, proc)
        yield {"url": url, "token": token, "store": store}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the whole session: the server and anything it started
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        store.dispose()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    driver = chromium.headless_chrome(tmp_path / "chromium-profile")
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(tmp_path / "chromium-profile", ignore_errors=True)


def _draft(store: object) -> dict[str, dict[str, str]]:
    with store.read() as s:  # type: ignore[attr-defined]
        a = s.query(Assignment).one()
        return dict(json.loads(a.draft))


def test_login_rate_with_keyboard_and_submit(served: dict[str, object], browser: object) -> None:
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    d = browser
    wait = WebDriverWait(d, 30)  # type: ignore[arg-type]
    ARTIFACTS.mkdir(exist_ok=True)
    d.get(str(served["url"]))  # type: ignore[attr-defined]
    box = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "input[type=password]")))
    box.send_keys(str(served["token"]) + Keys.ENTER)
    wait.until(ec.presence_of_element_located((By.XPATH, "//*[contains(text(), 'Response 1')]")))
    store = served["store"]
    counter = d.find_element(By.XPATH, "//*[contains(text(), 'answered')]")  # type: ignore[attr-defined]
    m = re.search(r"0/(\d+) answered", counter.text)
    assert m, counter.text
    n_items = int(m.group(1))

    # Every verdict from the keyboard: M (met) for the first item, N (not met) for the others.
    # The store is the truth: a key pressed while the page reruns may be dropped, so a key is
    # re-sent (same key, same item: harmless) until the store and the page show the verdict.
    short = WebDriverWait(d, 8)  # type: ignore[arg-type]
    while len(_draft(store)) < n_items:
        expected = len(_draft(store)) + 1
        for _attempt in range(3):
            d.find_element(By.TAG_NAME, "body").send_keys("m" if expected == 1 else "n")  # type: ignore[attr-defined]
            try:
                short.until(lambda _d, e=expected: len(_draft(store)) >= e)
                short.until(
                    ec.presence_of_element_located(
                        (By.XPATH, f"//*[contains(text(), '{expected}/{n_items} answered')]")
                    )
                )
                break
            except TimeoutException:
                continue
        else:
            pytest.fail(f"item {expected}: the keyboard shortcut did not register")
    draft = _draft(store)
    assert len(draft) == n_items
    assert sorted(v["verdict"] for v in draft.values()).count("met") == 1
    d.save_screenshot(str(ARTIFACTS / "annotation_rate.png"))  # type: ignore[attr-defined]

    submit = wait.until(
        ec.element_to_be_clickable((By.XPATH, "//button[.//p[normalize-space()='Submit']]"))
    )
    submit.click()
    wait.until(ec.presence_of_element_located((By.XPATH, "//*[contains(text(), 'Response 2')]")))
    with store.read() as s:  # type: ignore[attr-defined]
        ratings = s.query(Rating).all()
    assert len(ratings) == n_items
    d.save_screenshot(str(ARTIFACTS / "annotation_after_submit.png"))  # type: ignore[attr-defined]
