"""Which server a spec's calls go to, as part of a run's identity: None for the provider's own
public API, else the URL (`--base-url`, or the SDK's environment variable). Two servers behind
one spec (`openai/default` on two local servers) must never share cached answers or resume each
other's runs."""

from __future__ import annotations

import os

# provider -> (the SDK's environment variable for the URL, its default public URL)
DEFAULTS = {
    "anthropic": ("ANTHROPIC_BASE_URL", "https://api.anthropic.com"),
    "openai": ("OPENAI_BASE_URL", "https://api.openai.com/v1"),
}


def effective_url(provider: str, base_url: str | None) -> str:
    """The URL the SDK will call: the given one, else the environment's, else the default."""
    env_var, default = DEFAULTS[provider]
    return base_url or os.environ.get(env_var) or default


def endpoint_of(spec: str, base_url: str | None) -> str | None:
    """The endpoint identity of `spec` called at `base_url`: None for the public default."""
    provider = spec.split("/", 1)[0]
    if provider not in DEFAULTS:
        return None  # replay and other local providers call no server
    url = effective_url(provider, base_url).rstrip("/")
    return None if url == DEFAULTS[provider][1].rstrip("/") else url


def url_of(spec: str, endpoint: str | None) -> str | None:
    """The base URL that reaches `endpoint` (as `endpoint_of` gave it) for `spec`: the endpoint
    itself, or the public API for None, whatever the environment says now. None for providers
    that call no server."""
    provider = spec.split("/", 1)[0]
    if provider not in DEFAULTS:
        return None
    return endpoint or DEFAULTS[provider][1]
