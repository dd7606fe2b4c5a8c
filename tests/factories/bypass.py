"""A database where row security protects nothing, and every tenant has a look-alike twin.

The repositories must name the tenant (and the user, for user-private rows) in every statement
themselves, so a mistaken policy is not a breach. To prove it, the contract tests also run as
``atlas_bypass_test``: a member of ``atlas_app`` (the very same privileges) that BYPASSES row
security, and is neither superuser nor owner of anything.

The twins are the other tenant's look-alike rows. In this database every row written into a
tenant table is copied, by a trigger, into that tenant's twin: same names, same ids, same
users; ``tenant_id`` differs, and so does a display ``name`` that no key or index uses.
A statement that selects, updates or deletes by an id or a name alone then also finds the
twin's row. Reads that leak show up in the contract tests' own answers (two rows where one
was expected, a listing with strangers, a twin's name); ``twins_touched`` catches writes and
deletes: it compares every twin row with the copy logged when it was made.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from uuid import UUID, uuid4

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adapters.postgres.engine import create_engine, session_factory
from adapters.postgres.roles import APP_ROLE, SCHEMA
from adapters.postgres.throwaway import ThrowawayDatabase
from adapters.postgres.url import DatabaseUrl

BYPASS_ROLE = "atlas_bypass_test"
# A contract fixture's parameters: the fake, the app role, and the app role's twin without RLS.
POSTGRES_VARIANTS = ["fake", "postgres", "bypass"]
_PASSWORD = secrets.token_urlsafe(24)  # alphabet safe in a literal: [A-Za-z0-9_-]

# A tenant's twin id is a function of its id, so every table's copy lands in the same twin.
_TWIN_TRIGGER = """
CREATE SCHEMA twin;
CREATE TABLE twin.tenants (twin uuid PRIMARY KEY);
CREATE TABLE twin.log (tbl text NOT NULL, row jsonb NOT NULL);
CREATE FUNCTION twin.copy() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    twin_id uuid;
    cols text;
    copied jsonb;
    j jsonb;
BEGIN
    IF EXISTS (SELECT 1 FROM twin.tenants WHERE twin = NEW.tenant_id) THEN
        RETURN NULL;  -- the copy itself
    END IF;
    twin_id := md5('twin:' || NEW.tenant_id::text)::uuid;
    INSERT INTO twin.tenants VALUES (twin_id) ON CONFLICT DO NOTHING;
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols
      FROM pg_attribute
     WHERE attrelid = TG_RELID AND attnum > 0 AND NOT attisdropped AND attgenerated = '';
    j := to_jsonb(NEW) || jsonb_build_object('tenant_id', twin_id);
    -- A name no key or index uses reads differently in the twin, so that a twin's row read in
    -- place of the tenant's own shows even where the answer does not carry the tenant.
    IF j ? 'name' AND jsonb_typeof(j->'name') = 'string' AND NOT EXISTS (
        SELECT 1 FROM pg_index i JOIN pg_attribute a
          ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
         WHERE i.indrelid = TG_RELID AND a.attname = 'name') THEN
        j := j || jsonb_build_object('name', (j->>'name') || ' [twin]');
    END IF;
    BEGIN
        EXECUTE format(
            'INSERT INTO %1$s AS x (%2$s) OVERRIDING SYSTEM VALUE '
            'SELECT %2$s FROM jsonb_populate_record(NULL::%1$s, $1) '
            'ON CONFLICT DO NOTHING RETURNING to_jsonb(x)',
            TG_RELID::regclass, cols)
        INTO copied
        USING j;
    EXCEPTION WHEN OTHERS THEN
        copied := NULL;  -- a global unique key or a missing parent: no twin for this row
    END;
    IF copied IS NOT NULL THEN
        INSERT INTO twin.log VALUES (TG_TABLE_NAME, copied);
    END IF;
    RETURN NULL;
END $$;
"""

_TENANT_TABLES = """
SELECT format('%I.%I', c.table_schema, c.table_name) AS name
  FROM information_schema.columns c
  JOIN information_schema.tables t USING (table_schema, table_name)
 WHERE c.table_schema = $1 AND c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE'
 ORDER BY 1
"""


def twins_of(*tenant_ids: UUID) -> set[UUID]:
    """The twins' ids (as the trigger computes them), for the few deliberately cross-tenant
    answers: a twin's membership is a real membership of the same user, rightly listed."""
    digest = (hashlib.md5(f"twin:{t}".encode(), usedforsecurity=False) for t in tenant_ids)
    return {UUID(d.hexdigest()) for d in digest}


@dataclass(frozen=True)
class BypassDatabase:
    url: DatabaseUrl  # as the bypass role
    superuser: DatabaseUrl
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]


