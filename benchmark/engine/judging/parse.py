"""Reading a judge's answer: one `ItemVerdict` per requested item, never an exception.

- The answer is `completion.structured` (tool input / response_format); when that is None (some
  OpenAI-compatible servers ignore response_format) the first JSON object in `completion.text`
  is used, fenced or not. A wrapper object holding the verdicts one level down (e.g.
  {"verdicts": {...}} or {"arguments": "<json>"}) is unwrapped.
- Per item: missing, not an object, a verdict that is not a JSON boolean, or an evidence or
  rationale that is not a string -> verdict None and `error` naming the problem, with
  `malformed` set (the judge may be asked again). Missing evidence or rationale counts as "".
  Ids the request did not ask about are ignored.
- Grounding (see `grounding`): an empty evidence string -> grounded None (the verdict rests on
  an absence and is kept). A quote found in the response -> grounded True and the evidence is
  replaced by the response's own passage. A quote not found -> grounded False, and:
    * verdict True ("the statement holds", for positive and negative items alike) is not
      trusted: verdict None, error "ungrounded evidence ...". A claim that something is in the
      response must be backed by a real quote.
    * verdict False is kept, flagged grounded False (it does not claim anything is present).
  Ungrounded answers are not `malformed`: asking again would only select for favourable
  draws."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ...records.schemas import RubricItem
from ..providers.base import Completion
from .grounding import locate

UNGROUNDED = (
    "ungrounded evidence: the quote does not occur in the response, so the verdict that the "
    "statement holds is not trusted"
)


@dataclass(frozen=True)
class ItemVerdict:
    item_id: str
    verdict: bool | None
    evidence: str
    rationale: str
    grounded: bool | None
    error: str | None
    malformed: bool = False  # the answer for this item was unusable: worth asking again


def first_json_object(text: str) -> dict[str, Any] | None:
    """The first JSON object that decodes anywhere in `text` (code fences and prose around it
    are skipped)."""
    decoder = json.JSONDecoder()
    for m in re.finditer(r"\{", text):
        try:
            obj, _ = decoder.raw_decode(text, m.start())
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            return obj
    return None


def _unwrap(obj: dict[str, Any], ids: set[str]) -> dict[str, Any]:
    """`obj`, or the object one level down that holds the item ids."""
    if ids & obj.keys():
        return obj
    for value in obj.values():
        if isinstance(value, str) and value.lstrip().startswith("{"):
            value = first_json_object(value)
        if isinstance(value, dict) and ids & value.keys():
            return value
    return obj


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _malformed(item_id: str, error: str) -> ItemVerdict:
    return ItemVerdict(item_id, None, "", "", None, error, malformed=True)


def _one(item_id: str, entry: Any, response_text: str) -> ItemVerdict:
    if entry is None:
        return _malformed(item_id, "item missing from the judge's answer")
    if not isinstance(entry, dict):
        return _malformed(
            item_id, f"expected an object with evidence, rationale and verdict, got {_short(entry)}"
        )
    verdict = entry.get("verdict")
    if not isinstance(verdict, bool):
        return _malformed(item_id, f"verdict must be true or false, got {_short(verdict)}")
    fields: dict[str, str] = {}
    for name in ("evidence", "rationale"):
        value = entry.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            return _malformed(item_id, f"{name} must be a string, got {_short(value)}")
        fields[name] = value.strip()
    evidence, rationale = fields["evidence"], fields["rationale"]
    if not evidence:
        return ItemVerdict(item_id, verdict, "", rationale, None, None)
    passage = locate(evidence, response_text)
    if passage is not None:
        return ItemVerdict(item_id, verdict, passage, rationale, True, None)
    if verdict:
        return ItemVerdict(item_id, None, evidence, rationale, False, UNGROUNDED)
    return ItemVerdict(item_id, False, evidence, rationale, False, None)


def parse_judge_completion(
    completion: Completion, items: list[RubricItem], response_text: str
) -> list[ItemVerdict]:
    """One ItemVerdict per item, in the order of `items` (see the module doc for the rules)."""
    obj = completion.structured
    if obj is None:
        obj = first_json_object(completion.text or "")
    if obj is None:
        what = "an empty answer" if not (completion.text or "").strip() else "no JSON object"
        if completion.stop_reason in ("max_tokens", "length"):
            what += " (cut off at max_tokens)"
        return [_malformed(it.id, f"the judge returned {what}") for it in items]
    obj = _unwrap(obj, {it.id for it in items})
    return [_one(it.id, obj.get(it.id), response_text) for it in items]
