"""Checks of the database roles: the app role is unprivileged and owns nothing, the owner is
bound by the policies. Part of ``atlas check`` (see tenancy_checks)."""

from __future__ import annotations

import asyncpg

from adapters.postgres.roles import APP_ROLE, AUTH_ROLE, OWNER_ROLE
from adapters.postgres.tenancy_result import APP_SCHEMAS, CheckResult
from adapters.postgres.tenancy_result import result as _result


async def check_role_attributes(conn: asyncpg.Connection) -> CheckResult:
    row = await conn.fetchrow(
        "SELECT rolname, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, rolreplication "
        "FROM pg_roles WHERE rolname = current_user"
    )
    bad = [
        k
        for k in ("rolsuper", "rolbypassrls", "rolcreaterole", "rolcreatedb", "rolreplication")
        if row[k]
    ]
    if row["rolname"] != APP_ROLE:
        bad.append(f"connected as {row['rolname']}, not {APP_ROLE}")
    return _result("app role is not superuser and cannot bypass row security", bad)


async def check_owns_nothing(conn: asyncpg.Connection) -> CheckResult:
    rows = await conn.fetch(
        """
        SELECT 'relation ' || oid::regclass::text FROM pg_class WHERE relowner = $1::regrole
        UNION ALL SELECT 'schema ' || nspname FROM pg_namespace WHERE nspowner = $1::regrole
        UNION ALL SELECT 'function ' || oid::regprocedure::text FROM pg_proc
                  WHERE proowner = $1::regrole
        UNION ALL SELECT 'type ' || oid::regtype::text FROM pg_type WHERE typowner = $1::regrole
        UNION ALL SELECT 'database ' || datname FROM pg_database WHERE datdba = $1::regrole
        """,
        APP_ROLE,
    )
    return _result("app role owns nothing", [r[0] for r in rows])


async def check_no_memberships(conn: asyncpg.Connection) -> CheckResult:
    rows = await conn.fetch(
        "SELECT roleid::regrole::text FROM pg_auth_members WHERE member = $1::regrole", APP_ROLE
    )
    return _result("app role is a member of no other role", [r[0] for r in rows])


async def check_owner_bound_by_policies(conn: asyncpg.Connection) -> CheckResult:
    # FORCE binds the owner to the policies only if it does not inherit a role they exempt:
    # atlas_auth's login-lookup and census policies read across tenants by design.
    inherits = await conn.fetchval("SELECT pg_has_role($1, $2, 'USAGE')", OWNER_ROLE, AUTH_ROLE)
    return _result(
        "the owner role does not inherit the login-lookup role's reach",
        [f"{OWNER_ROLE} inherits {AUTH_ROLE}"] if inherits else [],
    )


async def check_table_privileges(conn: asyncpg.Connection) -> CheckResult:
    rows = await conn.fetch(
        """
        SELECT c.oid::regclass::text || ' ' || p.priv FROM pg_class c
        CROSS JOIN unnest(ARRAY['TRUNCATE', 'REFERENCES', 'TRIGGER']) AS p(priv)
        WHERE c.relkind IN ('r', 'p', 'v', 'm') AND c.relnamespace::regnamespace::text = ANY($2)
          AND has_table_privilege($1, c.oid, p.priv)
        """,
        APP_ROLE,
        list(APP_SCHEMAS),
    )
    return _result("app role holds no TRUNCATE, REFERENCES or TRIGGER", [r[0] for r in rows])
