"""Specific exceptions. Anything a user can cause by bad input is a `UsageError` subclass:
the CLI prints its one-line message and exits 2, never a traceback."""

from __future__ import annotations


class MusebenchError(Exception):
    """Base of every error musebench raises on purpose."""


class UsageError(MusebenchError):
    """Bad input from the user (file, field, flag). The CLI exits 2 with the message."""


class SuiteError(UsageError):
    """The task suite or a rubric file is malformed. `problems` holds every `file:field: message`."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(
            problems[0] if len(problems) == 1 else f"{len(problems)} problems in the suite"
        )


class SpecError(UsageError):
    """A model or judge spec (`provider/model`) that cannot be used."""


class RunDirError(UsageError):
    """A run directory that is missing, malformed, or belongs to a different run."""


class StorageError(RunDirError):
    """A run-dir or cache file that cannot be written or read back: a full disk, no permission,
    a corrupt database. The message names the file and what to do; nothing already written is
    lost, and the same command resumes once the cause is fixed."""


class RatingsError(UsageError):
    """A ratings file (long format) with wrong columns, types or no rows."""


class ProviderError(MusebenchError):
    """A failed model call. `retryable` tells the runner whether another attempt may succeed."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        status: int | None = None,
        retry_after: float | None = None,
        unreachable: bool = False,
    ):
        super().__init__(message)
        self.retryable = retryable
        # The server could not be reached at all (refused, DNS): retried mid-run, but fatal
        # before the first success, when it almost always means a wrong base URL.
        self.unreachable = unreachable
        self.status = status
        self.retry_after = retry_after


class BatchPending(MusebenchError):
    """A Message Batch is recorded in the run dir but not collected yet: it had not ended within
    --batch-wait, or the API could not be reached (within the retry policy) to create, find or
    poll it. The same command carries on from batches.json. The CLI exits 3."""


class BatchError(MusebenchError):
    """The API refused a Message Batch call for good (e.g. 401, 400). Nothing is lost: the
    batch log keeps every batch, so the same command can go on once the cause is fixed. The
    CLI exits 1 with the message."""


class BatchPollTimeout(ProviderError):
    """The batch had not ended when polling gave up; it keeps running server-side, so poll
    again later with the same id."""


class BatchGone(ProviderError):
    """The server does not know the batch (HTTP 404): deleted, results past their 29 days, or
    a key of another workspace. Polling it again cannot help."""


class BudgetReached(MusebenchError):
    """The next call could take the command's spending past --max-cost. No call starts after
    it; the calls under way finish and are kept, so the same command (with a higher cap)
    resumes. The CLI exits 4 with the message."""
