"""Untrusted text rendered for the apps: only tags the renderer writes, no attribute or URL from
the text, images and links shown as text; HTML artefacts wrapped in a fetch-nothing policy;
every served response carries the security headers."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from benchmark.webapp.inert import markdown_html, pre_html, text_html
from benchmark.webapp.page_frame import ARTEFACT_POLICY, html_artefact, page_document
from benchmark.webapp.security import SecurityHeaders, content_security_policy
from tests.html_parts import HtmlParts, html_parts

HOSTILE = [
    "![beacon](http://127.0.0.1:9/md-image.png)",
    '![x](http://127.0.0.1:9/a.png "title") and ![][ref]\n\n[ref]: http://127.0.0.1:9/ref.png',
    "[click me](javascript:alert(1)) [ok](http://127.0.0.1:9/link) <http://127.0.0.1:9/auto>",
    "[![nested](http://127.0.0.1:9/n.png)](http://127.0.0.1:9/outer)",
    "<script>fetch('http://127.0.0.1:9/s')</script>",
    '<img src="http://127.0.0.1:9/i.png" onerror="fetch(1)">',
    "<svg onload=\"fetch('http://127.0.0.1:9/svg')\"></svg>",
    "<style>@import url(http://127.0.0.1:9/imp.css); body{background:url(http://x/b.png)}</style>",
    '<meta http-equiv="refresh" content="0;url=http://127.0.0.1:9/refresh">',
    '<form action="http://127.0.0.1:9/f"><input name=a></form><script>f.submit()</script>',
    '<iframe src="http://127.0.0.1:9/frame"></iframe><object data="http://127.0.0.1:9/o"></object>',
    '```html" onload="x\n<b>code</b>\n```',
    '<a href="http://127.0.0.1:9/raw">raw anchor</a> <div style="background:url(x)">d</div>',
    "$x^2$ :red[colour] :material/home: <!-- comment -->",
]
ALLOWED_TAGS = {
    "div", "p", "br", "strong", "em", "s", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6",
    "ul", "ol", "li", "blockquote", "hr", "table", "thead", "tbody", "tr", "th", "td", "span",
}  # fmt: skip


def _parse(markup: str) -> HtmlParts:
    return html_parts(markup)


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_html_has_only_its_own_tags_and_attributes(text: str) -> None:
    parsed = _parse(markdown_html(text))
    for tag, attrs in parsed.tags:
        assert tag in ALLOWED_TAGS, (tag, text)
        for name, value in attrs:
            # The wrapper's class and style, the inert spans' class, table cell alignment.
            assert name in {"class", "style"}, (tag, name, value)
            assert value is not None and "url(" not in value and "http" not in value


def test_images_and_links_become_visible_text() -> None:
    shown = "".join(_parse(markdown_html(HOSTILE[0] + "\n\n" + HOSTILE[2])).text)
    assert "[image: beacon] (http://127.0.0.1:9/md-image.png)" in shown
    assert "ok (http://127.0.0.1:9/link)" in shown
    assert "[click me](javascript:alert(1))" in shown  # not a link at all
    assert "http://127.0.0.1:9/auto" in shown


def test_raw_html_is_shown_as_text() -> None:
    shown = "".join(_parse(markdown_html(HOSTILE[4])).text)
    assert "<script>fetch('http://127.0.0.1:9/s')</script>" in shown


def test_markdown_keeps_line_breaks_of_a_poem() -> None:
    out = markdown_html("Shall I compare thee\nto a summer's day?\nThou art more lovely")
    assert out.count("<br />") == 2


def test_text_and_pre_escape_everything() -> None:
    name = "<img src=x onerror=alert(1)> ![i](http://127.0.0.1:9/n.png) **bold**"
    for out in (text_html(name), pre_html(name)):
        parsed = _parse(out)
        assert [t for t, _ in parsed.tags] in (["span"], ["pre"])
        assert "".join(parsed.text) == name


def test_page_document_puts_the_policy_first() -> None:
    doc = page_document("<!doctype html><html><head><meta http-equiv=refresh></head></html>")
    assert doc.startswith('<meta http-equiv="Content-Security-Policy"')
    assert "default-src &#x27;none&#x27;" in doc and "form-action" in ARTEFACT_POLICY
    assert "script-src" not in ARTEFACT_POLICY  # no script source allowed at all


def test_html_artefact_is_found_in_a_fence_or_as_a_page() -> None:
    assert html_artefact("Here:\n```html\n<p>hi</p>\n```\nThanks") == "<p>hi</p>\n"
    assert html_artefact("<!DOCTYPE html><html></html>") is not None
    assert html_artefact("A story with no page.") is None
    assert html_artefact("```python\nprint(1)\n```") is None


def test_security_headers_on_every_http_response() -> None:
    async def hello(_request: object) -> PlainTextResponse:
        return PlainTextResponse("hi")

    app = Starlette(
        routes=[Route("/", hello)],
        middleware=[Middleware(SecurityHeaders, frame_ancestors="'none'")],
    )
    r = TestClient(app).get("/")
    csp = r.headers["content-security-policy"]
    assert csp == content_security_policy("'none'")
    for directive in ("img-src 'self' data: blob:", "connect-src 'self'", "frame-src 'self'",
                      "form-action 'none'", "object-src 'none'", "frame-ancestors 'none'"):  # fmt: skip
        assert directive in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert r.headers["referrer-policy"] == "no-referrer"


def test_page_document_disarms_frames_resource_hints_and_links() -> None:
    source = (
        '<LINK rel=preconnect href="http://h/"><link/rel=stylesheet href=x><iframe src="http://h/">'
        "</iframe><embed src=e><object data=o></object><a href=http://h/ ping=p class=href>go</a>"
        '<svg><a xlink:href="http://h/"><use href="#s"/></a></svg><form action=f>'
        "<button formaction=g>b</button></form><p>href=text stays</p><linkx>"
    )
    doc = page_document(source).split('content="off">', 1)[1]
    parsed = _parse(doc)
    tags = {t for t, _ in parsed.tags}
    assert not tags & {"link", "iframe", "embed", "object"}
    assert {"mb-disarmed-link", "mb-disarmed-iframe", "linkx"} <= tags
    names = {name for _, attrs in parsed.tags for name, _ in attrs}
    assert not names & {"href", "ping", "action", "formaction", "xlink:href"}
    assert "class" in names and "href=text stays" in "".join(parsed.text)
