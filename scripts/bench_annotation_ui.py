"""Benchmark the Rate page: how long a verdict key press takes to show, and to be saved, in the
served annotation app (`musebench annotate serve`) driven by Debian's headless chromium at
1280x800.

For each key press the page itself records two times (performance clock, in the browser):
- shown: from the keydown event to the rubric panel's DOM showing the verdict (the answered
  counter and the item's mark change; a MutationObserver fires on that change);
- saved: from the keydown event to the panel showing "saved" for that change, i.e. after the
  server stored the whole draft (the fragment's write) and the acknowledgement came back.
Also counted: the store's verdicts against the keys pressed (none may be lost or wrong).

The responses are placeholder texts of `--words` words (not model output) on the shipped suite's
tasks.
Documented figures: docs/ANNOTATION.md.

    python scripts/bench_annotation_ui.py                    # 50 verdicts, 400 ms apart
    python scripts/bench_annotation_ui.py --verdicts 100 --gap-ms 60   # a burst
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a plain script from a source checkout
    sys.path.insert(0, str(REPO))

from annotation_app import assignments as q  # noqa: E402
from annotation_app import auth  # noqa: E402
from annotation_app.importer import import_run  # noqa: E402
from annotation_app.store import Assignment, Store  # noqa: E402
from tests.annotation_support import db_url, make_run, new_store  # noqa: E402
from tests.browser import chromium  # noqa: E402
from tests.browser.annotation_ui import (  # noqa: E402
    login,
    open_assignment,
    panel,
    press,
    serving,
    until,
    viewport,
)

TARGET_MEDIAN_MS = 200.0

# Installed once per response: the keydown time, then the first DOM change of the counter
# (shown) and the first "saved" status at or after this press's revision (saved).
INSTRUMENT = """
const host = [...document.querySelectorAll('[data-testid="stBidiComponentIsolated"]')]
  .find(h => h.shadowRoot && h.shadowRoot.querySelector('.mb-panel'));
const root = host.shadowRoot;
const p = root.querySelector('.mb-panel');
const counter = root.querySelector('[data-testid=mb-counter]');
const status = root.querySelector('[data-testid=mb-status]');
window.__mb = window.__mb || {shown: [], saved: [], pending: []};
const mb = window.__mb;
if (!mb.keydown) {
  mb.keydown = (e) => { if ('mnu'.includes(e.key)) mb.pending.push({t: e.timeStamp, text: null}); };
  document.addEventListener('keydown', mb.keydown, true);
}
if (mb.observer) mb.observer.disconnect();
let lastCounter = counter.textContent;
mb.observer = new MutationObserver(() => {
  const now = performance.now();
  if (counter.textContent !== lastCounter) {
    lastCounter = counter.textContent;
    const open = mb.pending.find(x => x.shown === undefined);
    if (open) { open.shown = now - open.t; open.rev = Number(p.dataset.savedRev) + 1; open.aid = p.dataset.current; }
  }
  if (status.textContent === 'saved') {
    for (const x of mb.pending) {
      if (x.shown !== undefined && x.saved === undefined && Number(p.dataset.savedRev) >= x.rev) x.saved = now - x.t;
    }
  }
});
mb.observer.observe(root, {subtree: true, childList: true, characterData: true, attributes: true});
"""


def _text(words: int) -> str:
    """A placeholder response of about `words` words in paragraphs of ~80 (not model output)."""
    sentence = "This placeholder sentence stands where a model's reply would be. "
    paragraph = sentence * 8
    return "\n\n".join([paragraph] * max(1, words // 80))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--verdicts", type=int, default=50)
    ap.add_argument("--gap-ms", type=float, default=400.0, help="pause between key presses")
    ap.add_argument(
        "--words", type=int, default=600, help="words per response (placeholder sentences)"
    )
    ap.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    return ap.parse_args()


VERDICT_KEYS = {"m": "met", "n": "not_met", "u": "unsure"}
Pressed = dict[tuple[int, str], str]  # (assignment id, item id) -> the verdict keyed


@dataclass
class _Session:
    """The browser on the served app, the store behind it and the annotator logged in."""

    driver: Any
    store: Store
    user_id: int
    args: argparse.Namespace
    pressed: Pressed = field(default_factory=dict)
    done: int = 0

    def rate_response(self) -> None:
        """Key verdicts into the current response's items (up to the verdicts still due), wait
        for the last save, and submit it when more verdicts are due."""
        # The served page opens the first assignment after login: wait for it, not assume it.
        view = until(lambda: q.current(self.store, self.user_id), what="an open assignment")
        driver = self.driver
        aid = view.assignment_id
        state = until(
            lambda: (s := panel(driver)) and s["aid"] == aid and s,
            what="the rubric panel",
        )
        driver.execute_script(INSTRUMENT)
        for _ in range(min(len(view.items), self.args.verdicts - self.done)):
            key = "mnu"[self.done % 3]
            self.pressed[(aid, state["current"])] = VERDICT_KEYS[key]
            press(driver, key)
            self.done += 1
            time.sleep(self.args.gap_ms / 1000)
            state = panel(driver) or state
        until(lambda: panel(driver)["status"] == "saved", what="the last save")
        if self.done < self.args.verdicts:
            self._submit(aid)

    def _submit(self, aid: int) -> None:
        until(lambda: not panel(self.driver)["submit_disabled"], what="submit enabled")
        press(self.driver, "\ue007", ctrl=True)
        until(
            lambda: open_assignment(self.store, self.user_id) not in (None, aid),
            what="the next response",
        )

    def records(self) -> list[dict[str, float]]:
        """The page's timings once every press is saved."""
        until(
            lambda: all(
                "saved" in x for x in self.driver.execute_script("return window.__mb.pending")
            ),
            what="every save",
        )
        records: list[dict[str, float]] = self.driver.execute_script("return window.__mb.pending")
        return records


