"""Every field of a bundle is shown inert on every page of the board (AppTest): nothing from a
bundle reaches a Streamlit element that renders markdown, and what reaches st.html holds only
tags the app wrote. The browser test (tests/browser/test_leaderboard_hostile.py) checks the
same board in chromium against a listener."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from leaderboard.boarddata import DATA_ENV
from leaderboard.build import build_board
from leaderboard.files import BOARD_FILE, META_FILE
from tests.browser.hostile import name_payload
from tests.html_parts import html_parts
from tests.leaderboard_helpers import edit_json, hostile_bundle, mini_suites

APP = str(Path(__file__).resolve().parents[2] / "leaderboard" / "app.py")
URL = "http://127.0.0.1:9"  # nothing listens there; only its presence in the output matters
# Elements whose text Streamlit renders as markdown (checked in chromium: docs/SECURITY.md).
MARKDOWN_ELEMENTS = (
    "title", "header", "subheader", "caption", "markdown", "info", "warning", "error", "success",
)  # fmt: skip
# Tags the app's own inert renderers write (benchmark/webapp/inert.py, leaderboard/ui.py).
OWN_TAGS = {
    "div", "p", "br", "strong", "em", "s", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6",
    "ul", "ol", "li", "blockquote", "hr", "table", "thead", "tbody", "tr", "th", "td", "span",
    "mark",
}  # fmt: skip


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src")
    hostile_bundle(src, URL)
    liar = hostile_bundle(src, URL, name="hostile-liar")
    edit_json(liar / "manifest.json", lambda m: m.update(run_id="another run"))
    edit_json(liar / "scores.json", lambda s: s["overall"].update(score=100.0))
    out = tmp_path_factory.mktemp("board") / "board"
    build_board(src, out, suites=mini_suites(), min_samples=1)
    edit_json(out / META_FILE, lambda m: m["notes"].append(f"a note naming {name_payload(URL)}"))
    return out


def _markdown_texts(at: AppTest) -> list[str]:
    texts = [str(e.value) for kind in MARKDOWN_ELEMENTS for e in at.get(kind)]
    texts += [f"{m.label} {m.value}" for m in at.metric]
    texts += [str(t.label) for t in at.tabs] + [str(e.label) for e in at.expander]
    texts += [str(o) for r in at.radio for o in r.options]
    return texts


def _assert_inert(at: AppTest) -> str:
    """Check the page and return everything it shows through st.html."""
    assert not at.exception, at.exception
    for text in _markdown_texts(at):
        assert URL not in text, text
    shown = [str(h.value) for h in at.html]
    for markup in shown:
        for tag, attrs in html_parts(markup).tags:
            assert tag in OWN_TAGS, (tag, markup[:200])
            for name, value in attrs:
                assert name in {"class", "style", "title"}, (tag, name, value)
                assert URL not in (value or ""), (tag, name, value)
    return "".join(shown)


@pytest.fixture
def app(board: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv(DATA_ENV, str(board))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    return at


def test_board_page_is_inert(app: AppTest) -> None:
    shown = _assert_inert(app)
    assert "a note naming evil/model ![x](http://127.0.0.1:9/name-image.png)" in shown
    assert app.dataframe[0].value["model"].iloc[0].startswith("evil/model ![x](")
    for tab in app.tabs:
        assert "127.0.0.1" not in str(tab.label)


def test_model_page_is_inert_on_every_task(app: AppTest, board: Path) -> None:
    key = pd.read_parquet(board / BOARD_FILE)["run_key"].iloc[0]
    app.query_params["run"] = key
    at = app.switch_page("views/model.py").run()
    shown = _assert_inert(at)
    # The name is the heading, as written; the markdown in it is text.
    assert "<h1 style=" in shown and "evil/model ![x](http://127.0.0.1:9/name-image.png)" in shown
    assert "&lt;img src=http://127.0.0.1:9/name-img" in shown
    for task in ("story", "talk", "page"):
        at.selectbox(key="sample_task").set_value(task).run()
        shown = _assert_inert(at)
        assert "<mark" in shown, task  # the judge's quote is still highlighted
        if task == "talk":  # system and user turns: markdown made inert, images as text
            assert "[image: beacon] (http://127.0.0.1:9/md-image.png)" in shown
    verdicts = at.dataframe[-1].value
    assert verdicts["rationale"].iloc[0].startswith("Here is my answer, with a picture: ![beacon]")


def test_about_page_is_inert(app: AppTest) -> None:
    at = app.switch_page("views/about.py").run()
    _assert_inert(at)
    rejected = at.dataframe[-1].value
    assert rejected["model"].iloc[0] == name_payload(URL)
    assert json.dumps(rejected["reason"].tolist()).count("stated score does not match") == 1


def test_highlight_marks_the_raw_text_and_escapes_every_piece() -> None:
    from leaderboard.ui import highlight

    text = "<b>lit the lamp</b> then c8f7c5 and lit"
    out = highlight(text, [("lit the lamp", "a: met", True), ("c8f7c5", "b: met", True)])
    body = out.split(">", 1)[1].rsplit("</div>", 1)[0]
    assert body == (
        '&lt;b&gt;<mark style="background:#c8f7c5" title="a: met">lit the lamp</mark>&lt;/b&gt;'
        ' then <mark style="background:#c8f7c5" title="b: met">c8f7c5</mark> and lit'
    )
    # A shorter quote inside a longer one goes to its next free occurrence.
    out = highlight(text, [("lit", "short: met", True), ("lit the lamp", "long: not met", False)])
    assert out.count("<mark") == 2
    assert '<mark style="background:#c8f7c5" title="short: met">lit</mark></div>' in out


def test_evidence_is_marked_by_what_the_verdict_did_to_the_score() -> None:
    """A met failure item (negative points) costs points: its evidence is marked red like an
    unmet positive item, never green like an earned one."""
    from leaderboard.sample_view import evidence_quotes
    from leaderboard.ui import highlight

    verdicts = pd.DataFrame(
        {
            "evidence": ["kind words", "stormy night", "a list", "a hotline"],
            "item_id": ["validates", "asks_already_answered", "names_options", "crisis_ok"],
            "verdict": [True, True, False, False],
            "points": [2, -3, 2, -3],
            "grounded": [True, True, True, True],
        }
    )
    got = {quote: good for quote, _, good in evidence_quotes(verdicts)}
    assert got == {"kind words": True, "stormy night": False, "a list": False, "a hotline": True}
    # One quote, the evidence of an earned item and of a met failure: one red mark naming both.
    both = pd.concat([verdicts.iloc[[0]], verdicts.iloc[[1]].assign(evidence="kind words")])
    assert evidence_quotes(both) == [
        ("kind words", "validates: met (+2); asks_already_answered: met (-3)", False)
    ]
    red = highlight(
        "stormy night", [q for q in evidence_quotes(verdicts) if q[0] == "stormy night"]
    )
    assert "#ffd6d6" in red and "#c8f7c5" not in red and "(-3)" in red
