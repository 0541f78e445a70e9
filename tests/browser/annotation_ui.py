"""Driving the served annotation app in Debian's chromium: serve a store with `musebench annotate
serve`, log in through the login form, read and drive the rubric panel (a component in a shadow
root, so its state is read with small scripts)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.browser import chromium

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"

# The shadow root of the component whose root element matches the selector.
_ROOT = """
const sel = arguments[0];
const host = [...document.querySelectorAll('[data-testid="stBidiComponentIsolated"]')]
  .find(h => h.shadowRoot && h.shadowRoot.querySelector(sel));
return host ? host.shadowRoot : null;
"""
PANEL_STATE = (
    _ROOT.replace("return host ? host.shadowRoot : null;", "")
    + """
if (!host) return null;
const r = host.shadowRoot;
const p = r.querySelector('.mb-panel');
const pressed = [...r.querySelectorAll('.mb-verdict')].find(b => b.getAttribute('aria-pressed') === 'true');
const bottom = (sel) => r.querySelector(sel).getBoundingClientRect().bottom;
return {
  aid: Number(p.dataset.aid),
  verdicts_bottom: bottom('.mb-verdicts'),
  submit_bottom: bottom('[data-testid=mb-submit]'),
  window_height: window.innerHeight,
  counter: r.querySelector('[data-testid=mb-counter]').textContent,
  status: r.querySelector('[data-testid=mb-status]').textContent,
  current: p.dataset.current,
  verdict: pressed ? pressed.dataset.verdict : null,
  submit_disabled: r.querySelector('[data-testid=mb-submit]').disabled,
  comment: r.querySelector('.mb-comment').value,
  comment_focused: r.activeElement === r.querySelector('.mb-comment'),
  saved_rev: p.dataset.savedRev,
  clock: r.querySelector('.mb-clock').textContent,
  negative_labels: [...r.querySelectorAll('.mb-verdict')].map(b => b.textContent),
};
"""
)


@contextmanager
def serving(db: str, *extra: str, log: Path | None = None) -> Iterator[str]:
    """`musebench annotate serve --db DB` on a free loopback port; yields its URL."""
    with chromium.serving(["annotate", "serve", "--db", db, *extra], log=log) as url:
        yield url


def viewport(driver: Any, width: int = 1280, height: int = 800) -> None:
    """Make the page's inner size exactly width x height (window chrome differs by platform)."""
    driver.set_window_size(width, height)
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    driver.set_window_size(width + width - inner[0], height + height - inner[1])


def until(predicate: Callable[[], Any], timeout: float = 60.0, what: str = "condition") -> Any:
    # 60 s like the other browser waits: two browsers and two servers share two cores under -n 2
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def shadow(driver: Any, selector: str) -> Any:
    return driver.execute_script(_ROOT, selector)


def login(driver: Any, url: str, token: str, path: str = "/") -> None:
    """Open `path`, fill the login form, and wait for the reloaded page to leave it."""
    from selenium.webdriver.common.by import By

    driver.get(url + path)
    root = until(lambda: shadow(driver, ".mb-login"), what="the login form")
    root.find_element(By.CSS_SELECTOR, "input").send_keys(token)
    root.find_element(By.CSS_SELECTOR, "button").click()
    until(lambda: shadow(driver, ".mb-login") is None and logged_in(driver), what="the login")


def logged_in(driver: Any) -> bool:
    return bool(driver.execute_script(_ROOT, ".mb-session-button"))


def panel(driver: Any) -> dict[str, Any] | None:
    state: dict[str, Any] | None = driver.execute_script(PANEL_STATE, ".mb-panel")
    return state


def press(driver: Any, keys: str, ctrl: bool = False) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    chain = ActionChains(driver)
    if ctrl:
        chain = chain.key_down(Keys.CONTROL).send_keys(keys).key_up(Keys.CONTROL)
    else:
        chain = chain.send_keys(keys)
    chain.perform()


def saved(driver: Any) -> bool:
    state = panel(driver)
    return bool(state and state["status"] == "saved")


def write_comment(driver: Any, text: str) -> None:
    """C, then `text` typed once the comment box has the focus (keys sent before it would be
    verdict keys), then wait until the panel holds exactly `text` and says it is saved."""
    press(driver, "c")
    until(lambda: (panel(driver) or {}).get("comment_focused"), what="the comment box's focus")
    press(driver, text)

    def stored() -> bool:
        state = panel(driver)
        return bool(state and state["status"] == "saved" and state["comment"] == text)

    try:
        until(stored, what="the comment to be saved")
    except AssertionError as err:  # say what the panel showed instead
        raise AssertionError(f"{err}; the panel: {panel(driver)}") from None


def open_assignment(store: Any, user_id: int) -> int | None:
    """The id of the user's open assignment, if any (read from the store)."""
    from annotation_app import assignments as q

    view = q.current(store, user_id)
    return view.assignment_id if view is not None else None
