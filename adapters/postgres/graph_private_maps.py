"""A member's own private activities, laid over the maintained (shared) sequences of their map.

The maintained sequences hold the tenant's shared activities only, so one copy serves every
member. A member whose unshared personal connections brought activities gets those merged in
when their map is read: their mailbox and calendar, read on each refresh under their own scope
(and naming them, and the tenant, in every statement as well). PostgreSQL expands each
activity's objects to their clusters and orders the entries, so they are packed as they come;
an object that also has shared entries is merged in its total order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.postgres.graph_codec import ENTRY, NO_ACTOR, pack, unpack
from domain.graph.model import EntityId, to_micros
from domain.graph.sequence import merge
from domain.shared.ids import TenantId, UserId

# One row per (object, activity): the activity's objects mapped to their clusters, of one type.
_PRIVATE_ENTRIES = """SELECT DISTINCT e.canonical_id AS object_id, a.occurred_at, a.source_seq,
        a.activity_id, a.type, a.actor_id
    FROM atlas.graph_activities a
    CROSS JOIN LATERAL jsonb_array_elements(a.objects) o
    JOIN atlas.graph_entities e
      ON e.tenant_id = a.tenant_id AND e.entity_id = (o ->> 'entity_id')::uuid
    WHERE a.tenant_id = $1 AND a.private_to = $2 AND e.type = $3
      AND (e.private_to IS NULL OR e.private_to = $2)
    ORDER BY e.canonical_id, a.occurred_at, a.source_seq, a.activity_id"""
SHARED_ALIASES = """SELECT entity_id, canonical_id FROM atlas.graph_entities
    WHERE tenant_id = $1 AND canonical_id <> entity_id AND private_to IS NULL"""
OWN_ALIASES = """SELECT entity_id, canonical_id FROM atlas.graph_entities
    WHERE tenant_id = $1 AND canonical_id <> entity_id
      AND (private_to IS NULL OR private_to = $2)"""

# Per object type, over what the scope sees: the maintained (shared) sequences, and the
# member's own private activities by the cluster of each object they concern (as laid over).
OBJECT_TYPES = """WITH covered AS (
        SELECT object_type AS type, object_id, length(entries) / $3 AS n
        FROM atlas.graph_sequences WHERE tenant_id = $1 AND length(entries) > 0
      UNION ALL
        SELECT e.type, e.canonical_id, count(DISTINCT a.activity_id)
        FROM atlas.graph_activities a
        CROSS JOIN LATERAL jsonb_array_elements(a.objects) o
        JOIN atlas.graph_entities e
          ON e.tenant_id = a.tenant_id AND e.entity_id = (o ->> 'entity_id')::uuid
        WHERE a.tenant_id = $1 AND a.private_to = $2
          AND (e.private_to IS NULL OR e.private_to = $2)
        GROUP BY e.type, e.canonical_id)
    SELECT type, count(DISTINCT object_id) AS objects, sum(n)::bigint AS activities
    FROM covered GROUP BY type"""


async def has_private(conn: Any, tenant: TenantId, owner: UserId) -> bool:
    found: bool = await conn.fetchval(
        """SELECT EXISTS (SELECT 1 FROM atlas.graph_activities
        WHERE tenant_id = $1 AND private_to = $2)""",
        tenant,
        owner,
    )
    return found


async def laid_over(
    conn: Any,
    object_type: str,
    blobs: Mapping[EntityId, bytes],
    names: dict[int, str],
    *,
    tenant: TenantId,
    owner: UserId,
) -> dict[EntityId, bytes]:
    """The shared blobs with the owner's private entries of ``object_type`` merged in, each
    object in its total order. ``names`` gains a code for every activity type only private
    activities have."""
    rows = await conn.fetch(_PRIVATE_ENTRIES, tenant, owner, object_type)
    if not rows:
        return dict(blobs)
    codes = {name: code for code, name in names.items()}
    for name in {r["type"] for r in rows} - codes.keys():
        codes[name] = max(names, default=-1) + 1
        names[codes[name]] = name
    private: dict[EntityId, list[bytes]] = {}
    for r in rows:  # in (object, total order): pack as they come
        actor = r["actor_id"]
        private.setdefault(r["object_id"], []).append(
            ENTRY.pack(
                to_micros(r["occurred_at"]),
                r["source_seq"],
                r["activity_id"].bytes,
                codes[r["type"]],
                actor.bytes if actor is not None else NO_ACTOR,
            )
        )
    merged = dict(blobs)
    for obj, entries in private.items():
        own = b"".join(entries)
        shared = blobs.get(obj)
        merged[obj] = _merged(shared, own, names, codes) if shared else own
    return merged


def _merged(shared: bytes, own: bytes, names: Mapping[int, str], codes: Mapping[str, int]) -> bytes:
    """Two ordered blobs of one object as one, in its total order (rare: an object with both
    shared and private activities)."""
    return pack(merge(unpack(shared, names), unpack(own, names)), codes)
