"""A fake unit of work: a snapshot per transaction; its own writes are applied on commit."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from adapters.fakes.audit import FakeAuditRecorder
from adapters.fakes.feed import FakeEventOutbox, notices_of
from adapters.fakes.store import InMemoryStore, Tables
from application.shared.scope import Scope


class FakeUnitOfWork:
    def __init__(self, store: InMemoryStore, scope: Scope) -> None:
        self._store = store
        self.scope = scope
        self.committed = False

    async def __aenter__(self) -> Self:
        self.tables = self._store.begin()
        self._events = FakeEventOutbox(self.tables, self.scope.tenant_id)
        self._audit = FakeAuditRecorder(self.tables, self.scope)
        self._attach(self.tables)
        return self

    @property
    def events(self) -> FakeEventOutbox:
        return self._events

    @property
    def audit(self) -> FakeAuditRecorder:
        return self._audit

    def _attach(self, tables: Tables) -> None:
        """Create this context's repositories on ``tables``."""

    async def commit(self) -> None:
        # The feed and the audit trail append to the committed tables, as PostgreSQL serialises
        # their appends: two interleaved units of work each get their own sequence numbers.
        head = self.events.flush(into=self._store.tables)
        self.audit.flush(into=self._store.tables)
        self._store.commit(self.tables)
        if head is not None and self.scope.tenant_id is not None:
            notices_of(self._store)(self.scope.tenant_id, head)
        self.tables = self._store.begin()
        self._events = FakeEventOutbox(self.tables, self.scope.tenant_id)
        self._audit = FakeAuditRecorder(self.tables, self.scope)
        self._attach(self.tables)
        self.committed = True

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None
