"""What the mock provider (`mock_provider`) writes: a model's reply and a judge's answer.

Pure functions of the request's text and of draws in [0, 1) the caller takes from a hash of
the request, so the same request always gets the same answer.

As a model, a reply is either good or poor:
- good: on topic (it repeats up to six content words of the last user message), at most 40
  words and one question, and an HTML page with a form, a labelled input and a button when the
  message asks for HTML or a web page; it varies with the draw, so repeated samples differ;
- poor: one fixed template for every prompt (a cliche opening, 70 words, three questions, no
  HTML), so it fails word limits, question limits and HTML checks, and collapses in diversity.

As a judge, it reads the prompt (system blocks and user message) the way a real judge would:
item ids from the schema, each item's kind from `<rubric_items>`, the task from `<task>` and the
response from `<response>` (the last of each: the instructions name the tags before them). Its verdicts depend on the judge's quality knob q and on the response's
relevance r (the share of the task's content words the response repeats, saturating at three
words): a positive item is met with probability q * r, a negative one (a failure) with
probability 1 - q * r. A met verdict quotes a sentence of the response verbatim, so grounding
accepts it; a verdict that is not met rests on an absence (empty evidence).

As a pairwise judge (a schema whose criteria ask for a `winner`), it reads the task and the
responses labelled A and B and prefers the more relevant one (`pairwise_answer`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal

Draw = Callable[[str], float]  # a label -> a deterministic draw in [0, 1)

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{3,}")
# Words a reply echoing the prompt would sound odd repeating (and that say nothing of topic).
_STOP = frozenset(
    {"about", "just", "make", "that", "this", "very", "what", "with", "write", "your"}
)
_HTML_ASK = re.compile(r"\b(html|web ?page)\b", re.IGNORECASE)
POOR_REPLY = (
    "It was a dark and stormy night, and here is a generic answer that could fit anything at "
    "all. Many things are true in general, and many people feel many ways about many things. "
    "Generally speaking, it is important to stay positive, stay focused and keep going no "
    "matter what happens. Does that cover it? Anything else? Shall I go on with more of the "
    "same general thoughts for you?"
)
_OPENINGS = (
    "Here is a careful answer about {words}.",
    "Thinking about {words}, one picture comes first.",
    "{Words}: that is where this begins.",
)
_MIDDLES = (
    "A small, concrete detail carries the moment and lets it breathe.",
    "One quiet change shows what matters, without saying it outright.",
    "The light shifts, a choice is made, and nothing is quite the same.",
)
_QUESTION = "What part of the {word} matters most to you?"
_RATIONALES = {
    (False, True): "Mock judge: the quality is present (on-topic share {r:.2f}).",
    (False, False): "Mock judge: the quality is missing (on-topic share {r:.2f}).",
    (True, True): "Mock judge: the failure occurred (on-topic share {r:.2f}).",
    (True, False): "Mock judge: the failure did not occur (on-topic share {r:.2f}).",
}
_RELEVANT_WORDS = 3  # content words a response must repeat to count as fully on topic


def content_words(text: str) -> list[str]:
    """Distinct lower-case words of four letters or more, stop words out, in order."""
    words = (w.lower().strip("'-") for w in _WORD.findall(text))
    return list(dict.fromkeys(w for w in words if w not in _STOP and len(w) >= 4))


# --------------------------------------------------------------------------- as a model


def model_reply(prompt: str, *, good: bool, draw: Draw) -> str:
    """The reply to the last user message `prompt`."""
    if not good:
        return POOR_REPLY
    words = content_words(prompt)[:6] or ["question"]
    listed = ", ".join(words[:-1]) + (" and " if len(words) > 1 else "") + words[-1]
    if _HTML_ASK.search(prompt):
        return _page(listed)
    opening = _OPENINGS[int(draw("opening") * len(_OPENINGS))]
    middle = _MIDDLES[int(draw("middle") * len(_MIDDLES))]
    parts = [opening.format(words=listed, Words=listed[:1].upper() + listed[1:]), middle]
    if draw("question") < 0.5:
        parts.append(_QUESTION.format(word=words[-1]))
    return " ".join(parts)


def _page(listed: str) -> str:
    return (
        '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Sign up</title>\n'
        "<style>body{font-family:sans-serif;color:#111;background:#fff}"
        "button{background:#0a4d2a;color:#fff;padding:.6em 1.2em}</style></head>\n"
        f"<body><main><h1>Sign up</h1><p>A page for {listed}.</p>\n"
        '<form><label for="email">Email</label> <input id="email" name="email" type="email">\n'
        '<button type="submit">Create account</button></form></main></body>\n</html>'
    )


# --------------------------------------------------------------------------- as a judge


def _between(text: str, start: str, end: str, *, last: bool = False) -> str:
    """The text between the first (or last) `start`...`end` pair, "" when absent."""
    if last:
        j = text.rfind(end)
        i = text.rfind(start, 0, j) if j >= 0 else -1
    else:
        i = text.find(start)
        j = text.find(end, i + len(start)) if i >= 0 else -1
    return text[i + len(start) : j].strip("\n") if i >= 0 and j >= 0 else ""


def negative_items(user: str) -> set[str]:
    """Ids of the items the prompt's <rubric_items> mark as negative."""
    items = _between(user, "<rubric_items>", "</rubric_items>", last=True)
    blocks = re.finditer(r'<item id="([^"]+)">(.*?)</item>', items, re.DOTALL)
    return {m.group(1) for m in blocks if re.search(r"^Kind:\s*negative", m.group(2), re.M)}


