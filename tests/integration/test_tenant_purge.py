"""The purge job on PostgreSQL: a tenant past its grace loses its grants at the provider and
every row of every tenant table (checked from the catalog), its queued jobs too, and keeps its
record in ``tenant_deletions``; a tenant still in its grace, and any other, keep everything."""

from __future__ import annotations

from functools import partial

import asyncpg
import msgspec
import pytest
from pgqueuer.adapters.drivers.asyncpg import AsyncpgDriver

from adapters.clock import SystemClock
from adapters.fakes.integrations import FakeProvider
from adapters.postgres.graph_purge import PostgresGraphPurgeUnitOfWork
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.integrations import PostgresIntegrationsUnitOfWork
from adapters.postgres.jobs import SYNC_ENTRYPOINT, queries_on
from adapters.postgres.tenant_deletion import PostgresPurgeCensus, PostgresTenantDeletionUnitOfWork
from application.compliance.purge_tenants import PurgeTenants
from application.graph.purge_scope import PurgeSourceScope
from application.integrations.directory import OAuthClientCredentials, ProviderDirectory
from application.integrations.disconnect import DisconnectConnection
from application.sync.ports import SyncJob
from domain.integrations.providers import CATALOG
from domain.shared.ids import TenantId, new_id
from domain.shared.secret import Secret
from tests.conftest import FreshDatabase
from tests.factories.tenancy import SeededTenant, seed_tenant
from tests.factories.tenant_deletion import (
    age_request,
    owner_may_connect,
    request_deletion,
    tenant_rows,
)
from tests.factories.vault import shared_vault

pytestmark = pytest.mark.integration

CLIENTS = {
    s.platform: OAuthClientCredentials(client_id="id", client_secret=Secret("s"))
    for s in CATALOG.values()
}


async def _purge_job(fresh: FreshDatabase, provider: FakeProvider) -> PurgeTenants:
    sessions = fresh.sessions
    engine = sessions.kw["bind"]
    directory = ProviderDirectory(
        CATALOG, clients=CLIENTS, callback_template="https://a.test/{platform}",
        sandbox_base="https://sandbox.test",
    )  # fmt: skip
    disconnect = DisconnectConnection(
        uow_for=partial(PostgresIntegrationsUnitOfWork, sessions),
        providers=directory,
        client=provider,
        vault=await shared_vault(engine),  # the seeded tokens' own keys
        purge=PurgeSourceScope(partial(PostgresGraphPurgeUnitOfWork, sessions)),
        clock=SystemClock(),
    )
    return PurgeTenants(
        census=PostgresPurgeCensus(sessions),
        uow_for=partial(PostgresTenantDeletionUnitOfWork, sessions),
        disconnect=disconnect,
        clock=SystemClock(),
    )


async def _enqueue(fresh: FreshDatabase, tenant: SeededTenant) -> None:
    job = SyncJob(
        tenant_id=tenant.tenant.id, user_id=tenant.people[0].id, connection_id=new_id(),
        run_id=new_id(),
    )  # fmt: skip
    conn = await asyncpg.connect(**fresh.app.asyncpg_kwargs())
    try:
        await queries_on(AsyncpgDriver(conn)).enqueue(SYNC_ENTRYPOINT, msgspec.json.encode(job))
    finally:
        await conn.close()


async def _jobs_naming(fresh: FreshDatabase, tenant_id: TenantId) -> int:
    conn = await asyncpg.connect(**fresh.app.asyncpg_kwargs())
    try:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM atlas_jobs.pgqueuer "
                "WHERE position(convert_to($1, 'UTF8') IN payload) > 0",
                str(tenant_id),
            )
        )
    finally:
        await conn.close()


async def _record(fresh: FreshDatabase, tenant_id: TenantId) -> asyncpg.Record:
    conn = await asyncpg.connect(
        **fresh.superuser.with_database(fresh.app.database).asyncpg_kwargs()
    )
    try:
        return await conn.fetchrow(
            "SELECT * FROM atlas.tenant_deletions WHERE deleted_tenant_id = $1", tenant_id
        )
    finally:
        await conn.close()


async def test_the_purge_removes_every_row_of_a_due_tenant_and_nothing_else(
    fresh_database: FreshDatabase,
) -> None:
    await owner_may_connect(fresh_database)
    identity = partial(PostgresIdentityUnitOfWork, fresh_database.sessions)
    due, waiting, bystander = [await seed_tenant(identity, members=2) for _ in range(3)]
    for tenant in (due, waiting):
        await request_deletion(fresh_database, tenant.tenant.id, tenant.people[0].id)
        await _enqueue(fresh_database, tenant)
    await _enqueue(fresh_database, bystander)
    await age_request(fresh_database.owner, due.tenant.id, days=31)
    seeded = await tenant_rows(fresh_database, due.tenant.id)
    kept = {
        t.tenant.id: await tenant_rows(fresh_database, t.tenant.id) for t in (waiting, bystander)
    }
    provider = FakeProvider()
    sut = await _purge_job(fresh_database, provider)

    reports = await sut.execute()
    again = await sut.execute()

    left = await tenant_rows(fresh_database, due.tenant.id)
    record = await _record(fresh_database, due.tenant.id)
    removed = msgspec.json.decode(record["rows_removed"], type=dict[str, int])
    untouched = {t: await tenant_rows(fresh_database, t) for t in kept}
    jobs = {
        t.tenant.id: await _jobs_naming(fresh_database, t.tenant.id)
        for t in (due, waiting, bystander)
    }
    # every tenant table was seeded, so emptying them all is a real test
    assert len(seeded) >= 25, seeded
    assert [r.tenant_id for r in reports] == [due.tenant.id]
    assert again == []
    assert left == {}
    assert untouched == kept
    assert jobs == {due.tenant.id: 0, waiting.tenant.id: 1, bystander.tenant.id: 1}
    assert provider.revoked == ["hubspot"]  # the owner's sealed grant, given back
    assert record["purged_at"] is not None
    assert record["requested_by"] == due.people[0].id
    # the disconnects announced themselves in the feed before the rows went; giving a grant
    # back deletes its tokens in its own transaction, so the purge may find fewer (left == {}
    # above says none is left)
    counted = {t: n for t, n in seeded.items() if t != "atlas.oauth_tokens"}
    assert all(removed.get(t, 0) >= n for t, n in counted.items()), (removed, seeded)
    assert removed["atlas_jobs.pgqueuer"] == 1
    revocations = msgspec.json.decode(record["revocations"])
    assert revocations == {"hubspot:revoked": 1, "hubspot:no_tokens": 1}  # one had no tokens
