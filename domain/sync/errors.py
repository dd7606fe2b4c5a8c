"""Errors of the sync context, and what reading a provider can end in."""

from __future__ import annotations

from domain.shared.errors import Conflict, DomainError, Invalid, NotFound


class SyncError(DomainError):
    code = "sync.error"


class SyncRunNotFound(SyncError, NotFound):
    code = "sync.run_not_found"
    default_message = "No such sync run."


class ConnectionNotSyncable(SyncError, Conflict):
    code = "sync.connection_not_syncable"
    default_message = "This connection cannot sync now: it must be active (reconnect it)."


class InvalidBackfill(SyncError, Invalid):
    code = "sync.invalid_backfill"
    default_message = "backfill_days must be a whole number of days from 1 to 730."


class UnsupportedProvider(SyncError, Conflict):
    code = "sync.unsupported_provider"
    default_message = "Atlas has no connector for this provider."


# -- what a read can end in (raised by connectors; ``reason`` is a short code, never a body) --


class SourceFailure(SyncError):
    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(None, reason=reason)
        self.reason = reason
        self.retry_after_seconds = retry_after


class SourceThrottled(SourceFailure):
    """The provider asked for a wait longer than a worker should hold a job (or its daily
    allowance is spent): release the job and come back after ``retry_after_seconds``."""

    code = "sync.source_throttled"
    default_message = "The provider asked Atlas to slow down; the sync continues later."


class SourceUnavailable(SourceFailure):
    """Retries are spent on 5xx answers, timeouts or network trouble: try again later."""

    code = "sync.source_unavailable"
    default_message = "The provider could not be reached; the sync continues later."


class SourceRefused(SourceFailure):
    """An answer no retry will change (a 4xx we did not expect, a shape we cannot read)."""

    code = "sync.source_refused"
    default_message = "The provider refused a request; the sync stopped."


class GrantRejected(SourceFailure):
    """The provider no longer accepts the grant although its token is fresh (Slack's
    ``invalid_auth``, a 401 after a renewal, a scope taken back): the person must reconnect."""

    code = "sync.grant_rejected"
    default_message = "The provider no longer accepts this connection; reconnect it."


class RunSuperseded(SyncError, Conflict):
    """Another worker took this run over (its heartbeat looked dead): stop without writing."""

    code = "sync.run_superseded"
    default_message = "Another worker continues this sync run."


class InvalidRunCursor(SyncError, Invalid):
    code = "sync.invalid_cursor"
    default_message = "The pagination cursor is not valid."
