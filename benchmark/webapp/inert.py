"""Untrusted text made inert for the apps. Model output, transcripts and names from run dirs or
bundles are data: rendered HTML carries only tags the renderer writes itself (paragraphs,
emphasis, lists, headings, code, tables, line breaks), never a tag, attribute or URL from the
text. Images and links become visible text, so nothing in a response makes a browser fetch
anything or navigate anywhere, and a model cannot reveal itself to blind raters through an
image request. Pass the results to `st.html` (never to `st.markdown`, whose image, link, LaTeX
and colour syntax would apply to the text)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

# The wrapper keeps the app's font and shows every line break the text has (poems, lists).
BLOCK_STYLE = "overflow-wrap: anywhere; line-height: 1.55"


def _attr(token: Token, name: str) -> str:
    value = token.attrGet(name)
    return "" if value is None else str(value)


def _image(_self: Any, tokens: Sequence[Token], idx: int, _options: Any, _env: Any) -> str:
    token = tokens[idx]
    alt = "".join(child.content for child in token.children or [])
    src = _attr(token, "src")
    label = f"[image: {alt}]" if alt else "[image]"
    where = f" ({src})" if src else ""
    return f'<span class="mb-inert-link">{html.escape(label + where)}</span>'


def _link_open(_self: Any, _tokens: Sequence[Token], _idx: int, _options: Any, _env: Any) -> str:
    return '<span class="mb-inert-link">'


def _link_close(_self: Any, tokens: Sequence[Token], idx: int, _options: Any, _env: Any) -> str:
    # The matching link_open is the nearest earlier one (links do not nest in CommonMark).
    href = ""
    for token in reversed(tokens[:idx]):
        if token.type == "link_open":
            href = _attr(token, "href")
            break
    text = "".join(t.content for t in tokens[idx - 1 : idx] if t.type == "text")
    shown = f" ({href})" if href and href != text else ""
    return f"{html.escape(shown)}</span>"


@cache
def _renderer() -> MarkdownIt:
    # CommonMark with raw HTML off (it is shown as text), single newlines kept as line breaks,
    # tables and strikethrough on; no linkify (a bare URL stays text).
    md = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False})
    md.enable(["table", "strikethrough"])
    md.add_render_rule("image", _image)
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("link_close", _link_close)
    # The default renderer turns a fence's info string into a class name: drop it.
    md.add_render_rule("fence", _fence)
    return md


def _fence(_self: Any, tokens: Sequence[Token], idx: int, _options: Any, _env: Any) -> str:
    return f"<pre><code>{html.escape(tokens[idx].content)}</code></pre>\n"


def markdown_html(text: str) -> str:
    """`text` (markdown as models write it) as inert HTML inside one styled block."""
    body = _renderer().render(text)
    return f'<div class="mb-text" style="{BLOCK_STYLE}">{body}</div>'


def text_html(text: str, *, tag: str = "span", style: str = "") -> str:
    """`text` shown exactly as written (escaped), for names and one-line fields."""
    styled = f' style="{html.escape(style)}"' if style else ""
    return f"<{tag}{styled}>{html.escape(text)}</{tag}>"


def pre_html(text: str) -> str:
    """`text` escaped with its whitespace kept (code, HTML source, raw transcripts)."""
    return (
        '<pre style="white-space: pre-wrap; overflow-wrap: anywhere; max-height: 32rem; '
        f'overflow: auto">{html.escape(text)}</pre>'
    )
