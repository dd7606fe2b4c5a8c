"""The audit trail read back from memory, like ``PostgresAuditChains``."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.fakes.audit import AuditTables
from adapters.fakes.store import IdentityTables, InMemoryStore
from application.compliance.ports import AuditChains, AuditFilter, ChainHead
from domain.compliance.audit import GENESIS, AuditRecord
from domain.identity.model import Tenant
from domain.shared.ids import TenantId


def _matches(record: AuditRecord, where: AuditFilter) -> bool:
    wanted = {
        "action": where.action, "actor_id": where.actor_id, "target_type": where.target_type,
        "target_id": where.target_id, "outcome": where.outcome,
    }  # fmt: skip
    if any(v is not None and getattr(record, k) != v for k, v in wanted.items()):
        return False
    return (where.since is None or record.at >= where.since) and (
        where.until is None or record.at < where.until
    )


class FakeAuditChains(AuditChains):
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def _chain(self, tenant: TenantId) -> list[AuditRecord]:
        return self._store.tables.of(AuditTables).events.get(tenant, [])

    async def tenants(self) -> Sequence[TenantId]:
        known: dict[TenantId, Tenant] = self._store.tables.of(IdentityTables).tenants
        return sorted(set(known) | set(self._store.tables.of(AuditTables).events))

    async def head(self, tenant: TenantId) -> ChainHead:
        chain = self._chain(tenant)
        if not chain:
            return ChainHead(tenant_id=tenant, last_seq=0, last_hash=GENESIS)
        return ChainHead(tenant_id=tenant, last_seq=chain[-1].seq, last_hash=chain[-1].hash)

    async def links(self, tenant: TenantId, after_seq: int, limit: int) -> Sequence[AuditRecord]:
        return [r for r in self._chain(tenant) if r.seq > after_seq][:limit]

    async def newest_first(
        self, tenant: TenantId, where: AuditFilter, before_seq: int | None, limit: int
    ) -> Sequence[AuditRecord]:
        rows = [
            r
            for r in reversed(self._chain(tenant))
            if (before_seq is None or r.seq < before_seq) and _matches(r, where)
        ]
        return rows[:limit]
