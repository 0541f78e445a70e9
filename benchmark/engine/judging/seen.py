"""The screenshots a multimodal judge is shown beside a response's source: the page its HTML
renders (benchmark/checks/render, found in the run's render store or rendered now, off the event loop),
cut into tiles (screenshots.tiles) and made image parts of the judge request.

No HTML, no chromium or a width that failed: the reason, so the items judged from the
screenshots get no verdict ("not judged: ...") and are asked again on resume; never a verdict
made up from the source alone."""

from __future__ import annotations

from ...analysis.html_extract import extract_html
from ...checks.render.service import render
from ...checks.render.store import current_root, render_dir
from ...records.schemas import ResponseRecord
from ..providers.base import ImagePart
from .screenshots import ScreenshotError, parts, tiles

# Before the first screenshot, so the judge knows what the pictures are.
INTRO = (
    "Screenshots of the page the response's HTML renders (headless chromium) follow; judge "
    "the items about how the page looks from them, and quote evidence from the response's source."
)
NO_HTML = (
    "not judged: no HTML in the response to render, and these items are judged from its screenshots"
)


async def screenshots_for(response: ResponseRecord) -> tuple[ImagePart, ...] | str:
    """The image parts of `response`'s rendered page, or why there are none."""
    html = extract_html(response.text)
    if html is None:
        return NO_HTML
    root = current_root()
    facts = await render(html, root)  # off the event loop, shared with the check step
    if isinstance(facts, str):
        return f"not judged: {facts}"
    try:
        shots = tiles(render_dir(root, html))
    except ScreenshotError as err:
        return f"not judged: {err}"
    images = list(parts(shots))
    images[0] = ImagePart(f"{INTRO}\n\n{images[0].label}", images[0].png)
    return tuple(images)