async def _ensure_role(superuser: DatabaseUrl) -> None:
    conn = await asyncpg.connect(**superuser.asyncpg_kwargs())
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", BYPASS_ROLE)
        verb = "ALTER" if exists else "CREATE"
        await conn.execute(
            f"{verb} ROLE {BYPASS_ROLE} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
            f"BYPASSRLS NOREPLICATION INHERIT PASSWORD '{_PASSWORD}'"
        )
        # Membership, inherited: exactly the app role's privileges, no more.
        await conn.execute(f"GRANT {APP_ROLE} TO {BYPASS_ROLE}")
    finally:
        await conn.close()


async def _install_twins(superuser: DatabaseUrl, name: str, untwinned: tuple[str, ...]) -> None:
    conn = await asyncpg.connect(**superuser.with_database(name).asyncpg_kwargs())
    try:
        await conn.execute(
            f'GRANT CONNECT ON DATABASE "{name}" TO {BYPASS_ROLE}; '
            f'ALTER ROLE {BYPASS_ROLE} IN DATABASE "{name}" SET search_path = {SCHEMA}'
        )
        await conn.execute(_TWIN_TRIGGER)
        await conn.execute(
            f"GRANT USAGE ON SCHEMA twin TO {BYPASS_ROLE}; "
            f"GRANT SELECT, INSERT ON twin.tenants, twin.log TO {BYPASS_ROLE}"
        )
        for table in await conn.fetch(_TENANT_TABLES, SCHEMA):
            if table["name"].removeprefix(f"{SCHEMA}.") in untwinned:
                continue
            await conn.execute(
                f"CREATE TRIGGER zz_twin AFTER INSERT ON {table['name']} "
                "FOR EACH ROW EXECUTE FUNCTION twin.copy()"
            )
    finally:
        await conn.close()


async def _refuse_privileged(url: DatabaseUrl) -> None:
    conn = await asyncpg.connect(**url.asyncpg_kwargs())
    try:
        row = await conn.fetchrow(
            "SELECT rolsuper, rolbypassrls, "
            "(SELECT count(*) FROM pg_class WHERE relowner = r.oid) AS owned "
            "FROM pg_roles r WHERE rolname = current_user"
        )
    finally:
        await conn.close()
    if row["rolsuper"] or not row["rolbypassrls"] or row["owned"]:
        raise RuntimeError(f"{BYPASS_ROLE} must bypass row security and be nothing more")


@asynccontextmanager
async def bypass_copy(
    database: ThrowawayDatabase, template: str, *, untwinned: tuple[str, ...] = ()
) -> AsyncIterator[BypassDatabase]:
    """A copy of the migrated template with twins (but for the ``untwinned`` tables), opened
    as the bypass role; dropped afterwards."""
    name = f"atlas_bypass_{uuid4().hex[:12]}"
    admin = await asyncpg.connect(**database.superuser.asyncpg_kwargs())
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await admin.close()
    await _ensure_role(database.superuser)
    await _install_twins(database.superuser, name, untwinned)
    url = replace(database.app, user=BYPASS_ROLE, password=_PASSWORD).with_database(name)
    await _refuse_privileged(url)
    engine = create_engine(url, pool_size=3, max_overflow=3)
    try:
        yield BypassDatabase(
            url=url,
            superuser=database.superuser.with_database(name),
            engine=engine,
            sessions=session_factory(engine),
        )
    finally:
        await engine.dispose()
        admin = await asyncpg.connect(**database.superuser.asyncpg_kwargs())
        try:
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def twins_touched(db: BypassDatabase) -> dict[str, int]:
    """Per table, how many twin rows differ from their logged copy (changed, gone or added).

    Empty means no statement wrote into, or deleted from, a tenant it was not scoped to.
    """
    conn = await asyncpg.connect(**db.superuser.asyncpg_kwargs())
    try:
        touched = {}
        for table in await conn.fetch(_TENANT_TABLES, SCHEMA):
            name = table["name"]
            current = await conn.fetch(
                f"SELECT to_jsonb(x)::text AS row FROM {name} x "  # a name from the catalog
                "WHERE x.tenant_id IN (SELECT twin FROM twin.tenants)"
            )
            logged = await conn.fetch(
                "SELECT row::text AS row FROM twin.log WHERE tbl = $1",
                name.removeprefix(f"{SCHEMA}."),
            )
            now, then = sorted(r["row"] for r in current), sorted(r["row"] for r in logged)
            if now != then:
                touched[name] = len(set(now) ^ set(then))
        return touched
    finally:
        await conn.close()


async def accept_twins_as_they_are(db: BypassDatabase) -> None:
    """Log the twins' present rows as their copies: the next test starts from a clean slate."""
    conn = await asyncpg.connect(**db.superuser.asyncpg_kwargs())
    try:
        async with conn.transaction():
            await conn.execute("DELETE FROM twin.log")
            for table in await conn.fetch(_TENANT_TABLES, SCHEMA):
                name = table["name"]
                await conn.execute(
                    "INSERT INTO twin.log SELECT $1, to_jsonb(x) "
                    f"FROM {name} x WHERE x.tenant_id IN (SELECT twin FROM twin.tenants)",
                    name.removeprefix(f"{SCHEMA}."),
                )
    finally:
        await conn.close()
