"""Helpers shared by the leaderboard tests: the mini suite, hand-chosen verdicts, bundles."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

from benchmark.records.schemas import Message, ResolvedTask, RubricItem
from benchmark.suite import Suite, load_suite
from leaderboard.synthetic import write_bundle
from leaderboard.verify import load_suites

MINI = Path(__file__).parent / "data" / "mini_suite"

# Hand-computed example on the mini suite (tests/data/mini_suite), one sample per task:
#   story: has_lighthouse +4 met, has_change +3 not, cliche -2 met, short +1 met
#          -> (4 - 2 + 1) / (4 + 3 + 1) = 3/8 = 0.375
#   talk:  grounded_question +3 met, advice_first -3 not, two_questions_max +2 met -> 5/5 = 1
#   page:  clear_action +3 not, has_form +2 met -> 2/5 = 0.4
#   overall = 100 * (0.375 + 1 + 0.4) / 3 = 59.1666...
HAND_VERDICTS = {
    "has_lighthouse": True,
    "has_change": False,
    "cliche": True,
    "short": True,
    "grounded_question": True,
    "advice_first": False,
    "two_questions_max": True,
    "clear_action": False,
    "has_form": True,
}
HAND_OVERALL = 100 * (3 / 8 + 1 + 2 / 5) / 3
HAND_TASKS = {"story": 37.5, "talk": 100.0, "page": 40.0}


def mini_suite() -> Suite:
    return load_suite(MINI)


def mini_suites() -> dict[str, Suite]:
    return load_suites([MINI])


def fixed(
    verdicts: Mapping[str, bool | None],
) -> Callable[[ResolvedTask, int, RubricItem], bool | None]:
    return lambda task, sample, item: verdicts[item.id]


def constant(met: bool) -> Callable[[ResolvedTask, int, RubricItem], bool]:
    """Every positive item met (met=True) and no failure item, or the reverse."""
    return lambda task, sample, item: met if item.points > 0 else not met


Verdict = Callable[[ResolvedTask, int, RubricItem], bool | None]


def mini_text(name: str, verdict: Verdict) -> Callable[[ResolvedTask, int], str]:
    """Texts on which the mini suite's programmatic items come out as `verdict` asks (the board
    re-runs the checks): `short` (at most 60 words), `two_questions_max` and `has_form`. Each
    text names the bundle, so two bundles never submit the same responses."""

    def text(task: ResolvedTask, sample: int) -> str:
        tag = f"({name}, sample {sample})"
        checks = {it.id: verdict(task, sample, it) for it in task.items if it.check is not None}
        if task.id == "story":
            body = f"The lighthouse keeper lit the lamp {tag}."
            return body if checks["short"] else body + " And the sea went on." * 15
        if task.id == "talk":
            asks = "What worries you most? " if checks["two_questions_max"] else "Why? " * 3
            return f"{asks}I am listening {tag}."
        if task.id == "page":
            form = "<form><input name='email'><button>Join</button></form>"
            return f"<p>Sign up {tag}</p>" + (form if checks["has_form"] else "")
        return f"Synthetic answer {tag} to {task.id}."

    return text


def bundle(
    root: Path,
    name: str,
    *,
    model: str | None = None,
    verdict: Verdict | None = None,
    samples: int = 1,
    suite: Suite | None = None,
    **kw: object,
) -> Path:
    """An honest bundle of the mini suite (or `suite`) named `name`: LLM items judged as
    `verdict` says (default HAND_VERDICTS); programmatic ones decided by the checks on texts
    chosen to agree with `verdict` (mini_text) unless `text` is given."""
    verdict = verdict or fixed(HAND_VERDICTS)
    if suite is None and "text" not in kw:
        kw["text"] = mini_text(name, verdict)
    return write_bundle(
        root / name,
        suite or mini_suite(),
        model=model or f"anthropic/{name}",
        verdict=verdict,
        samples=samples,
        run_id=kw.pop("run_id", f"run-{name}"),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


def copy_bundle(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    for extra in ("cache.sqlite", "cache.sqlite-wal", "cache.sqlite-shm"):
        (dst / extra).unlink(missing_ok=True)
    return dst


def edit_json(path: Path, change: Callable[[dict], None]) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines(keepends=True)


def rewrite_jsonl(path: Path, change: Callable[[dict], None]) -> None:
    """Apply `change` to every record of a JSONL file (fields no verification step reads)."""
    records = [json.loads(line) for line in path.read_text().splitlines()]
    for record in records:
        change(record)
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def hostile_bundle(root: Path, url: str, *, name: str = "hostile") -> Path:
    """A bundle that passes verification with every free field hostile (payloads aimed at
    `url`): the model and judge names and the run id carry `name_payload`; the story and the
    conversation `markdown_payload`, the web page `html_page`; the conversation's transcript a
    system turn and a second user turn carrying `markdown_payload`; every rationale too. The
    judge quotes the first line of each response, so evidence is highlighted in it."""
    from tests.browser.hostile import html_page, markdown_payload, name_payload

    spec = name_payload(url)

    def transcript(task: ResolvedTask, sample: int, body: str) -> list[Message]:
        turns = [Message(role="user", content=task.prompt), Message(role="assistant", content=body)]
        if task.id != "talk":
            return turns
        system = Message(role="system", content=markdown_payload(url))
        again = Message(role="user", content=markdown_payload(url))
        return [system, *turns, again, turns[1]]

    path = bundle(
        root,
        name,
        model=spec,
        judge=spec,
        run_id=f"run {spec}",
        text=lambda task, s: html_page(url) if task.id == "page" else markdown_payload(url),
        evidence=lambda item, text: text.splitlines()[0],
        transcript=transcript,
    )
    rewrite_jsonl(path / "judgments.jsonl", lambda j: j.update(rationale=markdown_payload(url)))
    return path
