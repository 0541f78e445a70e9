"""The Streamlit app through streamlit.testing's AppTest: who sees which page (logged out, an
annotator, an admin), what the Rate page hands the rubric panel, inert transcripts, and the admin
pages. The panel itself runs in the browser (tests/browser/test_annotation_browser.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from annotation_app import assignments as q
from annotation_app import auth, sessions
from annotation_app.importer import import_run
from annotation_app.settings import ENV_DB
from annotation_app.store import Assignment, Store
from annotation_app.store import _served as open_served
from annotation_app.views import common
from tests.annotation_support import JUDGE, db_url, make_run, new_store, suite, unit_of
from tests.annotation_support import cheap_token_hashing as cheap_token_hashing
from tests.browser.hostile import markdown_payload
from tests.html_parts import Attrs, html_parts

pytestmark = pytest.mark.usefixtures("cheap_token_hashing")

APP = Path(__file__).resolve().parents[2] / "annotation_app" / "app.py"
ADMIN_PAGES = (
    "app_pages/admin_agreement.py",
    "app_pages/admin_annotators.py",
    "app_pages/admin_comments.py",
    "app_pages/admin_judge.py",
    "app_pages/admin_response.py",
    "app_pages/admin_logins.py",
)
BEACON = "http://127.0.0.1:9"
T0 = 1_000_000.0


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    store = new_store(tmp_path)
    run = make_run(
        tmp_path / "run", n_tasks=1, samples=3, text=lambda t, s: markdown_payload(BEACON)
    )
    import_run(store, run, overlap=2)
    for name, role in (("alice", "annotator"), ("bob", "annotator"), ("root", "admin")):
        auth.add_user(store, name, role)
    monkeypatch.setenv(ENV_DB, db_url(tmp_path / "annotations.sqlite"))
    open_served.cache_clear()
    cookie: dict[str, str | None] = {"value": None}
    # AppTest cannot send cookies: the browser's session cookie is this test's to choose.
    monkeypatch.setattr(common, "session_cookie", lambda: cookie["value"])
    users = {u.name: u.id for u in auth.list_users(store)}

    def as_user(name: str | None) -> AppTest:
        cookie["value"] = sessions.create(store, users[name]) if name else None
        at = AppTest.from_file(str(APP), default_timeout=30).run()
        assert not at.exception, at.exception
        return at

    yield {"store": store, "as": as_user, "users": users, "cookie": cookie}
    open_served.cache_clear()
    store.dispose()


def _panel_data(at: AppTest) -> dict[str, Any]:
    panels = [
        e for e in at.main if e.type == "bidi_component" or "rubric_panel" in str(e.proto)[:200]
    ]
    (panel,) = [e for e in panels if "rubric_panel" in e.proto.component_name]
    return dict(json.loads(panel.proto.json))


def _html_tags(at: AppTest) -> list[tuple[str, Attrs]]:
    return html_parts(*(h.proto.body for h in at.get("html"))).tags


def _open_count(store: Store, user_id: int) -> int:
    with store.read() as s:
        return len(list(s.scalars(select(Assignment).where(Assignment.user_pk == user_id))))


def test_logged_out_visitors_see_only_the_login_form(env: dict[str, Any]) -> None:
    at = env["as"](None)
    assert [t.value for t in at.title] == ["musebench annotation"]
    assert not at.dataframe and not at.metric
    names = [e.proto.component_name for e in at.main if e.type == "bidi_component"]
    assert names == ["musebench.login_form"]
    # A forged, revoked or expired cookie is nobody.
    env["cookie"]["value"] = "v1.forged.9999999999.c2lnbmF0dXJl"
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    assert [t.value for t in at.title] == ["musebench annotation"]


def test_revoked_session_is_logged_out(env: dict[str, Any]) -> None:
    at: AppTest = env["as"]("alice")
    assert "musebench.rubric_panel" in str([e.proto for e in at.main if e.type == "bidi_component"])
    assert sessions.revoke(env["store"], env["cookie"]["value"])
    at.run()
    assert [t.value for t in at.title] == ["musebench annotation"]


def test_annotator_lands_on_a_blind_inert_response(env: dict[str, Any]) -> None:
    at: AppTest = env["as"]("alice")
    data = _panel_data(at)
    view = q.current(env["store"], env["users"]["alice"])
    assert view is not None and data["aid"] == view.assignment_id
    assert [i["id"] for i in data["items"]] == [i.item_id for i in view.items]
    # Hidden gold: no check item's guidance says it is checked programmatically.
    assert not any("programmatic" in i["guidance"].lower() for i in data["items"])
    negative = {it.id for it in suite().tasks[0].items if it.points < 0}
    assert {i["id"] for i in data["items"] if i["negative"]} == negative
    page = json.dumps(data) + "".join(h.proto.body for h in at.get("html"))
    assert "test-model" not in page and "openai" not in page  # blind to the model
    # The response's markdown images, links and raw HTML are text, not elements.
    tags = _html_tags(at)
    assert not [t for t, _ in tags if t in {"img", "a", "script", "svg", "iframe", "form", "style"}]
    assert not [a for _, attrs in tags for a, v in attrs if v and BEACON in v]
    assert f"[image: beacon] ({BEACON}/md-image.png)" in "".join(
        h.proto.body for h in at.get("html")
    )


def test_admin_lands_on_agreement_and_takes_no_response(env: dict[str, Any]) -> None:
    store, root = env["store"], env["users"]["root"]
    at: AppTest = env["as"]("root")
    assert [t.value for t in at.title] == ["Agreement"]
    at.switch_page("app_pages/rate.py").run()
    assert [t.value for t in at.title] == ["Rate"]
    assert _open_count(store, root) == 0  # the Rate page asks first
    at.button[0].click().run()  # "Start rating"
    assert _open_count(store, root) == 1
    assert _panel_data(at)["aid"] == q.current(store, root).assignment_id  # type: ignore[union-attr]


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_annotator_is_refused_on_admin_pages(env: dict[str, Any], page: str) -> None:
    at: AppTest = env["as"]("alice")
    at.switch_page(page).run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Refused: this page is for admins only."]
    assert not at.dataframe and not at.metric


def _rate_two(env: dict[str, Any]) -> str:
    """alice and bob rate the same response with split verdicts, alice with one comment (bob
    skips what he is given until he gets it); returns its unit id."""
    store, target = env["store"], None
    for name in ("alice", "bob"):
        uid = env["users"][name]
        while (view := q.claim_next(store, uid, now=T0)) is not None:
            unit = unit_of(store, view.assignment_id)
            if target not in (None, unit):
                q.skip(store, view.assignment_id, uid)
                continue
            target = unit
            verdicts: dict[str, Any] = {
                it.item_id: ("met" if (k + (name == "bob")) % 2 else "not_met")
                for k, it in enumerate(sorted(view.items, key=lambda i: i.item_id))
            }
            if name == "alice":
                item = sorted(verdicts)[0]
                verdicts[item] = {"verdict": verdicts[item], "comment": "ambiguous wording"}
            q.submit(store, view.assignment_id, uid, verdicts, active_seconds=60, now=T0 + 90)
            break
    assert target is not None
    return target


@pytest.mark.slow
def test_admin_pages_for_an_admin(env: dict[str, Any]) -> None:
    unit_id = _rate_two(env)
    texts = {it.id: it.text for it in suite().tasks[0].items}
    at: AppTest = env["as"]("root")
    assert not at.exception and not at.error and not at.warning
    assert any(m.label == "Submissions" and m.value == "2" for m in at.metric)
    assert [h.value for h in at.subheader] == [
        "Per rubric item",
        "Per dimension",
        "Most disputed items",
    ]
    items, dims, disputed = (d.value for d in at.dataframe)
    assert set(items["rubric item"]) <= set(texts.values())  # criteria by their text
    assert not (items.astype(str) == "None").any().any()  # no bare None: missing is a dash
    assert set(dims["dimension"]) <= {it.dimension for it in suite().tasks[0].items}
    assert set(disputed["response"]) == {f"admin_response?unit={unit_id.replace('/', '%2F')}"}
    at.switch_page("app_pages/admin_annotators.py").run()
    table = at.dataframe[0].value.set_index("annotator")
    assert set(table.index) == {"alice", "bob", "root"}
    assert table.loc["alice", "done"] == 1 and table.loc["alice", "fast_submissions"] == 0
    at.switch_page("app_pages/admin_comments.py").run()
    notes = at.dataframe[-1].value
    assert notes["comment"].tolist() == ["ambiguous wording"] and notes["annotator"][0] == "alice"
    at.query_params["unit"] = unit_id
    at.switch_page("app_pages/admin_response.py").run()
    ratings = at.dataframe[0].value
    assert {"alice", "bob"} <= set(ratings.columns) and set(ratings["item"]) == set(texts.values())
    assert any("ambiguous wording" in str(v) for v in ratings["alice"])
    at.switch_page("app_pages/admin_judge.py").run()
    judge = at.dataframe[0].value
    assert set(judge["judge"]) == {JUDGE} and {"accuracy", "rubric item"} <= set(judge.columns)
    at.switch_page("app_pages/admin_logins.py").run()
    assert at.info and "No login attempts" in at.info[0].value  # sessions made by the test


def test_other_annotators_ratings_are_refused(env: dict[str, Any]) -> None:
    at: AppTest = env["as"]("alice")
    at.query_params["rater"] = "bob"
    at.switch_page("app_pages/my_ratings.py").run()
    assert [e.value for e in at.error] == ["Refused: annotators may see only their own ratings."]
    assert not at.dataframe
    admin: AppTest = env["as"]("root")
    admin.query_params["rater"] = "bob"
    admin.switch_page("app_pages/my_ratings.py").run()
    assert not admin.error
    headings = [h.proto.body for h in admin.get("html") if h.proto.body.startswith("<h1>")]
    assert headings == ["<h1>Ratings of bob</h1>"]
    admin.query_params["rater"] = "![x](http://127.0.0.1:9/x.png) <b>bob</b>"
    admin.run()
    headings = [h.proto.body for h in admin.get("html") if h.proto.body.startswith("<h1>")]
    assert headings == ["<h1>Ratings of ![x](http://127.0.0.1:9/x.png) &lt;b&gt;bob&lt;/b&gt;</h1>"]
