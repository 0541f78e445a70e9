"""Items judged from the rendered page (`judge_sees: [source, screenshots]`): the suite loader's
rule, the screenshots on the wire (Anthropic image blocks, OpenAI image_url parts, through the
real SDKs against the loopback fakes), in the cache key, through the mock provider, and the
runner: such items judged with the images, refused for a judge without image input, and never
given a verdict without screenshots."""

from __future__ import annotations

import asyncio
import base64
import io
import shutil
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import pytest
from PIL import Image

from benchmark.analysis.html_extract import extract_html
from benchmark.checks.render import service
from benchmark.checks.render.store import render_dir
from benchmark.engine.cache import cache_key
from benchmark.engine.judging import seen
from benchmark.engine.judging.grouping import judge_groups
from benchmark.engine.judging.plan import JudgePlan, ask
from benchmark.engine.providers import MockProvider, make_provider
from benchmark.engine.providers.base import Capabilities, GenerateRequest, ImagePart
from benchmark.engine.retry import RetryPolicy
from benchmark.engine.runner import RunConfig, Runner
from benchmark.errors import SuiteError, UsageError
from benchmark.records.rundir import RunDir
from benchmark.records.runspec import GenerationParams
from benchmark.records.schemas import Message, ResponseRecord
from benchmark.suite import load_suite
from tests.fakes import FakeAnthropic, FakeOpenAI

MINI = Path(__file__).parents[1] / "data" / "mini_suite"
FAST = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02)
HTML = "<!doctype html><form><input><button>Join</button></form>"
PAGE = f"```html\n{HTML}\n```"
SEEN_ITEM = (
    "  - {id: looks_calm, dimension: design, text: The page looks calm and ordered., points: 2,"
    " judge_sees: [source, screenshots]}\n"
)


def png(colour: str, height: int = 40) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, height), colour).save(buf, "PNG")
    return buf.getvalue()


def suite_with(tmp_path: Path, item: str = SEEN_ITEM) -> Path:
    root = tmp_path / "suite"
    shutil.copytree(MINI, root)
    page = root / "tasks" / "visual_design" / "page.yaml"
    page.write_text(page.read_text().replace("items:\n", "items:\n" + item, 1))
    return root


def response(text: str = PAGE) -> ResponseRecord:
    return ResponseRecord(
        task_id="page",
        sample=0,
        model="m",
        transcript=[Message(role="assistant", content=text)],
        text=text,
    )


def judge_request(tmp_path: Path, images: tuple[ImagePart, ...]) -> GenerateRequest:
    suite = load_suite(suite_with(tmp_path))
    task = suite.task("page")
    [items] = [g for name, g in judge_groups(task.items, "dimension") if "+" in name]
    dimension = suite.dimensions["design"]
    return ask(
        task, response(), items, dimension, GenerationParams(), judge_sample=0, images=images
    )


SHOTS = (ImagePart("Screenshot at 375 px wide", png("white")), ImagePart("At 1280", png("navy")))


# ---------------------------------------------------------------------------- the suite's rule


def test_loader_reads_judge_sees_and_groups_such_items_apart(tmp_path: Path) -> None:
    task = load_suite(suite_with(tmp_path)).task("page")
    looks = next(it for it in task.items if it.id == "looks_calm")
    assert looks.judge_sees == ["source", "screenshots"] and looks.sees_screenshots
    assert not next(it for it in task.items if it.id == "clear_action").sees_screenshots
    groups = dict(judge_groups(task.items, "dimension"))
    assert [it.id for it in groups["design"]] == ["clear_action"]
    assert [it.id for it in groups["design+screenshots"]] == ["looks_calm"]


@pytest.mark.parametrize(
    ("sees", "problem"),
    [
        ("[screenshots]", "always source"),
        ("[source, source]", "at most once"),
        ("[source, video]", "judge_sees"),
    ],
)
def test_loader_refuses_bad_judge_sees(tmp_path: Path, sees: str, problem: str) -> None:
    item = SEEN_ITEM.replace("[source, screenshots]", sees)
    with pytest.raises(SuiteError) as err:
        load_suite(suite_with(tmp_path, item))
    assert problem in str(err.value) and "page" in str(err.value)


