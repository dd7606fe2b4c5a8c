"""Create Atlas's roles, database and schema in a cluster, as a cluster administrator.

Idempotent: it also re-asserts role attributes, so a role someone made SUPERUSER or BYPASSRLS by
hand is put back. Runs once per cluster for the embedded database; in production a DBA runs
``atlas db provision`` with an administrator URL.
"""

from __future__ import annotations

import re
from dataclasses import replace

import asyncpg

from adapters.postgres.backup_grants import guarded_backup_grants
from adapters.postgres.roles import APP_ROLE, AUTH_ROLE, BACKUP_ROLE, DATABASE, OWNER_ROLE, SCHEMA
from adapters.postgres.url import DatabaseUrl
from domain.shared.secret import Secret

_SAFE_PASSWORD = re.compile(r"^[A-Za-z0-9_\-.~]{16,256}$")

_LOCKED_DOWN = "NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION"
# pg_dump must see every tenant's rows: BYPASSRLS, and nothing else a writer would need.
_BACKUP = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE BYPASSRLS NOREPLICATION NOINHERIT"


def _password_literal(password: Secret[str]) -> str:
    # Role DDL takes no bind parameters; restricting the alphabet makes the literal trivially safe.
    value = password.reveal()
    if not _SAFE_PASSWORD.match(value):
        raise ValueError("role passwords must be 16-256 URL-safe characters")
    return f"'{value}'"


async def provision(
    admin: DatabaseUrl,
    *,
    owner_password: Secret[str],
    app_password: Secret[str],
    backup_password: Secret[str] | None = None,
    database: str = DATABASE,
) -> None:
    """``backup_password`` creates (or re-asserts) the read-only ``atlas_backup`` role too."""
    conn = await asyncpg.connect(**admin.asyncpg_kwargs())
    try:
        # NOINHERIT: the owner may hand functions to atlas_auth (membership) but must not
        # inherit its login-lookup policies, or FORCE row security would not bind the owner.
        await _ensure_role(conn, OWNER_ROLE, f"LOGIN {_LOCKED_DOWN} NOINHERIT", owner_password)
        await _ensure_role(conn, APP_ROLE, f"LOGIN {_LOCKED_DOWN} NOINHERIT", app_password)
        await _ensure_role(conn, AUTH_ROLE, f"NOLOGIN {_LOCKED_DOWN} NOINHERIT", None)
        if backup_password is not None:
            await _ensure_role(conn, BACKUP_ROLE, _BACKUP, backup_password)
            # A second lock besides the grants: every transaction it opens is read-only.
            await conn.execute(f"ALTER ROLE {BACKUP_ROLE} SET default_transaction_read_only = on")
        await conn.execute(await _membership_grant(conn))
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if not exists:
            await conn.execute(f"CREATE DATABASE \"{database}\" OWNER {OWNER_ROLE} ENCODING 'UTF8'")
    finally:
        await conn.close()

    conn = await asyncpg.connect(**admin.with_database(database).asyncpg_kwargs())
    try:
        await conn.execute(
            f"""
            REVOKE ALL ON DATABASE "{database}" FROM PUBLIC;
            GRANT CONNECT ON DATABASE "{database}" TO {APP_ROLE};
            REVOKE CREATE ON SCHEMA public FROM PUBLIC;
            CREATE SCHEMA IF NOT EXISTS {SCHEMA} AUTHORIZATION {OWNER_ROLE};
            ALTER ROLE {APP_ROLE} IN DATABASE "{database}" SET search_path = {SCHEMA};
            ALTER ROLE {OWNER_ROLE} IN DATABASE "{database}" SET search_path = {SCHEMA};
            """
        )
        if backup_password is not None:
            # The owner too: a database copied from a template belongs to whoever copied it.
            await conn.execute(
                f'GRANT CONNECT ON DATABASE "{database}" TO {BACKUP_ROLE}, {OWNER_ROLE}'
            )
    finally:
        await conn.close()
    if backup_password is not None:
        owner = replace(admin, user=OWNER_ROLE, password=owner_password.reveal())
        await _grant_backup_as_owner(owner.with_database(database))


async def _grant_backup_as_owner(owner: DatabaseUrl) -> None:
    # The grants are the owner's to give (the administrator may not own the tables); given here
    # as well as in migration 0016 so a deployment migrated before the role existed gets them.
    conn = await asyncpg.connect(**owner.asyncpg_kwargs())
    try:
        await conn.execute(guarded_backup_grants())
    finally:
        await conn.close()


async def _membership_grant(conn: asyncpg.Connection) -> str:
    # PostgreSQL 16 made inheritance a property of each membership: say it on the grant (and
    # re-saying it fixes a membership granted with INHERIT earlier). 15 uses the role's
    # NOINHERIT attribute, set above.
    if int(await conn.fetchval("SHOW server_version_num")) >= 160000:
        return f"GRANT {AUTH_ROLE} TO {OWNER_ROLE} WITH INHERIT FALSE, SET TRUE"
    return f"GRANT {AUTH_ROLE} TO {OWNER_ROLE}"


async def _ensure_role(
    conn: asyncpg.Connection, name: str, attributes: str, password: Secret[str] | None
) -> None:
    exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", name)
    verb = "ALTER" if exists else "CREATE"
    secret = f" PASSWORD {_password_literal(password)}" if password is not None else ""
    await conn.execute(f"{verb} ROLE {name} WITH {attributes}{secret}")
