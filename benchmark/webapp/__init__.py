"""What both Streamlit apps (annotation, leaderboard) share for showing untrusted content:
inert rendering of texts and names (`inert`), a sandboxed view of HTML artefacts
(`page_frame`), and the security headers every response of the served apps carries
(`security`). See docs/SECURITY.md."""

from __future__ import annotations

from .._lazy import submodule_loader

__all__ = ["component", "inert", "page_frame", "screenshots", "security"]

__getattr__ = submodule_loader(__name__, __all__)
