"""The leaderboard's own exception: a bundle that fails verification."""

from __future__ import annotations


class BundleRejected(Exception):
    """A bundle that fails verification. `code` is stable (for tests and filters); `reason` is
    the one-line explanation shown in rejected.json."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason
