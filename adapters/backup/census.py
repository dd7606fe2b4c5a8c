"""Counting and digesting every table, in one snapshot, through a role that sees every row.

The digest is over each row's text form, so the session fixes every setting that changes how a
value prints (time zone, date and interval styles, float digits, bytea); the same rows then give
the same digest on the source and on the restored copy. Run as ``atlas_backup`` (BYPASSRLS) or
an administrator: through a role bound by row security it would digest a filtered subset.
"""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from adapters.postgres.url import DatabaseUrl
from domain.compliance.backup import Manifest, TableCensus

CANONICAL_TEXT = {
    "TimeZone": "UTC",
    "DateStyle": "ISO, YMD",
    "IntervalStyle": "postgres",
    "extra_float_digits": "1",
    "bytea_output": "hex",
    "application_name": "atlas backup census",
}

# Partitioned parents ('p') hold no rows of their own: their partitions ('r') are counted.
_TABLES = r"""
SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_%'
ORDER BY 1
"""

# Sorting the row digests makes the checksum independent of physical order, which a restore
# does not keep; "C" collation makes the sort itself independent of the locale.
_DIGEST = """
SELECT count(*) AS rows,
       encode(sha256(convert_to(coalesce(string_agg(h, '' ORDER BY h COLLATE "C"), ''),
                                'UTF8')), 'hex') AS checksum
FROM (SELECT md5(t::text) AS h FROM {table} t) AS digests
"""


async def connect_for_census(url: DatabaseUrl) -> asyncpg.Connection:
    return await asyncpg.connect(**url.asyncpg_kwargs(), server_settings=CANONICAL_TEXT)


async def census(conn: asyncpg.Connection) -> tuple[TableCensus, ...]:
    """Every table's count and digest, as this connection's current transaction sees them."""
    tables = [row[0] for row in await conn.fetch(_TABLES)]
    results = []
    for table in tables:
        # The name comes from the catalog, quoted by format('%I'): nothing user-supplied.
        row = await conn.fetchrow(_DIGEST.format(table=table))
        results.append(TableCensus(table=table, rows=row["rows"], checksum=row["checksum"]))
    return tuple(results)


async def manifest_in_snapshot(conn: asyncpg.Connection) -> Manifest:
    """The manifest of what the connection's (repeatable-read) transaction sees."""
    revision = None
    if await conn.fetchval("SELECT to_regclass('atlas.alembic_version') IS NOT NULL"):
        revision = await conn.fetchval("SELECT version_num FROM atlas.alembic_version")
    return Manifest(
        taken_at=datetime.now(UTC),
        database=await conn.fetchval("SELECT current_database()"),
        server_version=await conn.fetchval("SHOW server_version"),
        schema_revision=revision,
        tables=await census(conn),
    )
