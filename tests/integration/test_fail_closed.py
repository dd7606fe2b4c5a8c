"""With no context set, every tenant table reads as empty and refuses every insert."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.postgres.engine import UnscopedSessionError
from adapters.postgres.tenancy_checks import LOGIN_IDENTITY_TABLES, pin_search_path, tenant_tables
from tests.factories.identity import seed_tenant_with_owner

pytestmark = pytest.mark.integration


async def _all_scoped_tables(conn: asyncpg.Connection) -> list[str]:
    await pin_search_path(conn)
    return [*await tenant_tables(conn), *(f"atlas.{t}" for t in LOGIN_IDENTITY_TABLES)]


async def test_no_context_reads_no_rows_although_rows_exist(
    app_connection: asyncpg.Connection, postgres_identity_uow: object
) -> None:
    await seed_tenant_with_owner(postgres_identity_uow, members=2)
    tables = await _all_scoped_tables(app_connection)

    counts = {t: await app_connection.fetchval(f"SELECT count(*) FROM {t}") for t in tables}

    assert set(tables) >= {"atlas.tenants", "atlas.memberships", "atlas.users"}
    assert counts == dict.fromkeys(tables, 0)


async def test_an_ended_context_reads_no_rows_either(
    app_connection: asyncpg.Connection, postgres_identity_uow: object
) -> None:
    tenant, _ = await seed_tenant_with_owner(postgres_identity_uow)
    async with app_connection.transaction():
        await app_connection.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant.id))
        inside = await app_connection.fetchval("SELECT count(*) FROM atlas.tenants")

    # The transaction-local setting is now '' (not NULL): NULLIF keeps it closed.
    setting = await app_connection.fetchval("SELECT current_setting('app.tenant_id', true)")
    after = await app_connection.fetchval("SELECT count(*) FROM atlas.tenants")

    assert inside == 1
    assert setting == ""
    assert after == 0


async def test_no_context_refuses_every_insert(app_connection: asyncpg.Connection) -> None:
    refused = []
    for table in await _all_scoped_tables(app_connection):
        with pytest.raises(asyncpg.InsufficientPrivilegeError) as raised:
            async with app_connection.transaction():
                await app_connection.execute(f"INSERT INTO {table} DEFAULT VALUES")
        refused.append(raised.value.sqlstate)

    assert refused
    assert set(refused) == {"42501"}


async def test_a_session_outside_a_unit_of_work_cannot_run_a_statement(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        with pytest.raises(UnscopedSessionError):
            await session.execute(text("SELECT 1"))
