"""Tenant deletion for tests: request it, age it past its grace (as the owner role, the only
one the stamp rule lets backdate), and look at every tenant table from the catalog."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

import asyncpg

from adapters.postgres.tenant_deletion import PostgresTenantDeletionUnitOfWork
from adapters.postgres.url import DatabaseUrl
from application.shared.scope import Scope
from domain.compliance.tenant_deletion import PendingDeletion
from domain.shared.ids import TenantId, UserId
from tests.conftest import FreshDatabase

_TENANT_TABLES = """
    SELECT c.oid::regclass::text FROM pg_class c
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
    WHERE c.relkind IN ('r', 'p') AND c.relnamespace::regnamespace::text = 'atlas'
    ORDER BY 1"""


async def owner_may_connect(fresh: FreshDatabase) -> None:
    """A fresh copy lets only the app role in; these tests act as the owner role too."""
    admin = await asyncpg.connect(**fresh.superuser.asyncpg_kwargs())
    try:
        await admin.execute(f'GRANT CONNECT ON DATABASE "{fresh.app.database}" TO atlas_owner')
    finally:
        await admin.close()


async def request_deletion(
    fresh: FreshDatabase, tenant_id: TenantId, owner_id: UserId
) -> PendingDeletion:
    pending = PendingDeletion.requested(by=owner_id, at=datetime.now(UTC))
    scope = Scope(tenant_id=tenant_id, user_id=owner_id)
    async with partial(PostgresTenantDeletionUnitOfWork, fresh.sessions)(scope) as uow:
        await uow.deletions.request(tenant_id, pending)
        await uow.commit()
    return pending


async def age_request(owner: DatabaseUrl, tenant_id: TenantId, days: int) -> None:
    """The request was made ``days`` ago, its 30-day grace kept whole (the CHECK holds)."""
    conn = await asyncpg.connect(**owner.asyncpg_kwargs())
    try:
        async with conn.transaction():
            await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_id))
            await conn.execute(
                "UPDATE atlas.tenants SET purge_after = now() - make_interval(days => $2 - 30), "
                "deletion_requested_at = now() - make_interval(days => $2) WHERE tenant_id = $1",
                tenant_id,
                days,
            )
    finally:
        await conn.close()


async def tenant_rows(fresh: FreshDatabase, tenant_id: TenantId) -> dict[str, int]:
    """As the superuser (no row security): every table with a ``tenant_id`` column, from the
    catalog, and how many rows it holds for the tenant (tables holding none left out)."""
    conn = await asyncpg.connect(
        **fresh.superuser.with_database(fresh.app.database).asyncpg_kwargs()
    )
    try:
        counts = {
            table: await conn.fetchval(
                f"SELECT count(*) FROM {table} WHERE tenant_id = $1", tenant_id
            )
            for table in [r[0] for r in await conn.fetch(_TENANT_TABLES)]
        }
    finally:
        await conn.close()
    return {table: n for table, n in counts.items() if n}
