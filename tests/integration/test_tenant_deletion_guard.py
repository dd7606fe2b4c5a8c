"""Deletion protection in the database: the trigger refuses an early delete whoever asks (the
owner role included), a request cannot be backdated by the service, and a tenant pending
deletion is read-only in every transaction but the few that must write."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from adapters.postgres.errors import sqlstate
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.tenant_deletion import PostgresTenantDeletionUnitOfWork
from adapters.postgres.uow import PostgresUnitOfWork
from adapters.postgres.url import DatabaseUrl
from application.compliance.tenant_deletion_ports import TenantDeletionUnitOfWork
from application.shared.scope import Scope
from domain.compliance.tenant_deletion import PendingDeletion, TenantPendingDeletion
from domain.identity.model import Tenant, User
from domain.shared.errors import StorageError
from tests.conftest import FreshDatabase
from tests.factories.identity import create_invitation, seed_tenant_with_owner
from tests.factories.tenant_deletion import age_request, owner_may_connect, request_deletion

pytestmark = pytest.mark.integration

EARLY_DELETE, MOVED_REQUEST = "ATD01", "ATD02"
_DELETE = "DELETE FROM atlas.tenants WHERE tenant_id = $1"


async def _seeded(fresh: FreshDatabase) -> tuple[Tenant, User]:
    await owner_may_connect(fresh)
    tenant, people = await seed_tenant_with_owner(
        partial(PostgresIdentityUnitOfWork, fresh.sessions)
    )
    return tenant, people[0]


def _deletions(fresh: FreshDatabase) -> Callable[[Scope], TenantDeletionUnitOfWork]:
    return partial(PostgresTenantDeletionUnitOfWork, fresh.sessions)


async def _request(fresh: FreshDatabase, tenant: Tenant, owner: User) -> PendingDeletion:
    return await request_deletion(fresh, tenant.id, owner.id)


async def _invitations(fresh: FreshDatabase, scope: Scope) -> int:
    async with PostgresUnitOfWork(fresh.sessions, scope) as uow:
        count = await uow.session.scalar(text("SELECT count(*) FROM atlas.invitations"))
    return int(count or 0)


async def _delete_as(url: DatabaseUrl, tenant: Tenant) -> str:
    """``DELETE FROM atlas.tenants`` in the tenant's own context (row security lets it see the
    row): the SQLSTATE it fails with, or "deleted"."""
    conn = await asyncpg.connect(**url.asyncpg_kwargs())
    try:
        async with conn.transaction():
            await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant.id))
            status = await conn.execute(_DELETE, tenant.id)
    except asyncpg.PostgresError as error:
        return str(error.sqlstate)
    finally:
        await conn.close()
    return "deleted" if status == "DELETE 1" else status


async def test_the_trigger_refuses_an_early_delete_from_the_owner_and_the_app_role(
    fresh_database: FreshDatabase,
) -> None:
    active, _ = await _seeded(fresh_database)
    pending, owner = await _seeded(fresh_database)
    await _request(fresh_database, pending, owner)

    refusals = {
        (role, name): await _delete_as(url, tenant)
        for role, url in (("owner", fresh_database.owner), ("app", fresh_database.app))
        for name, tenant in (("active", active), ("pending", pending))
    }

    assert set(refusals.values()) == {EARLY_DELETE}, refusals


async def test_once_past_its_grace_the_trigger_lets_the_tenant_row_go(
    fresh_database: FreshDatabase,
) -> None:
    tenant, owner = await _seeded(fresh_database)
    await _request(fresh_database, tenant, owner)
    await age_request(fresh_database.owner, tenant.id, days=31)

    outcome = await _delete_as(fresh_database.owner, tenant)

    assert outcome == "deleted"


async def test_the_service_can_neither_backdate_a_request_nor_move_a_pending_one(
    fresh_database: FreshDatabase,
) -> None:
    tenant, owner = await _seeded(fresh_database)
    backdated = PendingDeletion.requested(by=owner.id, at=datetime.now(UTC) - timedelta(days=40))
    scope = Scope(tenant_id=tenant.id, user_id=owner.id)

    with pytest.raises(StorageError) as early:
        async with _deletions(fresh_database)(scope) as uow:
            await uow.deletions.request(tenant.id, backdated)
    await _request(fresh_database, tenant, owner)
    with pytest.raises(DBAPIError) as moved:
        async with PostgresUnitOfWork(
            fresh_database.sessions, scope.despite_pending_deletion()
        ) as uow:
            await uow.session.execute(
                text("UPDATE atlas.tenants SET purge_after = now() WHERE tenant_id = :t"),
                {"t": tenant.id},
            )

    assert sqlstate(early.value.__cause__) == MOVED_REQUEST  # type: ignore[arg-type]
    assert sqlstate(moved.value) == MOVED_REQUEST


async def test_a_pending_tenant_refuses_writes_names_its_purge_date_and_still_reads(
    fresh_database: FreshDatabase,
) -> None:
    tenant, owner = await _seeded(fresh_database)
    pending = await _request(fresh_database, tenant, owner)
    identity = partial(PostgresIdentityUnitOfWork, fresh_database.sessions)
    scope = Scope(tenant_id=tenant.id, user_id=owner.id)

    with pytest.raises(TenantPendingDeletion) as refused:
        async with identity(scope) as uow:
            await uow.invitations.add(create_invitation(tenant.id, owner.id))
            await uow.commit()
    async with identity(scope) as uow:
        members = await uow.memberships.all()
    invitations = await _invitations(fresh_database, scope)

    assert refused.value.code == "tenant.pending_deletion"
    shown = refused.value.details["purge_after"]
    assert datetime.fromisoformat(str(shown)) == pending.purge_after
    assert pending.purge_after.date().isoformat() in refused.value.message
    assert [m.user_id for m in members] == [owner.id]
    assert invitations == 0


async def test_the_exempt_writes_go_through_and_a_restore_makes_the_tenant_writable(
    fresh_database: FreshDatabase,
) -> None:
    tenant, owner = await _seeded(fresh_database)
    await _request(fresh_database, tenant, owner)
    identity = partial(PostgresIdentityUnitOfWork, fresh_database.sessions)
    scope = Scope(tenant_id=tenant.id, user_id=owner.id)

    async with identity(scope.despite_pending_deletion()) as uow:
        await uow.invitations.add(create_invitation(tenant.id, owner.id))
        await uow.commit()
    async with _deletions(fresh_database)(scope.despite_pending_deletion()) as uow:
        await uow.deletions.restore(tenant.id, at=datetime.now(UTC), by=owner.id)
        await uow.commit()
    async with identity(scope) as uow:
        await uow.invitations.add(create_invitation(tenant.id, owner.id))
        await uow.commit()
    async with _deletions(fresh_database)(scope) as uow:
        standing = await uow.deletions.standing()
    invitations = await _invitations(fresh_database, scope)

    assert standing is not None
    assert standing.pending is None
    assert invitations == 2


async def test_the_sync_census_passes_over_a_pending_tenant(
    fresh_database: FreshDatabase,
) -> None:
    from tests.factories.integrations import seed_connection

    identity = partial(PostgresIdentityUnitOfWork, fresh_database.sessions)
    kept, kept_owner = await _seeded(fresh_database)
    gone, gone_owner = await _seeded(fresh_database)
    ours = await seed_connection(identity, Scope(tenant_id=kept.id, user_id=kept_owner.id))
    theirs = await seed_connection(identity, Scope(tenant_id=gone.id, user_id=gone_owner.id))
    await _request(fresh_database, gone, gone_owner)

    async with PostgresUnitOfWork(fresh_database.sessions, Scope.ANONYMOUS) as uow:
        rows = await uow.session.execute(
            text("SELECT connection_id FROM atlas.sync_due_connections(now(), 1000)")
        )
        due = {row.connection_id for row in rows}

    assert ours in due
    assert theirs not in due
