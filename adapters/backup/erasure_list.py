"""The deployment's erasure list, read live for a restore (``docs/gdpr.md``, ``docs/backups.md``).

A backup carries the suppression list as it was when it was taken; people erased since then are
on the live database's list only. ``atlas restore`` reads that list here (as ``atlas_backup``,
which reads every row and writes none) and hands it to the restored copy's
``merge_erasures()`` before ``apply_erasures()`` runs, so a restored backup does not bring
back anyone erased after it was taken. The list holds ids and address hashes, nothing else.
"""

from __future__ import annotations

import asyncpg

from adapters.postgres.url import DatabaseUrl

_LIST = """
SELECT coalesce(jsonb_agg(jsonb_build_object(
           'user_id', user_id, 'email_sha256', encode(email_sha256, 'hex'),
           'tenant_ids', to_jsonb(tenant_ids), 'entity_ids', to_jsonb(entity_ids),
           'erased_at', erased_at) ORDER BY erased_at, user_id), '[]'::jsonb)::text
FROM atlas.erasures
"""


class ErasureListUnavailable(RuntimeError):
    pass


async def read_erasure_list(url: DatabaseUrl) -> tuple[str, int]:
    """The live list as a JSON array (text), and how many people it names."""
    try:
        conn = await asyncpg.connect(**url.asyncpg_kwargs())
    except (OSError, asyncpg.PostgresError) as error:
        raise ErasureListUnavailable(f"the live database is not reachable: {error}") from error
    try:
        if await conn.fetchval("SELECT to_regclass('atlas.erasures')") is None:
            return "[]", 0
        listed: str = await conn.fetchval(_LIST)
        return listed, int(await conn.fetchval("SELECT jsonb_array_length($1::jsonb)", listed))
    except asyncpg.PostgresError as error:
        raise ErasureListUnavailable(f"the live erasure list cannot be read: {error}") from error
    finally:
        await conn.close()
