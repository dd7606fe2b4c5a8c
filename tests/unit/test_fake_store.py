"""The fakes' units of work commit only their own writes: interleaved ones all keep theirs."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.fakes.audit import AuditTables
from adapters.fakes.identity import FakeIdentityUnitOfWork
from adapters.fakes.store import IdentityTables, InMemoryStore
from application.shared.scope import Scope
from domain.compliance.audit import AuditAction, AuditEntry
from domain.identity.model import Tenant
from domain.shared.ids import TenantId, new_tenant_id, new_user_id

NOW = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


def _tenant(tenant_id: TenantId) -> Tenant:
    return Tenant(id=tenant_id, name="Acme", region="eu", created_at=NOW)


def _uow(store: InMemoryStore, tenant_id: TenantId) -> FakeIdentityUnitOfWork:
    return FakeIdentityUnitOfWork(store, Scope(tenant_id=tenant_id, user_id=new_user_id()))


async def test_two_interleaved_units_of_work_both_keep_their_writes() -> None:
    store = InMemoryStore()
    a, b = new_tenant_id(), new_tenant_id()

    async with _uow(store, a) as first, _uow(store, b) as second:
        await first.tenants.add(_tenant(a))
        await second.tenants.add(_tenant(b))
        await first.commit()
        await second.commit()  # began before the first committed

    assert set(store.tables.of(IdentityTables).tenants) == {a, b}
    assert store.commits == 2


async def test_a_deletion_and_a_write_interleaved_both_hold() -> None:
    store = InMemoryStore()
    kept, gone = new_tenant_id(), new_tenant_id()
    async with _uow(store, gone) as setup:
        await setup.tenants.add(_tenant(gone))
        await setup.commit()

    async with _uow(store, gone) as deleting, _uow(store, kept) as writing:
        deleting.tables.of(IdentityTables).tenants.pop(gone)
        await writing.tenants.add(_tenant(kept))
        await deleting.commit()
        await writing.commit()  # its snapshot still holds the deleted row: untouched, not restored

    assert set(store.tables.of(IdentityTables).tenants) == {kept}


async def test_interleaved_audit_appends_of_one_tenant_chain_one_after_the_other() -> None:
    store = InMemoryStore()
    tenant = new_tenant_id()

    async with _uow(store, tenant) as first, _uow(store, tenant) as second:
        first.audit.record(AuditEntry(action=AuditAction.SIGN_IN))
        second.audit.record(AuditEntry(action=AuditAction.MEMBER_REMOVED))
        await first.commit()
        await second.commit()

    chain = store.tables.of(AuditTables).events[tenant]
    assert [(r.seq, r.action) for r in chain] == [
        (1, AuditAction.SIGN_IN), (2, AuditAction.MEMBER_REMOVED),
    ]  # fmt: skip
    assert chain[1].prev_hash == chain[0].hash


async def test_a_unit_of_work_that_does_not_commit_changes_nothing() -> None:
    store = InMemoryStore()
    tenant = new_tenant_id()

    async with _uow(store, tenant) as uow:
        await uow.tenants.add(_tenant(tenant))

    assert store.tables.of(IdentityTables).tenants == {}
    assert store.commits == 0
