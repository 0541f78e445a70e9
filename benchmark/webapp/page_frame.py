"""HTML artefacts (a visual-design task's page) shown inert in both apps: `page_document` wraps
the model's HTML in a Content-Security-Policy that forbids every fetch; `show_page` puts it in an
iframe whose sandbox grants nothing, switchable between desktop and mobile widths."""

from __future__ import annotations

import html
import re

from .component import component

# Inside the artefact: inline styles and data: images/fonts only; no script, no fetch, no form,
# no base URL. The app's own header policy (security.py) also stops the frame being navigated.
ARTEFACT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "media-src data:; form-action 'none'; base-uri 'none'"
)
DESKTOP_HEIGHT = 800  # px of page shown at 1280 px wide (scaled to the column)
MOBILE_HEIGHT = 720  # px of page shown at 375 px wide

# Chromium opens a connection for resource hints (<link rel=preconnect>, which no CSP directive
# governs) and for a nested frame's URL before the policy refuses it (seen with a loopback
# listener). These elements are renamed, so the parser builds none of them; the lookahead
# matches exactly what the HTML tokenizer reads as the tag name.
DISARMED_TAGS = ("link", "iframe", "frame", "frameset", "object", "embed", "portal", "fencedframe")
_DISARM = re.compile(r"<(/?)(" + "|".join(DISARMED_TAGS) + r")(?=[\t\n\f\r />])", re.I)
# A click on a link also opens a connection before the app's frame-src refuses the navigation:
# navigation attributes are renamed too (links then look and act like plain text). The
# lookbehind and lookahead are where the tokenizer starts and ends an attribute name.
DISARMED_ATTRIBUTES = ("href", "ping", "action", "formaction")
_DISARM_ATTR = re.compile(
    r"(?<=[\t\n\f\r /\"':])(" + "|".join(DISARMED_ATTRIBUTES) + r")(?=[\t\n\f\r />=])", re.I
)
_FENCE = re.compile(r"```[ \t]*(?:html?|xhtml)?[ \t]*\n(.*?)```", re.S | re.I)


def html_artefact(text: str) -> str | None:
    """The HTML page in a response: a fenced html block, or the whole text when it is a page."""
    m = _FENCE.search(text)
    if m and "<" in m.group(1):
        return m.group(1)
    low = text.lower()
    return text if "<html" in low or "<!doctype" in low else None


def page_document(source: str) -> str:
    """The srcdoc for an artefact: the policy comes first, so the parser puts it in the head
    before anything of the page's own, which can only add restrictions to it; links, frames and
    embeds are disarmed (DISARMED_TAGS, DISARMED_ATTRIBUTES)."""
    policy = html.escape(ARTEFACT_POLICY, quote=True)
    return (
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        '<meta name="referrer" content="no-referrer">'
        '<meta http-equiv="x-dns-prefetch-control" content="off">'
        + _DISARM_ATTR.sub(r"data-mb-\1", _DISARM.sub(r"<\1mb-disarmed-\2", source))
    )


def show_page(source: str, *, key: str, title: str = "the response's page") -> None:
    """The artefact, inert, with a desktop / mobile switch (no rerun: the switch is local)."""
    component("musebench.page_frame", "benchmark.webapp", "page_frame")(
        key=key,
        data={
            "doc": page_document(source),
            "title": title,
            "desktop_height": DESKTOP_HEIGHT,
            "mobile_height": MOBILE_HEIGHT,
        },
    )
