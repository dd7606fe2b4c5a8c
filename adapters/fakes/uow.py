"""A fake unit of work: a snapshot per transaction, applied only on commit."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from adapters.fakes.store import InMemoryStore, Tables
from application.shared.scope import Scope


class FakeUnitOfWork:
    def __init__(self, store: InMemoryStore, scope: Scope) -> None:
        self._store = store
        self.scope = scope
        self.committed = False

    async def __aenter__(self) -> Self:
        self.tables = self._store.begin()
        self._attach(self.tables)
        return self

    def _attach(self, tables: Tables) -> None:
        """Create this context's repositories on ``tables``."""

    async def commit(self) -> None:
        self._store.commit(self.tables)
        self.tables = self._store.begin()
        self._attach(self.tables)
        self.committed = True

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None
