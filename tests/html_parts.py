"""The start tags and text of an HTML fragment, for tests that check what a renderer wrote."""

from __future__ import annotations

from html.parser import HTMLParser

Attrs = list[tuple[str, str | None]]


class HtmlParts(HTMLParser):
    """Feed HTML; read `tags` ((tag, attrs) in order) and `text` (the data between them)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, Attrs]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: Attrs) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def html_parts(*markup: str) -> HtmlParts:
    parts = HtmlParts()
    for m in markup:
        parts.feed(m)
    return parts
