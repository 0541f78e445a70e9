"""Rendered visual artefacts: Debian's headless chromium, locked down (no request leaves the
page; scripts run inside it only; DejaVu as the only font; a time limit per page), shows each
HTML artefact at 375, 768 and 1280 px, takes full-page screenshots and measures computed facts
(records.RenderFacts). The checks on those facts are in benchmark/checks/checks_rendered.py."""

from .browser import ChromiumNotFound, find_chromium
from .records import RenderFacts, WidthFacts
from .renderer import WIDTHS, Renderer, html_sha256, load_facts

__all__ = [
    "WIDTHS",
    "ChromiumNotFound",
    "RenderFacts",
    "Renderer",
    "WidthFacts",
    "find_chromium",
    "html_sha256",
    "load_facts",
]
