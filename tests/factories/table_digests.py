"""Every table's row count and content digest, read as the superuser (row security does not
hide rows from it): the before-and-after that proves a refusal wrote nothing, anywhere."""

from __future__ import annotations

import asyncpg

from adapters.postgres.url import DatabaseUrl

_TABLES = (
    "SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables "
    "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
)


async def table_digests(superuser: DatabaseUrl) -> dict[str, tuple[int, str]]:
    conn = await asyncpg.connect(**superuser.asyncpg_kwargs())
    try:
        digests = {}
        for table in await conn.fetch(_TABLES):
            row = await conn.fetchrow(
                "SELECT count(*) AS n, coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '')"
                f" AS digest FROM {table['name']} t"  # a name from the catalog, quoted
            )
            digests[table["name"]] = (row["n"], row["digest"])
        return digests
    finally:
        await conn.close()


def changed(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> set[str]:
    """The tables whose rows differ (added, removed or altered) between two digests."""
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