def test_loader_refuses_judge_sees_on_a_check(tmp_path: Path) -> None:
    item = (
        "  - {id: form_seen, dimension: design, text: Has a form., points: 1,"
        " judge_sees: [source, screenshots], check: {type: html_elements, required: [form]}}\n"
    )
    with pytest.raises(SuiteError, match="judge_sees is for items the LLM judge decides"):
        load_suite(suite_with(tmp_path, item))


def test_loader_refuses_screenshots_outside_visual_design(tmp_path: Path) -> None:
    root = suite_with(tmp_path)
    story = root / "tasks" / "creative_writing" / "story.yaml"
    item = SEEN_ITEM.replace("dimension: design", "dimension: writing")
    story.write_text(story.read_text().replace("items:\n", "items:\n" + item, 1))
    with pytest.raises(SuiteError) as err:
        load_suite(root)
    assert "story.yaml:items[0].judge_sees: 'looks_calm' is judged from screenshots" in str(
        err.value
    )
    assert "page.yaml" not in str(err.value)


# ---------------------------------------------------------------------------- cache identity


def test_a_changed_screenshot_changes_the_cache_key(tmp_path: Path) -> None:
    base = judge_request(tmp_path, SHOTS)
    same = judge_request(tmp_path / "again", SHOTS)
    changed = judge_request(
        tmp_path / "changed", (SHOTS[0], ImagePart(SHOTS[1].label, png("maroon")))
    )
    text_only = judge_request(tmp_path / "text", ())
    key = cache_key("anthropic/j", base)
    assert cache_key("anthropic/j", same) == key
    assert cache_key("anthropic/j", changed) != key
    assert cache_key("anthropic/j", text_only) != key
    relabelled = judge_request(tmp_path / "label", (ImagePart("other", SHOTS[0].png), SHOTS[1]))
    assert cache_key("anthropic/j", relabelled) != key


def test_batches_leave_screenshot_groups_to_the_streaming_judge(tmp_path: Path) -> None:
    suite = load_suite(suite_with(tmp_path))
    task = suite.task("page")
    plan = JudgePlan(suite.dimensions, "dimension", 2, GenerationParams())
    groups = {g.name: g for g in plan.pending(task, response(), set())}
    assert groups["design+screenshots"].sees_screenshots
    assert plan.first_asks(groups["design+screenshots"]) == []  # need the page rendered first
    assert len(plan.first_asks(groups["design"])) == 2


# ---------------------------------------------------------------------------- on the wire


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def test_anthropic_sends_image_blocks_after_the_text(
    fake_anthropic: FakeAnthropic, tmp_path: Path
) -> None:
    req = judge_request(tmp_path, SHOTS)
    completion = run(make_provider("anthropic/claude-test").generate(req))
    [sent] = fake_anthropic.requests_to("/v1/messages")
    [message] = sent.body["messages"]
    content = message["content"]
    assert content[0] == {"type": "text", "text": req.messages[-1].content}
    assert [b["type"] for b in content[1:]] == ["text", "image", "text", "image"]
    assert content[1]["text"] == "Screenshot at 375 px wide"
    for block, shot in zip(content[2::2], SHOTS, strict=True):
        assert block["source"]["type"] == "base64"
        assert block["source"]["media_type"] == "image/png"
        assert base64.b64decode(block["source"]["data"]) == shot.png
    assert completion.structured is not None and set(completion.structured) == {"looks_calm"}


