"""Runners of the checks decided on the rendered page (check_models_rendered), registered in
`checks._RUNNERS`. The HTML is extracted from the response as for the source checks, rendered
(or found in the current render store: benchmark/render/store.py), and decided by
benchmark/render/decide.py. No chromium: verdict None with "visual checks not run: ..."."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from .check_base import CheckResult, verbatim
from .html_extract import extract_html
from .render import decide
from .render.records import RenderFacts
from .render.store import facts_for
from .schemas import Message

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
}
