"""A member's own private activities, laid over the maintained (shared) sequences of their map.

The maintained sequences hold the tenant's shared activities only, so one copy serves every
member. A member whose unshared personal connections brought activities gets those merged in
when their map is read: their mailbox and calendar, a small part of a tenant's records, read
whole on each refresh, under their own scope and naming them in the statement as well.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.postgres.graph_codec import activity_from, pack, unpack
from application.graph.sequences import occurrence_of
from domain.graph.model import EntityId
from domain.graph.sequence import Occurrence, merge
from domain.shared.ids import UserId

_PRIVATE = "SELECT * FROM atlas.graph_activities WHERE private_to = $1"
_LINKED = """SELECT entity_id, canonical_id, type FROM atlas.graph_entities
    WHERE entity_id = ANY($1::uuid[])"""
SHARED_ALIASES = """SELECT entity_id, canonical_id FROM atlas.graph_entities
    WHERE canonical_id <> entity_id AND private_to IS NULL"""
OWN_ALIASES = """SELECT entity_id, canonical_id FROM atlas.graph_entities
    WHERE canonical_id <> entity_id AND (private_to IS NULL OR private_to = $1)"""


async def has_private(conn: Any, owner: UserId) -> bool:
    found: bool = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM atlas.graph_activities WHERE private_to = $1)", owner
    )
    return found


async def private_traces(
    conn: Any, owner: UserId, object_type: str
) -> dict[EntityId, list[Occurrence]]:
    """The owner's private occurrences per canonical object of ``object_type``."""
    activities = [activity_from(r) for r in await conn.fetch(_PRIVATE, owner)]
    linked = {link.entity_id for a in activities for link in a.objects}
    rows = await conn.fetch(_LINKED, list(linked)) if linked else []
    cluster = {
        EntityId(r["entity_id"]): EntityId(r["canonical_id"])
        for r in rows
        if r["type"] == object_type
    }
    traces: dict[EntityId, list[Occurrence]] = {}
    for activity in activities:
        occurrence = occurrence_of(activity)
        for obj in {
            cluster[link.entity_id] for link in activity.objects if link.entity_id in cluster
        }:
            traces.setdefault(obj, []).append(occurrence)
    return traces


def laid_over(
    blobs: Mapping[EntityId, bytes],
    traces: Mapping[EntityId, list[Occurrence]],
    names: dict[int, str],
) -> dict[EntityId, bytes]:
    """The shared blobs with the private occurrences merged in, each object in its total
    order. ``names`` gains a code for every activity type only private activities have."""
    if not traces:
        return dict(blobs)
    codes = {name: code for code, name in names.items()}
    for trace in traces.values():
        for occurrence in trace:
            if occurrence.type not in codes:
                codes[occurrence.type] = max(names, default=-1) + 1
                names[codes[occurrence.type]] = occurrence.type
    merged = dict(blobs)
    for obj, trace in traces.items():
        shared = unpack(blobs[obj], names) if obj in blobs else ()
        merged[obj] = pack(merge(shared, trace), codes)
    return merged
