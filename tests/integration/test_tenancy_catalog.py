"""The catalog proves the tenancy guarantees, and each check really fails when one is broken."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from adapters.postgres import tenancy_checks as checks
from adapters.postgres.tenancy_checks import CHECKS, run_checks
from adapters.postgres.throwaway import ThrowawayDatabase


async def test_every_tenancy_check_passes_on_the_migrated_schema(
    database: ThrowawayDatabase,
) -> None:
    results = await run_checks(database.app)

    failed = [f"{r.name}: {r.detail}" for r in results if not r.passed]
    assert failed == []
    assert len(results) == len(CHECKS)


async def test_the_app_role_is_unprivileged_and_owns_nothing(
    app_connection: asyncpg.Connection,
) -> None:
    role = await app_connection.fetchrow(
        "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles "
        "WHERE rolname = current_user"
    )
    owned = await app_connection.fetchval(
        "SELECT count(*) FROM pg_class WHERE relowner = current_user::regrole"
    )
    truncatable = await app_connection.fetchval(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'atlas' "
        "AND has_table_privilege(current_user, schemaname || '.' || tablename, 'TRUNCATE')"
    )

    assert dict(role) == {
        "rolsuper": False,
        "rolbypassrls": False,
        "rolcreaterole": False,
        "rolcreatedb": False,
    }
    assert owned == 0
    assert truncatable == 0


async def test_the_app_role_can_neither_drop_nor_truncate(
    app_connection: asyncpg.Connection,
) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await app_connection.execute("TRUNCATE atlas.memberships")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await app_connection.execute("DROP TABLE atlas.memberships")


@pytest.fixture
async def owner_tx(owner_connection: asyncpg.Connection) -> AsyncIterator[asyncpg.Connection]:
    """The owner, inside a transaction that is always rolled back: a scratch copy of the schema."""
    tx = owner_connection.transaction()
    await tx.start()
    await checks.pin_search_path(owner_connection)
    try:
        yield owner_connection
    finally:
        await tx.rollback()


async def test_a_tenant_table_without_forced_row_security_is_caught(
    owner_tx: asyncpg.Connection,
) -> None:
    await owner_tx.execute("CREATE TABLE atlas.scratch (tenant_id uuid PRIMARY KEY)")
    await owner_tx.execute("ALTER TABLE atlas.scratch ENABLE ROW LEVEL SECURITY")

    result = await checks.check_forced(owner_tx)

    assert not result.passed
    assert "atlas.scratch" in result.detail


async def test_a_policy_without_with_check_is_caught(owner_tx: asyncpg.Connection) -> None:
    await owner_tx.execute("CREATE TABLE atlas.scratch (tenant_id uuid PRIMARY KEY)")
    await owner_tx.execute("CREATE POLICY loose ON atlas.scratch USING (true)")

    result = await checks.check_policies_complete(owner_tx)

    assert not result.passed
    assert "loose" in result.detail


async def test_a_tenant_table_without_the_restrictive_guard_is_caught(
    owner_tx: asyncpg.Connection,
) -> None:
    await owner_tx.execute("CREATE TABLE atlas.scratch (tenant_id uuid PRIMARY KEY)")
    await owner_tx.execute(
        "CREATE POLICY only_permissive ON atlas.scratch USING (tenant_id = "
        "(SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid)) WITH CHECK (true)"
    )

    result = await checks.check_tenant_guard(owner_tx)

    assert not result.passed
    assert "atlas.scratch" in result.detail


async def test_private_records_are_guarded_on_every_table_that_holds_them(
    owner_tx: asyncpg.Connection,
) -> None:
    tables = await checks.private_tables(owner_tx)
    passing = await checks.check_private_guard(owner_tx)
    await owner_tx.execute("DROP POLICY graph_activities_guard ON atlas.graph_activities")
    await owner_tx.execute(
        "CREATE POLICY loose ON atlas.graph_merges FOR SELECT USING (tenant_id = "
        "(SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid))"
    )

    result = await checks.check_private_guard(owner_tx)

    assert set(tables) == {
        f"atlas.{t}"
        for t in ("graph_entities", "graph_entity_keys", "graph_relationships",
                  "graph_activities", "graph_merges", "tenant_events")
    }  # fmt: skip
    assert passing.passed, passing.detail
    assert not result.passed
    assert "atlas.graph_activities has no restrictive private guard" in result.detail
    assert "atlas.graph_merges policy loose ignores private_to" in result.detail


async def test_a_unique_key_not_led_by_tenant_id_is_caught(owner_tx: asyncpg.Connection) -> None:
    await owner_tx.execute("CREATE TABLE atlas.scratch (tenant_id uuid, email text)")
    await owner_tx.execute("CREATE UNIQUE INDEX scratch_email ON atlas.scratch (email)")

    result = await checks.check_keys_lead_with_tenant(owner_tx)

    assert not result.passed
    assert "scratch_email" in result.detail


async def test_a_foreign_key_without_tenant_id_is_caught(owner_tx: asyncpg.Connection) -> None:
    await owner_tx.execute("CREATE TABLE atlas.parent (tenant_id uuid, id uuid, PRIMARY KEY (id))")
    await owner_tx.execute(
        "CREATE TABLE atlas.child (tenant_id uuid, parent_id uuid REFERENCES atlas.parent (id))"
    )

    result = await checks.check_foreign_keys_carry_tenant(owner_tx)

    assert not result.passed
    assert "atlas.child" in result.detail


async def test_an_unsafe_definer_function_and_an_owner_view_are_caught(
    owner_tx: asyncpg.Connection,
) -> None:
    await owner_tx.execute(
        "CREATE FUNCTION atlas.leaky() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1'"
    )
    await owner_tx.execute("GRANT EXECUTE ON FUNCTION atlas.leaky() TO PUBLIC")
    await owner_tx.execute("CREATE VIEW atlas.everyone AS SELECT * FROM atlas.memberships")

    result = await checks.check_functions_and_views(owner_tx)

    assert not result.passed
    assert "without search_path: atlas.leaky()" in result.detail
    assert "executable by PUBLIC: atlas.leaky()" in result.detail
    assert "not owned by atlas_auth: atlas.leaky()" in result.detail
    assert "security_invoker: atlas.everyone" in result.detail


async def test_a_preset_tenant_context_is_caught(database: ThrowawayDatabase) -> None:
    admin = await asyncpg.connect(**database.superuser.asyncpg_kwargs())
    tx = admin.transaction()
    await tx.start()
    try:
        await admin.execute("ALTER ROLE atlas_app SET app.tenant_id = 'leak'")
        result = await checks.check_no_preset_context(admin)
    finally:
        await tx.rollback()
        await admin.close()

    assert not result.passed
    assert "atlas_app: app.tenant_id=leak" in result.detail


async def test_the_owner_reads_no_login_identity_without_a_context(
    owner_connection: asyncpg.Connection, postgres_identity_uow: object
) -> None:
    from tests.factories.identity import seed_tenant_with_owner

    await seed_tenant_with_owner(postgres_identity_uow)

    hashes = await owner_connection.fetchval("SELECT count(*) FROM atlas.credentials")
    memberships = await owner_connection.fetchval("SELECT count(*) FROM atlas.memberships")

    assert (hashes, memberships) == (0, 0)  # FORCE binds the owner: no inherited exemption


async def test_an_owner_that_inherits_the_lookup_role_is_caught(
    database: ThrowawayDatabase,
) -> None:
    admin = await asyncpg.connect(**database.superuser.asyncpg_kwargs())
    tx = admin.transaction()
    await tx.start()
    try:
        await admin.execute("GRANT atlas_auth TO atlas_owner WITH INHERIT TRUE")
        result = await checks.check_owner_bound_by_policies(admin)
    finally:
        await tx.rollback()
        await admin.close()

    assert not result.passed
