"""Errors of the annotation store and app. Anything a user can cause is a UsageError subclass, so
the CLI prints one line and exits 2; the app shows the same message."""

from __future__ import annotations

from benchmark.errors import MusebenchError, UsageError


class StoreError(UsageError):
    """A database URL that cannot be used, a store that is missing or too new, or a limit hit."""


class AuthError(UsageError):
    """A wrong, disabled or malformed login token, or a bad user name or role."""


class UserDisabled(AuthError):
    """The right token of a user an admin has disabled."""


class LoginThrottled(AuthError):
    """Too many failed logins for this key id or from this client: wait `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermissionDenied(MusebenchError):
    """An annotator asked for something only admins (or the rater themselves) may see."""


class QueueError(UsageError):
    """An assignment that is not the caller's, is no longer open, or an incomplete submission."""


class AssignmentLost(QueueError):
    """The assignment was taken back after the idle timeout and its slot given to someone else.
    The verdicts stay in the assignment's draft (admins can see them); they are not counted."""
