"""What each load tenant ends with, read as the superuser (around row security, for the bench
only): its sync cursors and its graph's counts, to compare a run with a restart against one
without. The sandbox company is the same for every tenant and its clock is frozen, and every
tenant imports a log of the same shape, so every tenant should end with the same signature."""

from __future__ import annotations

import hashlib

import asyncpg

from adapters.postgres.throwaway import ThrowawayDatabase

_SIGNATURES = """
SELECT t.name,
  (SELECT count(*) FROM atlas.graph_entities e WHERE e.tenant_id = t.tenant_id) AS entities,
  (SELECT count(*) FROM atlas.graph_activities a WHERE a.tenant_id = t.tenant_id) AS activities,
  (SELECT count(*) FROM atlas.graph_relationships r WHERE r.tenant_id = t.tenant_id)
    AS relationships,
  (SELECT coalesce(array_agg(c.stream || '=' || encode(sha256(c.cursor), 'hex')
                             ORDER BY c.stream), '{}')
     FROM atlas.sync_checkpoints c WHERE c.tenant_id = t.tenant_id) AS cursors
FROM atlas.tenants t WHERE t.name LIKE $1
"""


async def signatures(db: ThrowawayDatabase, name_prefix: str) -> dict[str, str]:
    """Per tenant name: its counts and a digest of its cursors, as one comparable string."""
    conn = await asyncpg.connect(**db.superuser.with_database("atlas").asyncpg_kwargs())
    try:
        rows = await conn.fetch(_SIGNATURES, name_prefix + "%")
    finally:
        await conn.close()
    found = {}
    for row in rows:
        cursors = hashlib.sha256("\n".join(row["cursors"]).encode()).hexdigest()[:12]
        found[row["name"]] = (
            f"{row['entities']} entities, {row['activities']} activities, "
            f"{row['relationships']} relationships, {len(row['cursors'])} cursors {cursors}"
        )
    return found
