"""Requests to and replies from the Anthropic Messages API as plain data: one conversion for
AnthropicProvider and its Message Batches client (anthropic_batch)."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ...records.schemas import Usage
from .base import Completion, GenerateRequest, ImagePart

if TYPE_CHECKING:  # the SDK is imported by its users, not by every reader of a judge's images
    from anthropic.types import Message as AnthropicMessage


def anthropic_params(request: GenerateRequest, model: str) -> dict[str, Any]:
    """The JSON body of a Messages API request (also a batch request's `params`)."""
    system: list[dict[str, Any]] = []
    for block in request.system:
        entry: dict[str, Any] = {"type": "text", "text": block.text}
        if block.cache:
            entry["cache_control"] = {"type": "ephemeral"}
        system.append(entry)
    messages: list[dict[str, Any]] = []
    for msg in request.messages:
        if msg.role == "system":
            # The Messages API has no system role inside `messages`: fold it into `system`.
            system.append({"type": "text", "text": msg.content})
        else:
            messages.append({"role": msg.role, "content": msg.content})
    if request.images:
        last = _last_user(messages)
        last["content"] = image_blocks(last["content"], request.images)

    params: dict[str, Any] = {
        "model": model,
        "max_tokens": request.params.max_tokens,
        "messages": messages,
    }
    if system:
        params["system"] = system
    if request.params.temperature is not None:
        params["temperature"] = request.params.temperature
    if request.params.top_p is not None:
        params["top_p"] = request.params.top_p
    if request.params.thinking_budget is not None:
        params["thinking"] = {"type": "enabled", "budget_tokens": request.params.thinking_budget}
    if request.structured is not None:
        out = request.structured
        params["tools"] = [
            {"name": out.name, "description": out.description, "input_schema": out.schema}
        ]
        params["tool_choice"] = {"type": "tool", "name": out.name}
    params.update(extra_fields(request))
    return params


def _last_user(messages: list[dict[str, Any]]) -> dict[str, Any]:
    for msg in reversed(messages):
        if msg["role"] == "user":
            return msg
    raise ValueError("a request with images needs a user message to carry them")


def image_blocks(text: str, images: Sequence[ImagePart]) -> list[dict[str, Any]]:
    """A user message's content with images: the text, then each image after its label."""
    blocks: list[dict[str, Any]] = [{"type": "text", "text": text}]
    for im in images:
        blocks.append({"type": "text", "text": im.label})
        data = base64.b64encode(im.png).decode("ascii")
        blocks.append(
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": data}}
        )
    return blocks


def extra_fields(request: GenerateRequest) -> dict[str, Any]:
    """The request's `--extra-body` fields, merged into the body as given."""
    extra = request.params.extra_body
    return json.loads(extra) if extra is not None else {}


def completion_from_message(message: AnthropicMessage) -> Completion:
    """A Completion from a Messages API reply. `structured` is the input of the tool_use block
    (we only ever offer one, forced, tool), None when absent or not an object."""
    texts = [block.text for block in message.content if block.type == "text"]
    structured: dict[str, Any] | None = None
    for block in message.content:
        if block.type == "tool_use":
            structured = block.input if isinstance(block.input, dict) else None
            if not texts:
                # Keep the raw answer visible in logs and run files.
                texts.append(json.dumps(block.input, ensure_ascii=False))
            break
    u = message.usage
    usage = Usage(
        input_tokens=u.input_tokens or 0,
        output_tokens=u.output_tokens or 0,
        cache_read_tokens=u.cache_read_input_tokens or 0,
        cache_write_tokens=u.cache_creation_input_tokens or 0,
    )
    return Completion(
        text="".join(texts),
        usage=usage,
        structured=structured,
        stop_reason=message.stop_reason,
        model=message.model,
    )
