"""In-memory tenant deletion: the pending state beside the tenant, the records that outlive it.

The fake does not make a pending tenant read-only for other contexts' fakes: that rule lives
in the database (one transaction at a time, see adapters/postgres/engine.py) and is proven by
the integration tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import msgspec

from adapters.fakes.integrations import IntegrationsTables
from adapters.fakes.store import IdentityTables, InMemoryStore, Tables
from adapters.fakes.uow import FakeUnitOfWork
from application.compliance.tenant_deletion_ports import (
    ConnectionOwner,
    PurgeCensus,
    TenantDeletionRecords,
    TenantDeletionUnitOfWork,
)
from application.shared.scope import Scope
from domain.compliance.tenant_deletion import (
    PendingDeletion,
    PurgeReport,
    TenantNotDue,
    TenantStanding,
)
from domain.shared.errors import ScopeViolation
from domain.shared.ids import TenantId, UserId


class DeletionRecord(msgspec.Struct, frozen=True, kw_only=True):
    tenant_id: TenantId
    pending: PendingDeletion
    restored_at: datetime | None = None
    purge: PurgeReport | None = None


@dataclass
class DeletionTables:
    pending: dict[TenantId, PendingDeletion] = field(default_factory=dict)
    records: list[DeletionRecord] = field(default_factory=list)  # global, like the table


class FakeTenantDeletionRecords(TenantDeletionRecords):
    def __init__(self, tables: Tables, scope: Scope) -> None:
        self._identity, self._deletions = tables.of(IdentityTables), tables.of(DeletionTables)
        self._scope = scope

    def _mine(self, tenant_id: TenantId) -> None:
        if tenant_id != self._scope.tenant_id:
            raise ScopeViolation()

    def _show(self, tenant_id: TenantId, purge_after: datetime | None) -> None:
        tenant = self._identity.tenants[tenant_id]
        self._identity.tenants[tenant_id] = msgspec.structs.replace(tenant, purge_after=purge_after)

    async def standing(self, *, lock: bool = False) -> TenantStanding | None:
        tenant = self._identity.tenants.get(self._scope.tenant_id)  # type: ignore[arg-type]
        if tenant is None:
            return None
        pending = self._deletions.pending.get(tenant.id)
        return TenantStanding(tenant_id=tenant.id, name=tenant.name, pending=pending)

    async def request(self, tenant_id: TenantId, pending: PendingDeletion) -> None:
        self._mine(tenant_id)
        self._deletions.pending.setdefault(tenant_id, pending)
        self._show(tenant_id, pending.purge_after)
        self._deletions.records.append(DeletionRecord(tenant_id=tenant_id, pending=pending))

    async def restore(self, tenant_id: TenantId, *, at: datetime, by: UserId) -> None:
        self._mine(tenant_id)
        self._deletions.pending.pop(tenant_id, None)
        self._show(tenant_id, None)
        self._deletions.records = [
            msgspec.structs.replace(r, restored_at=at)
            if r.tenant_id == tenant_id and r.restored_at is None and r.purge is None
            else r
            for r in self._deletions.records
        ]

    async def purge(
        self, tenant_id: TenantId, *, at: datetime, revocations: dict[str, int]
    ) -> PurgeReport | None:
        self._mine(tenant_id)
        pending = self._deletions.pending.get(tenant_id)
        if tenant_id not in self._identity.tenants or pending is None:
            return None
        if not pending.due(at):
            raise TenantNotDue()  # the trigger's rule, on the fake's clock
        removed = {"atlas.tenants": 1}
        del self._identity.tenants[tenant_id]
        members = [k for k in self._identity.memberships if k[0] == tenant_id]
        for key in members:
            del self._identity.memberships[key]
        removed["atlas.memberships"] = len(members)
        del self._deletions.pending[tenant_id]
        report = PurgeReport(
            tenant_id=tenant_id, purged_at=at, rows_removed=removed, revocations=revocations
        )
        self._deletions.records = [
            msgspec.structs.replace(r, purge=report)
            if r.tenant_id == tenant_id and r.restored_at is None
            else r
            for r in self._deletions.records
        ]
        return report


class FakeTenantDeletionUnitOfWork(FakeUnitOfWork, TenantDeletionUnitOfWork):
    def _attach(self, tables: Tables) -> None:
        self.deletions = FakeTenantDeletionRecords(tables, self.scope)


class FakePurgeCensus(PurgeCensus):
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    async def due(self, now: datetime, limit: int) -> list[TenantId]:
        pending = self._store.tables.of(DeletionTables).pending
        due = sorted((p.purge_after, t) for t, p in pending.items() if p.due(now))
        return [tenant_id for _, tenant_id in due[:limit]]

    async def connections(self, tenant_id: TenantId) -> list[ConnectionOwner]:
        if tenant_id not in self._store.tables.of(DeletionTables).pending:
            return []
        connections = self._store.tables.of(IntegrationsTables).connections.values()
        return [
            ConnectionOwner(user_id=c.user_id, connection_id=c.id)
            for c in connections
            if c.tenant_id == tenant_id
        ]