def assistant_passages(response: str) -> list[str]:
    """The response's own text: each assistant turn of a conversation, else the whole."""
    turns = re.findall(r'<assistant_turn n="\d+">\n(.*?)\n</assistant_turn>', response, re.DOTALL)
    return turns or [response]


def relevance(task: str, passages: list[str]) -> float:
    """How on topic the response is: the share of `_RELEVANT_WORDS` task words it repeats."""
    said = set(content_words(" ".join(passages)))
    hits = sum(1 for w in content_words(task) if w in said)
    return min(1.0, hits / _RELEVANT_WORDS)


def quote(passages: list[str], pick: float) -> str:
    """A verbatim sentence (at most 25 words) of the response; "" when it has no text."""
    sentences = [
        s.strip()
        for p in passages
        for line in p.splitlines()
        for s in re.split(r"(?<=[.!?])\s+", line)
        if s.strip()
    ]
    if not sentences:
        return ""
    words = sentences[int(pick * len(sentences))].split(" ")
    return " ".join(words[:25])


def judge_answer(
    user: str, ids: list[str], *, quality: float, draw: Draw, ungrounded: float = 0.0
) -> dict[str, Any]:
    """{item id: {evidence, rationale, verdict}} for every id, as the schema asks."""
    passages = assistant_passages(_between(user, "<response>", "</response>", last=True))
    on_topic = relevance(_between(user, "<task>", "</task>", last=True), passages)
    p_met = quality * on_topic
    negative = negative_items(user)
    answer: dict[str, Any] = {}
    for item_id in ids:
        is_negative = item_id in negative
        verdict = draw(f"verdict:{item_id}") < (1 - p_met if is_negative else p_met)
        evidence = quote(passages, draw(f"quote:{item_id}")) if verdict else ""
        if evidence and draw(f"ungrounded:{item_id}") < ungrounded:
            evidence = "words the response never says"
        answer[item_id] = {
            "evidence": evidence,
            "rationale": _RATIONALES[is_negative, verdict].format(r=on_topic),
            "verdict": verdict,
        }
    return answer


# --------------------------------------------------------------------------- as a pairwise judge

Seat = Literal["first", "second", "none"]


def is_pairwise_schema(schema: dict[str, Any]) -> bool:
    """A pairwise judge's schema: every required criterion is an object with a `winner`
    (benchmark.engine.pairwise.prompt.comparison_schema); a rubric judge's items have a `verdict`."""
    props = schema.get("properties", {})
    ids = schema.get("required", [])
    return bool(ids) and all(
        "winner" in props.get(i, {}).get("properties", {}) for i in ids if isinstance(i, str)
    )


def pairwise_answer(
    user: str, ids: list[str], *, quality: float, draw: Draw, bias: Seat = "none"
) -> dict[str, Any]:
    """{criterion: {reason, winner, margin}} for every id. Each response's mock quality is its
    relevance to the task (as the rubric judge reads it: a good mock reply repeats the task's
    words, the poor template does not). With probability `quality` a verdict is right: the more
    relevant response wins, by a margin growing with the gap (a tie when they are equal). The
    rest are wrong: they go to the seat `bias` names, or to a random seat without bias."""
    task = _between(user, "<task>", "</task>")
    shown_a = _between(user, '<response label="A">', "</response>")
    shown_b = _between(user, '<response label="B">', "</response>", last=True)
    r_a = relevance(task, assistant_passages(shown_a))
    r_b = relevance(task, assistant_passages(shown_b))
    gap = abs(r_a - r_b)
    answer: dict[str, Any] = {}
    for c in ids:
        if draw(f"pairwise:{c}") < quality:
            winner = "tie" if gap == 0 else "A" if r_a > r_b else "B"
            margin = min(3, max(1, round(gap * 3)))  # a third of relevance per step
            reason = f"Mock judge: on-topic shares A {r_a:.2f}, B {r_b:.2f}."
        else:
            seat = bias if bias != "none" else "first" if draw(f"seat:{c}") < 0.5 else "second"
            winner, margin = ("A" if seat == "first" else "B"), 1
            reason = f"Mock judge: an unreliable verdict for the {seat} seat."
        answer[c] = {"reason": reason, "winner": winner, "margin": margin}
    return answer
