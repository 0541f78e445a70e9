"""Runners of the checks decided on the rendered page (check_models_rendered), registered in
`checks._RUNNERS`. The HTML is extracted from the response as for the source checks, rendered
(or found in the current render store: benchmark/checks/render/store.py), and decided by
benchmark/checks/render/decide.py. No chromium: verdict None with "visual checks not run: ...".
The runner renders the page first with `render_ahead` (off its event loop)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..analysis.html_extract import extract_html
from ..records.schemas import Message, ResolvedTask, ResponseRecord
from ._check_base import CheckResult, verbatim
from .render import align, decide, service
from .render.records import RenderFacts
from .render.store import facts_for

NO_HTML = (
    "no HTML found in the response (no ```html block, and neither a fenced block nor the text "
    "looks like HTML), so the rendered-page check is not met"
)


def _on_render(
    fn: Callable[[Any, RenderFacts], CheckResult],
) -> Callable[[Any, list[Message], str], CheckResult]:
    def run(check: Any, transcript: list[Message], text: str) -> CheckResult:
        source = extract_html(text)
        if source is None:
            return CheckResult(False, "", NO_HTML)
        facts = facts_for(source)
        if isinstance(facts, str):
            return CheckResult(None, "", facts)
        result = fn(check, facts)
        return replace(result, evidence=verbatim(result.evidence, text))

    return run


RUNNERS: dict[str, Callable[[Any, list[Message], str], CheckResult]] = {
    "rendered_contrast": _on_render(decide.contrast),
    "target_size": _on_render(decide.target_size),
    "no_horizontal_overflow": _on_render(decide.horizontal_overflow),
    "visible_focus": _on_render(decide.visible_focus),
    "text_not_clipped": _on_render(decide.clipped_text),
    "axe_rule": _on_render(decide.axe_rule),
    "alignment": _on_render(align.alignment),
}


def uses_render(task: ResolvedTask) -> bool:
    """Whether a check of `task` (its gate included) is decided on the rendered page."""
    checks = [it.check for it in task.items] + [task.gate]
    return any(c is not None and c.type in RUNNERS for c in checks)


async def render_ahead(task: ResolvedTask, response: ResponseRecord) -> None:
    """Render `response`'s page off the event loop before its checks run, so that they find it
    in the store instead of rendering on the loop (a failed render is found there too, or
    answered again at once: the checks then say why)."""
    if response.error is not None or not uses_render(task):
        return
    source = extract_html(response.text)
    if source is not None:
        await service.render(source)
