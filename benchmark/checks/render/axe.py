"""axe-core's rules run inside the rendered page (the vendored, unmodified axe.min.js: see
vendor/axe-core/README.md), in the renderer's isolated world so the page cannot tamper with it.
Each violated rule keeps up to NODES failing elements with their CSS selector as evidence."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .page import Budget, Page

VERSION = "4.14.1"
NODES = 10
# Rules about the document as a whole or about things the renderer already decides otherwise
# stay on; only experimental rules are off (axe's default).
_RUN = """
(async () => {
  const r = await axe.run(document, {resultTypes: ["violations"], reporter: "v2"});
  const ids = (xs) => xs.map((x) => x.id);
  return {
    version: axe.version,
    violations: r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, NODES).map((n) => ({
        target: n.target.map(String).join(" "), html: n.html.slice(0, 300),
        summary: (n.failureSummary || "").slice(0, 500),
      })),
    })),
    passes: ids(r.passes), incomplete: ids(r.incomplete), inapplicable: ids(r.inapplicable),
  };
})()
""".replace("NODES", str(NODES))


@cache
def source() -> str:
    return (resources.files(__package__) / "vendor" / "axe-core" / "axe.min.js").read_text(
        encoding="utf-8"
    )


def run(page: Page, ctx: int, budget: Budget, width: int) -> dict[str, Any]:
    page.evaluate(ctx, source() + "\n;true", budget)
    result: dict[str, Any] = page.evaluate(ctx, _RUN, budget)
    result["width"] = width
    return result
