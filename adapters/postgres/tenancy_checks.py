"""The tenancy guarantees, checked against a live database through the app role's own eyes.

Used by ``atlas check`` and by the test suite. Each check is a catalog query or a probe that
would fail if the guarantee were broken; none of them trusts the migrations to be right.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg

from adapters.postgres.roles import APP_ROLE, AUTH_ROLE, SCHEMA
from adapters.postgres.tenancy_result import APP_SCHEMAS, CheckResult
from adapters.postgres.tenancy_result import result as _result
from adapters.postgres.tenancy_role_checks import (
    check_no_memberships,
    check_owner_bound_by_policies,
    check_owns_nothing,
    check_role_attributes,
    check_table_privileges,
)
from adapters.postgres.url import DatabaseUrl

LOGIN_IDENTITY_TABLES = ("users", "credentials", "email_verifications")


Check = Callable[[asyncpg.Connection], Awaitable[CheckResult]]


async def pin_search_path(conn: asyncpg.Connection) -> None:
    """With only pg_catalog on the path, regclass and regprocedure print schema-qualified names."""
    await conn.execute("SELECT set_config('search_path', 'pg_catalog', false)")


async def tenant_tables(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch(
        """
        SELECT c.oid::regclass::text AS name FROM pg_class c
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
        WHERE c.relkind IN ('r', 'p') AND c.relnamespace::regnamespace::text = ANY($1::text[])
        ORDER BY 1
        """,
        list(APP_SCHEMAS),
    )
    return [row["name"] for row in rows]


async def check_forced(conn: asyncpg.Connection) -> CheckResult:
    rows = await conn.fetch(
        """
        SELECT c.oid::regclass::text FROM pg_class c
        WHERE c.relkind IN ('r', 'p') AND c.relnamespace::regnamespace::text = ANY($1)
          AND (EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
                       AND a.attname = 'tenant_id' AND NOT a.attisdropped)
               OR c.relname = ANY($2))
          AND NOT (c.relrowsecurity AND c.relforcerowsecurity)
        """,
        list(APP_SCHEMAS),
        list(LOGIN_IDENTITY_TABLES),
    )
    return _result("every tenant table has row security enabled and forced", [r[0] for r in rows])


async def check_policies_complete(conn: asyncpg.Connection) -> CheckResult:
    # SELECT and DELETE policies cannot carry WITH CHECK; INSERT ones cannot carry USING.
    rows = await conn.fetch(
        """
        SELECT schemaname || '.' || tablename || ' ' || policyname FROM pg_policies
        WHERE schemaname = ANY($1)
          AND ((cmd <> 'INSERT' AND qual IS NULL)
               OR (cmd IN ('ALL', 'INSERT', 'UPDATE') AND with_check IS NULL))
        """,
        list(APP_SCHEMAS),
    )
    return _result("every policy states USING and WITH CHECK", [r[0] for r in rows])


async def check_tenant_guard(conn: asyncpg.Connection) -> CheckResult:
    offenders = []
    for table in await tenant_tables(conn):
        guarded = await conn.fetchval(
            """
            SELECT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = $1::regclass
              AND NOT p.polpermissive AND p.polcmd = '*'
              AND ($2::regrole = ANY(p.polroles) OR 0::oid = ANY(p.polroles))
              AND pg_get_expr(p.polqual, p.polrelid) LIKE '%tenant_id = %app.tenant_id%'
              AND pg_get_expr(p.polwithcheck, p.polrelid) LIKE '%tenant_id = %app.tenant_id%')
            """,
            table,
            APP_ROLE,
        )
        if not guarded:
            offenders.append(table)
    return _result("every tenant table has a restrictive tenant guard on the app role", offenders)


async def private_tables(conn: asyncpg.Connection) -> list[str]:
    """Tenant tables whose rows may be private to one member: they carry ``private_to``."""
    rows = await conn.fetch(
        """
        SELECT c.oid::regclass::text AS name FROM pg_class c
        JOIN pg_attribute a
          ON a.attrelid = c.oid AND a.attname = 'private_to' AND NOT a.attisdropped
        WHERE c.relkind IN ('r', 'p') AND c.relnamespace::regnamespace::text = ANY($1::text[])
        ORDER BY 1
        """,
        list(APP_SCHEMAS),
    )
    return [row["name"] for row in rows]


async def check_private_guard(conn: asyncpg.Connection) -> CheckResult:
    """A private row is hidden from colleagues by the restrictive twin, and no permissive
    policy that reaches the app role forgets the private condition. (Policies for atlas_auth
    alone serve its narrow definer functions, checked by ``check_functions_and_views``.)"""
    offenders = []
    for table in await private_tables(conn):
        rows = await conn.fetch(
            """
            SELECT p.polname, p.polpermissive, p.polcmd = '*' AS every_command,
                   ($2::regrole = ANY(p.polroles) OR 0::oid = ANY(p.polroles)) AS binds_app,
                   coalesce(pg_get_expr(p.polqual, p.polrelid), '') AS qual,
                   coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '') AS checked
            FROM pg_policy p WHERE p.polrelid = $1::regclass
            """,
            table,
            APP_ROLE,
        )

        def private(expr: str) -> bool:
            return "private_to IS NULL" in expr and "app.user_id" in expr

        guarded = any(
            not r["polpermissive"] and r["every_command"] and r["binds_app"]
            and private(r["qual"]) and private(r["checked"])
            for r in rows
        )  # fmt: skip
        loose = [
            r["polname"]
            for r in rows
            if r["polpermissive"] and r["binds_app"] and not private(r["qual"])
        ]
        if not guarded:
            offenders.append(f"{table} has no restrictive private guard on the app role")
        offenders += [f"{table} policy {name} ignores private_to" for name in loose]
    return _result("every table of private rows hides them from colleagues", offenders)


async def check_keys_lead_with_tenant(conn: asyncpg.Connection) -> CheckResult:
    rows = await conn.fetch(
        """
        SELECT i.indexrelid::regclass::text FROM pg_index i
        JOIN pg_class c ON c.oid = i.indrelid
        WHERE (i.indisunique OR i.indisprimary) AND c.relnamespace::regnamespace::text = ANY($1)
          AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
                      AND a.attname = 'tenant_id' AND NOT a.attisdropped)
          AND (SELECT attname FROM pg_attribute WHERE attrelid = c.oid
               AND attnum = i.indkey[0]) IS DISTINCT FROM 'tenant_id'
        """,
        list(APP_SCHEMAS),
    )
    return _result(
        "every primary key and unique index of a tenant table starts with tenant_id",
        [r[0] for r in rows],
    )


async def check_foreign_keys_carry_tenant(conn: asyncpg.Connection) -> CheckResult:
    # A foreign key between two tenant tables must include tenant_id on both sides, so no row
    # can point at (or probe for) another tenant's row.
    rows = await conn.fetch(
        """
        SELECT con.conname || ' on ' || con.conrelid::regclass::text FROM pg_constraint con
        WHERE con.contype = 'f' AND con.connamespace::regnamespace::text = ANY($1)
          AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = con.confrelid
                      AND a.attname = 'tenant_id' AND NOT a.attisdropped)
          AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = con.conrelid
                      AND a.attname = 'tenant_id' AND NOT a.attisdropped)
          AND NOT EXISTS (
              SELECT 1 FROM unnest(con.conkey, con.confkey) AS k(src, dst)
              JOIN pg_attribute s ON s.attrelid = con.conrelid AND s.attnum = k.src
              JOIN pg_attribute d ON d.attrelid = con.confrelid AND d.attnum = k.dst
              WHERE s.attname = 'tenant_id' AND d.attname = 'tenant_id')
        """,
        list(APP_SCHEMAS),
    )
    return _result(
        "every foreign key between tenant tables includes tenant_id", [r[0] for r in rows]
    )


async def check_functions_and_views(conn: asyncpg.Connection) -> CheckResult:
    rows = await conn.fetch(
        """
        SELECT 'definer without search_path: ' || p.oid::regprocedure::text FROM pg_proc p
        WHERE p.pronamespace::regnamespace::text = ANY($1) AND p.prosecdef
          AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) cfg WHERE cfg LIKE 'search_path=%')
        UNION ALL
        SELECT 'definer not owned by ' || $2 || ': ' || p.oid::regprocedure::text FROM pg_proc p
        WHERE p.pronamespace::regnamespace::text = ANY($1) AND p.prosecdef
          AND p.proowner <> $2::regrole
        UNION ALL
        SELECT 'definer executable by PUBLIC: ' || p.oid::regprocedure::text FROM pg_proc p
        WHERE p.pronamespace::regnamespace::text = ANY($1) AND p.prosecdef
          AND EXISTS (SELECT 1 FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                      WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE')
        UNION ALL
        SELECT 'leakproof: ' || p.oid::regprocedure::text FROM pg_proc p
        WHERE p.pronamespace::regnamespace::text = ANY($1) AND p.proleakproof
        UNION ALL
        SELECT 'view without security_invoker: ' || c.oid::regclass::text FROM pg_class c
        WHERE c.relkind = 'v' AND c.relnamespace::regnamespace::text = ANY($1)
          AND NOT coalesce('security_invoker=true' = ANY(c.reloptions), false)
        """,
        list(APP_SCHEMAS),
        # Definers run as their owner: only the narrow NOLOGIN role, never the schema owner.
        AUTH_ROLE,
    )
    return _result(
        "definer functions pin search_path and are not public; views are invokers",
        [r[0] for r in rows],
    )


async def check_no_preset_context(conn: asyncpg.Connection) -> CheckResult:
    # A role- or database-level default for app.* would hand every connection a tenant.
    rows = await conn.fetch(
        """
        SELECT coalesce(setrole::regrole::text, 'all roles') || ': ' || cfg
        FROM pg_db_role_setting, unnest(setconfig) AS cfg WHERE cfg LIKE 'app.%'
        """
    )
    bad = [r[0] for r in rows]
    current = await conn.fetchval("SELECT current_setting('app.tenant_id', true)")
    if current:
        bad.append(f"session starts with app.tenant_id={current}")
    return _result("no connection starts with a tenant context", bad)


async def check_fail_closed_reads(conn: asyncpg.Connection) -> CheckResult:
    offenders = []
    for table in [*await tenant_tables(conn), *(f"{SCHEMA}.{t}" for t in LOGIN_IDENTITY_TABLES)]:
        async with conn.transaction():
            # Names come from the catalog, quoted by regclass: nothing user-supplied.
            if await conn.fetchval(f"SELECT EXISTS (SELECT 1 FROM {table})"):  # noqa: S608
                offenders.append(table)
    return _result("with no context, every tenant table reads as empty", offenders)


async def check_fail_closed_writes(conn: asyncpg.Connection) -> CheckResult:
    offenders = []
    for table in [*await tenant_tables(conn), *(f"{SCHEMA}.{t}" for t in LOGIN_IDENTITY_TABLES)]:
        tx = conn.transaction()
        await tx.start()
        try:
            # Row security's WITH CHECK runs before NOT NULL and CHECK constraints, so a
            # fail-closed table answers 42501 here whatever its columns are.
            await conn.execute(f"INSERT INTO {table} DEFAULT VALUES")
            offenders.append(f"{table} accepted a row")
        except asyncpg.InsufficientPrivilegeError:
            pass
        except asyncpg.PostgresError as error:
            offenders.append(f"{table} answered {error.sqlstate} instead of 42501")
        finally:
            await tx.rollback()
    return _result("with no context, every insert is refused (42501)", offenders)


CHECKS: tuple[Check, ...] = (
    check_role_attributes,
    check_owns_nothing,
    check_no_memberships,
    check_owner_bound_by_policies,
    check_table_privileges,
    check_forced,
    check_policies_complete,
    check_tenant_guard,
    check_private_guard,
    check_keys_lead_with_tenant,
    check_foreign_keys_carry_tenant,
    check_functions_and_views,
    check_no_preset_context,
    check_fail_closed_reads,
    check_fail_closed_writes,
)


async def run_checks(app: DatabaseUrl) -> list[CheckResult]:
    conn = await asyncpg.connect(**app.asyncpg_kwargs())
    try:
        await pin_search_path(conn)
        return [await check(conn) for check in CHECKS]
    finally:
        await conn.close()
