"""Generating one response: a fixed-history task's given conversation, the task prompt, then each
scripted user turn sent after the assistant's previous reply. The full transcript is kept, given
turns marked `given`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ..errors import ProviderError
from ..records.schemas import Message, ResolvedTask, ResponseRecord, StopReason, Usage
from .providers.base import Completion, GenerateRequest, GenerationParams, SystemBlock
from .providers.stop import stop_kind, worst_stop

Call = Callable[[GenerateRequest], Awaitable[Completion]]


def joined_text(transcript: list[Message]) -> str:
    """All the model's assistant turns joined by a blank line (DESIGN.md `text`); a fixed-history
    task's given turns are not the model's."""
    return "\n\n".join(m.content for m in transcript if m.role == "assistant" and not m.given)


async def generate_response(
    call: Call, task: ResolvedTask, sample: int, model: str, params: GenerationParams
) -> ResponseRecord:
    # The run's --system-prompt comes first, then the task's own system prompt.
    texts = [t for t in (params.system_prompt, task.system) if t]
    system = tuple(SystemBlock(t) for t in texts)
    transcript: list[Message] = []
    if texts:
        transcript.append(Message(role="system", content="\n\n".join(texts)))
    history: list[Message] = task.given_messages()
    transcript.extend(history)
    usage = Usage()
    stops: list[StopReason | None] = []
    error: str | None = None
    user_turns = [task.prompt, *task.turns]
    try:
        for turn in user_turns:
            history.append(Message(role="user", content=turn))
            transcript.append(history[-1])
            completion = await call(
                GenerateRequest(
                    messages=list(history),
                    params=params,
                    system=system,
                    task_id=task.id,
                    sample=sample,
                )
            )
            usage = usage + completion.usage
            stops.append(stop_kind(completion.stop_reason))
            reply = Message(role="assistant", content=completion.text)
            history.append(reply)
            transcript.append(reply)
    except ProviderError as err:
        error = f"{type(err).__name__}: {err}"  # the partial transcript is kept with the error
    return ResponseRecord(
        task_id=task.id,
        sample=sample,
        model=model,
        transcript=transcript,
        text=joined_text(transcript),
        usage=usage,
        error=error,
        stop_reason=worst_stop(stops),
    )