def test_openai_sends_image_url_parts_after_the_text(
    fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    req = judge_request(tmp_path, SHOTS)
    run(make_provider("openai/gpt-test").generate(req))
    [sent] = fake_openai.requests_to("/v1/chat/completions")
    user = sent.body["messages"][-1]
    assert user["role"] == "user"
    parts = user["content"]
    assert parts[0] == {"type": "text", "text": req.messages[-1].content}
    assert [p["type"] for p in parts[1:]] == ["text", "image_url", "text", "image_url"]
    for part, shot in zip(parts[2::2], SHOTS, strict=True):
        url = part["image_url"]["url"]
        assert url.startswith("data:image/png;base64,")
        assert base64.b64decode(url.removeprefix("data:image/png;base64,")) == shot.png
        assert part["image_url"]["detail"] == "high"


def test_text_only_requests_keep_string_content(fake_anthropic: FakeAnthropic) -> None:
    req = GenerateRequest(messages=[Message(role="user", content="Hello")])
    run(make_provider("anthropic/claude-test").generate(req))
    assert fake_anthropic.requests[-1].body["messages"] == [{"role": "user", "content": "Hello"}]


def test_mock_provider_accepts_images_and_draws_on_them(tmp_path: Path) -> None:
    mock = MockProvider("q0.5")
    assert mock.capabilities.images
    with_shots = judge_request(tmp_path, SHOTS)
    answers = {
        run(mock.generate(with_shots)).text,
        run(mock.generate(with_shots)).text,
    }
    assert len(answers) == 1  # the same pictures, the same draw
    assert mock.requests[-1].images == SHOTS


# ---------------------------------------------------------------------------- the runner


class HtmlModel(MockProvider):
    """A model under test whose every reply is the page."""

    async def generate(self, request: GenerateRequest):  # type: ignore[no-untyped-def]
        return replace(await super().generate(request), text=PAGE)


class BlindJudge(MockProvider):
    capabilities: ClassVar[Capabilities] = Capabilities()


def _config(suite: Path) -> RunConfig:
    return RunConfig(
        model="mock/q0.7",
        judge="mock/q0.7",
        suite_dir=suite,
        tasks="page",
        progress=False,
        retry=FAST,
    )


def stored_screenshots(root: Path, colour: str) -> None:
    """What a render leaves in the store for PAGE (the judge reads the PNGs only)."""
    html = extract_html(PAGE)
    assert html is not None
    out = render_dir(root, html)
    out.mkdir(parents=True, exist_ok=True)
    for width in (375, 768, 1280):
        (out / f"{width}.png").write_bytes(png(colour, height=10))


def test_runner_sends_the_screenshots_with_the_items_judged_from_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "store"
    stored_screenshots(store, "white")
    monkeypatch.setattr(seen, "current_root", lambda: store)
    monkeypatch.setattr(service, "facts_for", lambda html, root: object())  # "rendered"
    judge = MockProvider("q0.7")
    runner = Runner(
        _config(suite_with(tmp_path)),
        tmp_path / "run",
        model_provider=HtmlModel("q0.7"),
        judge_provider=judge,
    )
    runner.execute()
    by_ids = {
        tuple(sorted(r.structured.schema["required"])): r for r in judge.requests if r.structured
    }
    assert by_ids[("clear_action",)].images == ()
    shots = by_ids[("looks_calm",)].images
    assert [s.png for s in shots] == [png("white", height=10)] * 3
    assert shots[0].label.startswith(seen.INTRO)
    assert shots[2].label == "Screenshot at 1280 px wide"
    looks = next(j for j in RunDir(tmp_path / "run").judgments() if j.item_id == "looks_calm")
    assert looks.verdict is not None and looks.error is None


def test_without_screenshots_the_items_get_no_verdict_and_are_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    why = "visual checks not run: chromium not found (install chromium)"
    monkeypatch.setattr(service, "facts_for", lambda html, root: why)
    judge = MockProvider("q0.7")
    out = tmp_path / "run"
    config = _config(suite_with(tmp_path))
    Runner(config, out, model_provider=HtmlModel("q0.7"), judge_provider=judge).execute()
    looks = next(j for j in RunDir(out).judgments() if j.item_id == "looks_calm")
    assert looks.verdict is None and looks.error == f"not judged: {why}"
    assert looks.error_kind == "not_judged"
    assert not any(r.images for r in judge.requests)  # never judged from the source alone

    store = tmp_path / "store"  # chromium is back: the resume judges them
    stored_screenshots(store, "white")
    monkeypatch.setattr(seen, "current_root", lambda: store)
    monkeypatch.setattr(service, "facts_for", lambda html, root: object())
    Runner(config, out, model_provider=HtmlModel("q0.7"), judge_provider=judge).execute()
    [looks] = [j for j in RunDir(out).judgments() if j.item_id == "looks_calm"]
    assert looks.verdict is not None


def test_a_response_without_html_is_not_judged_from_screenshots(tmp_path: Path) -> None:
    assert run(seen.screenshots_for(response("Just words, no page."))) == seen.NO_HTML


def test_a_judge_without_image_input_is_refused_before_any_call(tmp_path: Path) -> None:
    model, judge = MockProvider("q0.7"), BlindJudge("q0.7")
    runner = Runner(
        _config(suite_with(tmp_path)), tmp_path / "run", model_provider=model, judge_provider=judge
    )
    with pytest.raises(UsageError, match=r"--judge: mock/q0.7 takes no image input, and 1 rubric"):
        runner.execute()
    assert model.requests == [] and judge.requests == []
