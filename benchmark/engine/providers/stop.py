"""How a generation ended, in one vocabulary for every provider.

Completions keep the provider's own word (`Completion.stop_reason`: Anthropic `stop_reason`,
OpenAI `finish_reason`; the cache stores it as given); run files record the kind:
`end` (the model finished its turn), `max_tokens` (cut off by a length limit), `other`
(refused, filtered, paused, or a word this table does not know)."""

from __future__ import annotations

from collections.abc import Iterable

from ...records.schemas import StopReason

STOP_KINDS: dict[str, StopReason] = {
    # Anthropic Messages API `stop_reason`
    "end_turn": "end",
    "stop_sequence": "end",
    "tool_use": "end",
    "max_tokens": "max_tokens",
    "model_context_window_exceeded": "max_tokens",  # cut off by the context window: a truncation
    "pause_turn": "other",
    "refusal": "other",
    # OpenAI Chat Completions `finish_reason` (also vLLM, Ollama, TGI, llama.cpp)
    "stop": "end",
    "tool_calls": "end",
    "function_call": "end",
    "length": "max_tokens",
    "content_filter": "other",
    # already a kind (the replay provider passes a recorded kind on)
    "end": "end",
    "other": "other",
}

# A response of several turns ended the worst way any of its turns did; unknown (None) ranks
# below a known problem but above a clean end, so "end" means every turn is known to have ended.
_RANK: dict[StopReason | None, int] = {"end": 0, None: 1, "other": 2, "max_tokens": 3}


def stop_kind(raw: str | None) -> StopReason | None:
    """The kind of a provider's stop word; None when the provider gave none."""
    if raw is None:
        return None
    return STOP_KINDS.get(raw, "other")


def worst_stop(kinds: Iterable[StopReason | None]) -> StopReason | None:
    """The stop reason of a whole response from those of its turns (None for no turn)."""
    ranked = list(kinds)
    return max(ranked, key=_RANK.__getitem__) if ranked else None