def _stored_against_keys(store: Store, pressed: Pressed) -> tuple[int, int]:
    """(lost, wrong): keyed verdicts missing from the store's drafts, and stored differently."""
    lost = wrong = 0
    for (aid, item), verdict in pressed.items():
        with store.read() as s:
            a = s.get(Assignment, aid)
            draft = json.loads(a.draft) if a else {}
        got = draft.get(item, {}).get("verdict")
        lost += got is None
        wrong += got is not None and got != verdict
    return lost, wrong


def _spread(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 1),
        "p90": round(_percentile(values, 0.9), 1),
        "max": round(max(values), 1),
    }


def _result(
    args: argparse.Namespace, records: list[dict[str, float]], pressed: Pressed, store: Store
) -> dict[str, Any]:
    lost, wrong = _stored_against_keys(store, pressed)
    return {
        "verdicts": len(records),
        "gap_ms": args.gap_ms,
        "words": args.words,
        "shown_ms": _spread([x["shown"] for x in records if "shown" in x]),
        "saved_ms": _spread([x["saved"] for x in records if "saved" in x]),
        "stored": {"pressed": len(pressed), "lost": lost, "wrong": wrong},
        "target_median_ms": TARGET_MEDIAN_MS,
    }


def _print(result: dict[str, Any]) -> None:
    shown, saved, stored = result["shown_ms"], result["saved_ms"], result["stored"]
    print(
        f"{result['verdicts']} verdicts, {result['gap_ms']:g} ms apart, "
        f"{result['words']} words per response, 1280x800 headless chromium\n"
        f"  key -> verdict shown: median {shown['median']} ms, "
        f"p90 {shown['p90']} ms, max {shown['max']} ms\n"
        f"  key -> saved:         median {saved['median']} ms, "
        f"p90 {saved['p90']} ms, max {saved['max']} ms\n"
        f"  store: {stored['pressed']} verdicts pressed, {stored['lost']} lost, "
        f"{stored['wrong']} wrong (target: median shown <= {TARGET_MEDIAN_MS:g} ms)"
    )


def _measure(work: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Queue placeholder responses, rate them in the served app, and measure."""
    store = new_store(work)
    n_tasks = max(2, args.verdicts // 8 + 2)  # enough responses for every verdict
    import_run(
        store,
        make_run(work / "run", n_tasks=n_tasks, samples=1, text=lambda t, s: _text(args.words)),
        overlap=1,
    )
    token = auth.add_user(store, "bench", "annotator")
    (user,) = auth.list_users(store)
    driver = chromium.headless_chrome(work / "profile")
    session = _Session(driver, store, user.id, args)
    try:
        viewport(driver)
        with serving(db_url(work / "annotations.sqlite"), log=work / "serve.log") as url:
            login(driver, url, token)
            while session.done < args.verdicts:
                session.rate_response()
            records = session.records()
    finally:
        driver.quit()
    return _result(args, records, session.pressed, store)


def main() -> int:
    args = _args()
    if not chromium.available():
        print(f"bench_annotation_ui: {chromium.MISSING}", file=sys.stderr)
        return 2
    result = _measure(Path(tempfile.mkdtemp(prefix="musebench-bench-ui-")), args)
    if args.json:
        print(json.dumps(result))
    else:
        _print(result)
    stored = result["stored"]
    ok = result["shown_ms"]["median"] <= TARGET_MEDIAN_MS and stored["lost"] == stored["wrong"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
