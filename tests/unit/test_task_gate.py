"""A task's gate: when a response is not an attempt at the brief, its positive programmatic
items are not met (a generic page's good contrast earns nothing), failure items still count."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from benchmark.engine.judging import check_judgments
from benchmark.errors import SuiteError
from benchmark.records.schemas import Check, Message, ResolvedTask, ResponseRecord, RubricItem
from benchmark.suite import load_suite

CHECK: TypeAdapter[Check] = TypeAdapter(Check)


def _item(item_id: str, points: int, check: dict[str, object]) -> RubricItem:
    return RubricItem(
        id=item_id, dimension="design", text="x", points=points, check=CHECK.validate_python(check)
    )


ITEMS = [
    _item("contrast", 3, {"type": "contrast", "min_ratio": 4.5, "when_absent": "not_met"}),
    _item("lorem", -2, {"type": "any_phrases", "phrases": ["lorem ipsum"]}),
]
GATE = {"type": "regex", "mode": "any", "pattern": r">\s*\$12,480\s*<"}


def _task(gate: dict[str, object] | None) -> ResolvedTask:
    return ResolvedTask(
        id="vd",
        category="visual_design",
        title="Dashboard",
        system=None,
        prompt="A dashboard whose headline figure is $12,480.",
        turns=[],
        tags=[],
        items=ITEMS,
        source="tasks/vd.yaml",
        gate=None if gate is None else CHECK.validate_python(gate),
    )


def _page(body: str) -> ResponseRecord:
    html = (
        "```html\n<html><head><style>body{color:#111;background:#fff}</style></head>"
        f"<body>{body}</body></html>\n```"
    )
    return ResponseRecord(
        task_id="vd",
        sample=0,
        model="m/x",
        transcript=[Message(role="assistant", content=html)],
        text=html,
    )


GENERIC = _page("<h1>Welcome</h1><p>Lorem ipsum dolor sit amet.</p>")
ANSWER = _page("<h1>Revenue</h1><p class=kpi>$12,480</p>")


def _verdicts(task: ResolvedTask, response: ResponseRecord) -> dict[str, bool | None]:
    return {r.item_id: r.verdict for r in check_judgments(task, response)}


def test_without_a_gate_a_generic_page_earns_the_contrast_points() -> None:
    assert _verdicts(_task(None), GENERIC) == {"contrast": True, "lorem": True}


def test_a_gate_not_met_leaves_positive_items_unmet_and_failures_counted() -> None:
    records = check_judgments(_task(GATE), GENERIC)
    assert {r.item_id: r.verdict for r in records} == {"contrast": False, "lorem": True}
    assert records[0].rationale.startswith("not the response this brief asks for (task gate: ")


def test_an_attempt_at_the_brief_passes_the_gate() -> None:
    assert _verdicts(_task(GATE), ANSWER) == {"contrast": True, "lorem": False}


MINI = Path(__file__).parents[1] / "data" / "mini_suite"
PAGE = "tasks/visual_design/page.yaml"


def test_a_gate_met_by_an_empty_response_is_refused_from_suite_2(tmp_path: Path) -> None:
    root = tmp_path / "suite"
    shutil.copytree(MINI, root)
    page = root / PAGE
    original = page.read_text()
    # suite 0.0.1 loads a gate without the suite 2 rules
    page.write_text(original.replace("prompt:", "gate: {type: word_count, max: 5}\nprompt:", 1))
    assert load_suite(root).task("page").gate is not None
    suite_yaml = root / "tasks" / "suite.yaml"
    suite_yaml.write_text(suite_yaml.read_text().replace('version: "0.0.1"', 'version: "2.0.0"'))
    with pytest.raises(SuiteError) as info:
        load_suite(root)
    assert (
        f"{PAGE}:gate: met by an empty response; a gate names something only an attempt at this "
        "brief contains"
    ) in info.value.problems
