"""Ports every context needs: time, readiness, and the unit of work that scopes a transaction."""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import Protocol, Self, runtime_checkable

import msgspec

from domain.compliance.audit import AuditEntry
from domain.feed.events import FeedEvent


@runtime_checkable  # handed to HTTP handlers as a dependency, which checks its type
class Clock(Protocol):
    def now(self) -> datetime: ...


class EventOutbox(Protocol):
    """The feed's outbox, inside a unit of work: what is announced is written when, and only
    if, the transaction commits, numbered in the tenant's order (``docs/feed.md``)."""

    def announce(self, event: FeedEvent) -> None: ...


class AuditRecorder(Protocol):
    """The audit trail, inside a unit of work: what is recorded is appended to the tenant's
    hash chain when, and only if, the transaction commits (``docs/audit.md``)."""

    def record(self, entry: AuditEntry) -> None: ...


class UnitOfWork(Protocol):
    """One transaction bound to one scope; leaving without ``commit()`` rolls back."""

    @property
    def events(self) -> EventOutbox: ...

    @property
    def audit(self) -> AuditRecorder: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...


class Readiness(msgspec.Struct, frozen=True, kw_only=True):
    reachable: bool
    schema_current: bool
    detail: str

    @property
    def ready(self) -> bool:
        return self.reachable and self.schema_current


class DatabaseProbe(Protocol):
    """Is the store reachable, and is its schema the one this code expects?"""

    async def check(self) -> Readiness: ...
