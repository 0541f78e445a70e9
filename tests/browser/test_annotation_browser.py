"""The served annotation app in Debian's headless chromium (`musebench annotate serve`, Selenium +
chromedriver, never a downloaded browser), with hostile responses: an annotator rates them from
the keyboard while a loopback listener waits for any request the page makes; sessions survive a
reload and a deep link; admins land on an admin page without taking a response; active time
counts only on screen, focused, logged in and not idle. Screenshots go to test-artifacts/."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from annotation_app import assignments as q
from annotation_app import auth, sessions
from annotation_app.importer import import_run
from annotation_app.store import Assignment, Rating, Store
from tests.annotation_support import db_url, make_run, new_store
from tests.browser import chromium
from tests.browser.annotation_ui import (
    ARTIFACTS,
    logged_in,
    login,
    open_assignment,
    panel,
    press,
    saved,
    serving,
    shadow,
    until,
    viewport,
    write_comment,
)
from tests.browser.hostile import PWNED, Listener, html_page, listening, markdown_payload

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium.available(), reason=chromium.MISSING),
]

TASKS = ["ei_burnout_icu_nurse", "vd_alert_banners", "cw_abecedarian_heist"]
TITLE = "musebench annotation"
# Every element on the page that could fetch, and the iframes (which must all be sandboxed).
_FETCHERS = """
const roots = [document, ...[...document.querySelectorAll('*')].filter(e => e.shadowRoot).map(e => e.shadowRoot)];
const url = arguments[0];
const out = {fetchers: [], frames: []};
for (const r of roots) {
  for (const e of r.querySelectorAll('img, a[href], link[href], script[src], iframe, object, embed, video, audio, source, form')) {
    // A sandboxed frame's document (srcdoc) is checked below, not as a fetch of this page.
    const attrs = [...e.attributes].filter(a => a.name !== 'srcdoc').map(a => a.value).join(' ');
    if (attrs.includes(url)) out.fetchers.push(e.outerHTML.slice(0, 120));
  }
  for (const f of r.querySelectorAll('iframe')) out.frames.push([f.getAttribute('sandbox'), (f.srcdoc || '').slice(0, 60)]);
}
return out;
"""


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    with listening() as lis:
        yield lis


@pytest.fixture
def study(tmp_path: Path, listener: Listener) -> Iterator[dict[str, Any]]:
    def text(task: Any, sample: int) -> str:
        if task.category == "visual_design":
            return html_page(listener.url)
        return markdown_payload(listener.url) + "\n\n" + "A calm paragraph of the reply. " * 60

    store = new_store(tmp_path)
    run = make_run(tmp_path / "run", task_ids=TASKS, samples=1, text=text)
    import_run(store, run, overlap=2)
    tokens = {
        name: auth.add_user(store, name, role)
        for name, role in (("ann01", "annotator"), ("ann02", "annotator"), ("root", "admin"))
    }
    users = {u.name: u.id for u in auth.list_users(store)}
    yield {
        "store": store,
        "db": db_url(tmp_path / "annotations.sqlite"),
        "tokens": tokens,
        "users": users,
        "log": tmp_path / "serve.log",
    }
    store.dispose()


@pytest.fixture
def driver(tmp_path: Path) -> Iterator[Any]:
    drv = chromium.headless_chrome(tmp_path / "chromium-profile")
    drv.set_page_load_timeout(60)
    viewport(drv)
    try:
        yield drv
    finally:
        drv.quit()
        shutil.rmtree(tmp_path / "chromium-profile", ignore_errors=True)


def _shot(driver: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    assert driver.save_screenshot(str(ARTIFACTS / name))


def _current(store: Store, user_id: int) -> q.AssignmentView:
    """The user's open response (the page claims it: wait for that)."""
    until(lambda: open_assignment(store, user_id) is not None, what="the page to claim a response")
    view = q.current(store, user_id)
    assert view is not None
    return view


def _rate_all(
    driver: Any, n_items: int, negative: set[str], keys: str = "mnu"
) -> tuple[dict[str, str], int]:
    """Every item from the keyboard, in the order the panel moves through them; returns what
    was given per item id, and how many items describing a failure were shown (their buttons
    say what Met means)."""
    given: dict[str, str] = {}
    failures = 0
    for i in range(n_items):
        state = until(lambda: panel(driver), what="the rubric panel")
        is_failure = state["current"] in negative
        failures += is_failure
        met_label = state["negative_labels"][0]
        assert met_label == ("Met: it fails this way (M)" if is_failure else "Met (M)")
        key = keys[i % len(keys)]
        given[state["current"]] = {"m": "met", "n": "not_met", "u": "unsure"}[key]
        press(driver, key)
        until(
            lambda i=i: panel(driver)["counter"].startswith(f"Rubric · {i + 1}/"),
            what=f"item {i + 1} to be answered",
        )
    return given, failures


