"""The root of every domain error, and the categories that give an error its HTTP meaning.

Each context defines one-line subclasses with a stable ``code`` (clients and tests key on it)
and a ``default_message``; the HTTP layer maps categories, never individual errors.
"""

from __future__ import annotations

from typing import ClassVar

DetailValue = str | int | float | bool | None


class DomainError(Exception):
    code: ClassVar[str] = "error"
    default_message: ClassVar[str] = "The request could not be completed."

    def __init__(self, message: str | None = None, **details: DetailValue) -> None:
        self.message = message or self.default_message
        self.details = details
        super().__init__(self.message)


class Invalid(DomainError):
    """The input breaks a rule (422)."""


class Unauthenticated(DomainError):
    """No valid credentials were presented (401)."""


class Forbidden(DomainError):
    """The actor is known but may not do this (403)."""


class NotFound(DomainError):
    """The thing does not exist, or belongs to someone else (404: no existence oracle)."""


class Conflict(DomainError):
    """The request conflicts with the current state (409)."""


class TooLarge(DomainError):
    """The request body or file is larger than allowed (413)."""


class RateLimited(DomainError):
    """Too many attempts (429); ``retry_after`` says when to come back."""

    def __init__(self, message: str | None = None, *, retry_after: int, **details: DetailValue):
        super().__init__(message, **details)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """A dependency is busy or down; the client may retry (503)."""

    def __init__(self, message: str | None = None, *, retry_after: int = 1, **details: DetailValue):
        super().__init__(message, **details)
        self.retry_after = retry_after


class StorageError(DomainError):
    """The store failed in a way the domain cannot name (500, logged, never detailed)."""

    code = "storage.failed"


class ScopeViolation(StorageError):
    """A write tried to leave its tenant or user scope: a bug, refused by row security."""

    code = "storage.scope_violation"
