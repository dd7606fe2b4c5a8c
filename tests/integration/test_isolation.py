"""Under tenant A's context no other tenant's row is visible, updatable, deletable or insertable."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.postgres.tenancy_checks import pin_search_path, tenant_tables
from adapters.postgres.throwaway import ThrowawayDatabase
from tests.factories.tenancy import SeededTenant, seed_tenant

pytestmark = pytest.mark.integration


@pytest.fixture
async def superuser(database: ThrowawayDatabase) -> AsyncIterator[asyncpg.Connection]:
    """Only to count what really exists; every assertion about visibility uses atlas_app."""
    conn = await asyncpg.connect(**database.superuser.with_database("atlas").asyncpg_kwargs())
    await pin_search_path(conn)
    try:
        yield conn
    finally:
        await conn.close()


async def _set_scope(conn: asyncpg.Connection, tenant: SeededTenant) -> None:
    await conn.execute(
        "SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)",
        str(tenant.tenant.id),
        str(tenant.people[0].id),
    )


# The feed's outbox and the audit trail are append-only for the app role: it may not even try
# to rewrite them.
APPEND_ONLY = {
    "atlas.tenant_events": ("UPDATE", "DELETE"),
    "atlas.tenant_event_heads": ("DELETE",),
    "atlas.audit_events": ("UPDATE", "DELETE"),
    "atlas.audit_heads": ("DELETE",),
}


async def _touches_nothing(
    app: asyncpg.Connection, table: str, statement: str, *args: object
) -> None:
    verb = statement.split()[0]
    try:
        async with app.transaction():  # a savepoint: a refusal leaves the test's transaction usable
            assert await app.execute(statement, *args) == f"{verb} 0"
    except asyncpg.InsufficientPrivilegeError:
        assert verb in APPEND_ONLY.get(table, ()), (table, verb)


async def _assert_isolated(
    app: asyncpg.Connection, table: str, me: SeededTenant, others: list[SeededTenant], mine: int
) -> None:
    foreign = [o.tenant.id for o in others]
    async with app.transaction():
        await _set_scope(app, me)
        assert await app.fetchval(f"SELECT count(*) FROM {table}") == mine
        assert (
            await app.fetchval(f"SELECT count(*) FROM {table} WHERE tenant_id = ANY($1)", foreign)
            == 0
        )
        await _touches_nothing(
            app, table, f"UPDATE {table} SET tenant_id = tenant_id WHERE tenant_id = ANY($1)",
            foreign,
        )  # fmt: skip
        await _touches_nothing(
            app, table, f"DELETE FROM {table} WHERE tenant_id = ANY($1)", foreign
        )
    for victim in foreign:
        # Copy one of my own rows into the other tenant, then try moving my rows there.
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with app.transaction():
                await _set_scope(app, me)
                await app.execute(
                    f"INSERT INTO {table} SELECT (jsonb_populate_record(NULL::{table}, "
                    f"to_jsonb(r) || jsonb_build_object('tenant_id', $1::uuid))).* "
                    f"FROM {table} r LIMIT 1",
                    victim,
                )
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with app.transaction():
                await _set_scope(app, me)
                await app.execute(f"UPDATE {table} SET tenant_id = $1", victim)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    members=st.lists(st.integers(min_value=0, max_value=3), min_size=2, max_size=4),
    pick=st.integers(min_value=0, max_value=3),
)
async def test_a_tenant_sees_and_touches_only_its_own_rows(
    members: list[int],
    pick: int,
    postgres_identity_uow: object,
    app_connection: asyncpg.Connection,
    superuser: asyncpg.Connection,
) -> None:
    tenants = [await seed_tenant(postgres_identity_uow, members=n) for n in members]  # type: ignore[arg-type]
    me = tenants[pick % len(tenants)]
    others = [t for t in tenants if t is not me]
    await pin_search_path(app_connection)

    for table in await tenant_tables(superuser):
        mine = await superuser.fetchval(
            f"SELECT count(*) FROM {table} WHERE tenant_id = $1", me.tenant.id
        )
        for tenant in tenants:  # every table is seeded, or this test would prove nothing for it
            assert (
                await superuser.fetchval(
                    f"SELECT count(*) FROM {table} WHERE tenant_id = $1", tenant.tenant.id
                )
                > 0
            ), table
        await _assert_isolated(app_connection, table, me, others, mine)


async def test_login_identities_are_visible_to_colleagues_only(
    postgres_identity_uow: object, app_connection: asyncpg.Connection
) -> None:
    mine = await seed_tenant(postgres_identity_uow, members=2)  # type: ignore[arg-type]
    theirs = await seed_tenant(postgres_identity_uow, members=1)  # type: ignore[arg-type]

    async with app_connection.transaction():
        await _set_scope(app_connection, mine)
        users: set[UUID] = {
            r[0] for r in await app_connection.fetch("SELECT user_id FROM atlas.users")
        }
        hashes = await app_connection.fetch("SELECT user_id FROM atlas.credentials")
        renamed = await app_connection.execute(
            "UPDATE atlas.users SET name = 'x' WHERE user_id = $1", mine.people[1].id
        )

    assert users == {p.id for p in mine.people}
    assert not users & {p.id for p in theirs.people}
    assert [r[0] for r in hashes] == [mine.people[0].id]  # a colleague's hash is never visible
    assert renamed == "UPDATE 0"  # and a colleague's profile is not writable