def test_hostile_responses_stay_inert_while_an_annotator_rates_them(
    study: dict[str, Any], driver: Any, listener: Listener
) -> None:
    from selenium.webdriver.common.by import By

    store, uid = study["store"], study["users"]["ann01"]
    expected: dict[int, dict[str, str]] = {}
    comments: dict[int, tuple[str, str]] = {}
    failure_items = 0
    with serving(study["db"], log=study["log"]) as url:
        login(driver, url, study["tokens"]["ann01"])
        for n in range(len(TASKS)):
            view = _current(store, uid)
            state = until(
                lambda aid=view.assignment_id: (s := panel(driver)) and s["aid"] == aid and s,
                what=f"response {n + 1}",
            )
            assert driver.title == TITLE
            found = driver.execute_script(_FETCHERS, listener.url)
            assert found["fetchers"] == [], found["fetchers"]
            # Every iframe is a sandboxed page frame granting nothing, its policy first.
            for sandbox, doc in found["frames"]:
                assert sandbox == "" and doc.startswith(
                    '<meta http-equiv="Content-Security-Policy"'
                )
            if view.category == "visual_design":
                assert len(found["frames"]) == 1
                frame = until(lambda: shadow(driver, ".mb-frame"), what="the page frame")
                _shot(driver, "annotation-page-desktop.png")
                frame.find_element(By.CSS_SELECTOR, "button[data-mode=mobile]").click()
                _shot(driver, "annotation-page-mobile.png")
                frame.find_element(By.CSS_SELECTOR, ".mb-frame-enlarge").click()
                _shot(driver, "annotation-page-enlarged.png")
                press(driver, "\ue00c")  # Escape closes the enlarged page
            else:
                _shot(driver, f"annotation-rate-{view.category}.png")
            # At 1280x800 the verdict buttons and Submit are above the fold.
            assert state["verdicts_bottom"] <= state["window_height"] == 800, state
            assert state["submit_bottom"] <= state["window_height"], state
            n_items = int(state["counter"].split("/")[1].split()[0])
            negative = {it.item_id for it in view.items if it.negative}
            given, failures = _rate_all(driver, n_items - 1, negative)
            failure_items += failures
            # The last item: a verdict and a comment typed but never confirmed with Enter.
            last = panel(driver)["current"]
            write_comment(driver, f"unsure about item {last}")
            press(driver, "\ue00c")  # Escape leaves the comment box
            press(driver, "n")
            given[last] = "not_met"
            until(lambda: saved(driver) and not panel(driver)["submit_disabled"], what="submit")
            expected[view.assignment_id] = given
            comments[view.assignment_id] = (last, f"unsure about item {last}")
            press(driver, "\ue007", ctrl=True)  # Ctrl+Enter
            until(
                lambda aid=view.assignment_id: open_assignment(store, uid) != aid,
                what="the submission",
            )
            assert driver.title == TITLE
        until(lambda: "Nothing left" in driver.page_source, what="the end of the queue")
        _shot(driver, "annotation-done.png")
    assert failure_items >= 3  # the failure wording was shown, and checked, on real items
    # Nothing fetched, nothing run, and the store holds exactly the ratings the test made.
    assert listener.connections == [] and listener.requests == []
    assert driver.title == TITLE and driver.title != PWNED
    with store.read() as s:
        ratings = list(s.scalars(select(Rating)))
    got: dict[int, dict[str, str]] = {}
    for r in ratings:
        got.setdefault(r.assignment_pk, {})[r.item_id] = r.verdict
        if comments[r.assignment_pk][0] == r.item_id:
            assert r.comment == comments[r.assignment_pk][1]
        else:
            assert r.comment == ""
    assert got == expected


