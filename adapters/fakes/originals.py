"""The in-memory twin of the retrieval audit, with the row security of its table."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from adapters.fakes.graph import FakeGraphUnitOfWork
from adapters.fakes.store import Tables
from application.graph.original_ports import OriginalsUnitOfWork, RetrievalLog
from application.shared.scope import Scope
from domain.graph.originals import Retrieval
from domain.shared.errors import ScopeViolation
from domain.shared.ids import TenantId


@dataclass
class RetrievalTables:
    retrievals: dict[tuple[TenantId, UUID], Retrieval] = field(default_factory=dict)


class FakeRetrievalLog(RetrievalLog):
    def __init__(self, tables: RetrievalTables, scope: Scope) -> None:
        self._t, self._scope = tables, scope

    async def add(self, retrieval: Retrieval) -> None:
        # WITH CHECK: the scope's tenant and user only.
        if (retrieval.tenant_id, retrieval.user_id) != (self._scope.tenant_id, self._scope.user_id):
            raise ScopeViolation()
        self._t.retrievals[(retrieval.tenant_id, retrieval.id)] = retrieval

    async def of_record(self, record_id: UUID) -> list[Retrieval]:
        mine = [
            r
            for r in self._t.retrievals.values()  # USING: the scope's tenant and user only
            if (r.tenant_id, r.user_id) == (self._scope.tenant_id, self._scope.user_id)
            and r.record_id == record_id
        ]
        return sorted(mine, key=lambda r: (r.retrieved_at, r.id))


class FakeOriginalsUnitOfWork(FakeGraphUnitOfWork, OriginalsUnitOfWork):
    def _attach(self, tables: Tables) -> None:
        super()._attach(tables)
        self.retrievals = FakeRetrievalLog(tables.of(RetrievalTables), self.scope)