def test_reload_deep_links_logout_and_the_admin_landing(study: dict[str, Any], driver: Any) -> None:
    from selenium.webdriver.common.by import By

    store = study["store"]
    with serving(study["db"], log=study["log"]) as url:
        login(driver, url, study["tokens"]["ann02"])
        until(lambda: panel(driver), what="the rubric panel")
        press(driver, "m")
        press(driver, "n")
        until(lambda: panel(driver)["counter"].startswith("Rubric · 2/"), what="two verdicts")
        write_comment(driver, "half-typed note")  # no Enter
        commented = panel(driver)["current"]
        driver.refresh()
        # Still logged in, same response, both verdicts and the comment back.
        state = until(lambda: panel(driver), what="the panel after a reload")
        assert state["counter"].startswith("Rubric · 2/")
        assert state["current"] == commented and state["comment"] == "half-typed note"
        _shot(driver, "annotation-after-reload.png")
        view = _current(store, study["users"]["ann02"])
        assert view.comment(commented) == "half-typed note"
        # A deep link keeps the login; an annotator asking for an admin page is refused.
        driver.get(url + "/my_ratings")
        until(lambda: "My ratings" in driver.page_source and logged_in(driver), what="my ratings")
        driver.get(url + "/admin_agreement")
        until(lambda: "Refused: this page is for admins only" in driver.page_source, what="refusal")
        cookie = driver.get_cookie(sessions.COOKIE)["value"]
        assert sessions.resolve(store, cookie) is not None
        shadow(driver, ".mb-session-button").find_element(By.CSS_SELECTOR, "button").click()
        until(lambda: shadow(driver, ".mb-login"), what="the login form after logging out")
        assert sessions.resolve(store, cookie) is None  # revoked, not only forgotten
        # An admin following a bookmark logs in and lands where it pointed, taking no response.
        login(driver, url, study["tokens"]["root"], path="/admin_logins")
        until(lambda: driver.find_elements(By.TAG_NAME, "h1"), what="a heading")
        assert driver.current_url.endswith("/admin_logins")
        assert driver.find_element(By.TAG_NAME, "h1").text == "Logins"
        driver.get(url + "/")  # home for an admin: Agreement
        until(
            lambda: any(h.text == "Agreement" for h in driver.find_elements(By.TAG_NAME, "h1")),
            what="the admin's home page",
        )
        _shot(driver, "annotation-admin-home.png")
    with store.read() as s:
        taken = s.scalars(
            select(Assignment).where(Assignment.user_pk == study["users"]["root"])
        ).all()
    assert taken == []


def _stored_active(store: Store, user_id: int) -> float:
    return _current(store, user_id).active_seconds


def _sync(driver: Any, key: str) -> None:
    before = int(panel(driver)["saved_rev"])
    press(driver, key)
    until(lambda: int(panel(driver)["saved_rev"]) > before, what="the sync")


def test_active_time_counts_only_on_screen_focused_logged_in_and_not_idle(
    study: dict[str, Any], driver: Any
) -> None:
    import time

    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    store, uid = study["store"], study["users"]["ann01"]
    idle = 3.0
    with serving(study["db"], "--idle-limit-seconds", str(idle), log=study["log"]) as url:
        login(driver, url, study["tokens"]["ann01"])
        until(lambda: panel(driver), what="the rubric panel")
        started = time.monotonic()
        body = driver.find_element(By.TAG_NAME, "body")
        for i in range(8):  # 4 s of reading with the pointer moving
            ActionChains(driver).move_to_element_with_offset(body, 10 + i, 10).perform()
            time.sleep(0.5)
        _sync(driver, "m")
        a1 = _stored_active(store, uid)
        assert 3.0 <= a1 <= time.monotonic() - started + 1.0, a1
        # Another tab in front for 6 s: this one is hidden, nothing counts.
        first = driver.current_window_handle
        driver.switch_to.new_window("tab")
        time.sleep(6)
        driver.close()
        driver.switch_to.window(first)
        _sync(driver, "n")
        a2 = _stored_active(store, uid)
        assert a2 - a1 <= 1.5, (a1, a2)
        # On screen but idle for 8 s: only the idle limit's 3 s count.
        time.sleep(8)
        _sync(driver, "u")
        a3 = _stored_active(store, uid)
        assert idle - 1.0 <= a3 - a2 <= idle + 1.0, (a2, a3)
        # Logged out for 6 s: nothing counts until the next login.
        shadow(driver, ".mb-session-button").find_element(By.CSS_SELECTOR, "button").click()
        until(lambda: shadow(driver, ".mb-login"), what="the login form")
        time.sleep(6)
        login(driver, url, study["tokens"]["ann01"])
        until(lambda: panel(driver), what="the panel again")
        _sync(driver, "m")
        a4 = _stored_active(store, uid)
        wall = time.monotonic() - started
        assert a4 - a3 <= 3.0, (a3, a4)
        assert a4 < wall - 15, (a4, wall)  # over 20 s of the wall clock never counted
        _shot(driver, "annotation-active-time.png")
    with store.read() as s:
        a = s.get(Assignment, _current(store, uid).assignment_id)
        assert a is not None and json.loads(a.draft)
