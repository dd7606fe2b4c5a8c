"""PostgreSQL side of forgetting records: a purged source scope, or records a source deleted.

Every statement names its tenant itself, and on the tables with private records the scope
user's visibility too (shared, or theirs); row security is the second lock, not the only one.
"""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from adapters.postgres.graph_codec import activity_from, entity_from
from adapters.postgres.graph_db import GraphDb
from adapters.postgres.graph_uow import PostgresGraphUnitOfWork
from application.graph.ports import GraphPurgeUnitOfWork, ScopedRecords
from domain.graph.model import Activity, ActivityId, Entity, EntityId, Identity
from domain.shared.ids import UserId

_TOUCHING = """SELECT * FROM atlas.graph_activities a
    WHERE a.tenant_id = $2 AND (a.private_to IS NULL OR a.private_to = $3)
      AND (a.actor_id = ANY($1::uuid[]) OR EXISTS (
        SELECT 1 FROM jsonb_array_elements(a.objects) o
        WHERE (o->>'entity_id')::uuid = ANY($1::uuid[])))"""

_MERGES = """DELETE FROM atlas.graph_merges WHERE tenant_id = $2 AND merge_id = ANY($1::uuid[])
    AND (private_to IS NULL OR private_to = $3)"""
_ACTIVITIES = """DELETE FROM atlas.graph_activities
    WHERE tenant_id = $2 AND activity_id = ANY($1::uuid[])
    AND (private_to IS NULL OR private_to = $3)"""
_SEQUENCES = (  # no private records: the tenant alone
    "DELETE FROM atlas.graph_sequences WHERE tenant_id = $2 AND object_id = ANY($1::uuid[])"
)
_ENTITIES = (
    """UPDATE atlas.graph_merges SET members = ARRAY(
        SELECT m FROM unnest(members) AS m WHERE m <> ALL($1::uuid[]) ORDER BY m)
    WHERE tenant_id = $2 AND members && $1::uuid[] AND (private_to IS NULL OR private_to = $3)""",
    """UPDATE atlas.graph_entities SET canonical_id = entity_id
    WHERE tenant_id = $2 AND canonical_id = ANY($1::uuid[]) AND entity_id <> ALL($1::uuid[])
      AND (private_to IS NULL OR private_to = $3)""",
    # Keys and relationships go with their entities (ON DELETE CASCADE).
    """DELETE FROM atlas.graph_entities WHERE tenant_id = $2 AND entity_id = ANY($1::uuid[])
    AND (private_to IS NULL OR private_to = $3)""",
)


_PRIVATE_TO = (
    # $4: the scope's user; only rows they may see move (shared, or theirs).
    """UPDATE atlas.graph_entities SET private_to = $3
    WHERE tenant_id = $1 AND scope = $2 AND private_to IS DISTINCT FROM $3
      AND (private_to IS NULL OR private_to = $4)""",
    """UPDATE atlas.graph_activities SET private_to = $3
    WHERE tenant_id = $1 AND scope = $2 AND private_to IS DISTINCT FROM $3
      AND (private_to IS NULL OR private_to = $4)""",
    """UPDATE atlas.graph_entity_keys k SET private_to = $3 FROM atlas.graph_entities e
    WHERE k.tenant_id = $1 AND e.tenant_id = $1 AND e.scope = $2 AND k.entity_id = e.entity_id
      AND k.private_to IS DISTINCT FROM $3 AND (k.private_to IS NULL OR k.private_to = $4)
      AND (e.private_to IS NULL OR e.private_to = $4)""",
    """UPDATE atlas.graph_relationships r SET private_to = $3 FROM atlas.graph_entities e
    WHERE r.tenant_id = $1 AND e.tenant_id = $1 AND e.scope = $2
      AND e.entity_id IN (r.source_id, r.target_id) AND r.private_to IS DISTINCT FROM $3
      AND (r.private_to IS NULL OR r.private_to = $4)
      AND (e.private_to IS NULL OR e.private_to = $4)""",
    """UPDATE atlas.graph_merges g SET private_to = $3 FROM atlas.graph_entities e
    WHERE g.tenant_id = $1 AND e.tenant_id = $1 AND e.scope = $2
      AND e.entity_id IN (g.survivor_id, g.absorbed_id) AND g.private_to IS DISTINCT FROM $3
      AND (g.private_to IS NULL OR g.private_to = $4)
      AND (e.private_to IS NULL OR e.private_to = $4)""",
)


class PostgresScopedRecords(ScopedRecords):
    def __init__(self, db: GraphDb) -> None:
        self._db = db

    async def set_private(self, scope: str, owner: UserId | None) -> None:
        # Entities last would be wrong: the keys, relationships and merges are found through
        # the scope's entities, whose rows a new owner can always still see.
        for statement in _PRIVATE_TO:
            await self._db.execute(statement, self._db.tenant_id, scope, owner, self._db.viewer)

    async def entities_of(self, scope: str) -> list[Entity]:
        rows = await self._db.fetch(
            "SELECT * FROM atlas.graph_entities WHERE tenant_id = $1 AND scope = $2 "
            "AND (private_to IS NULL OR private_to = $3)",
            self._db.tenant_id,
            scope,
            self._db.viewer,
        )
        return [entity_from(r) for r in rows]

    async def activities_of(self, scope: str) -> list[Activity]:
        rows = await self._db.fetch(
            "SELECT * FROM atlas.graph_activities WHERE tenant_id = $1 AND scope = $2 "
            "AND (private_to IS NULL OR private_to = $3)",
            self._db.tenant_id,
            scope,
            self._db.viewer,
        )
        return [activity_from(r) for r in rows]

    async def source_ids(self, scope: str, *, entity_type: str) -> set[str]:
        rows = await self._db.fetch(
            "SELECT source_id FROM atlas.graph_entities "
            "WHERE tenant_id = $1 AND scope = $2 AND type = $3 "
            "AND (private_to IS NULL OR private_to = $4)",
            self._db.tenant_id,
            scope,
            entity_type,
            self._db.viewer,
        )
        return {r[0] for r in rows}

    async def activity_source_ids(self, scope: str, *, prefix: str) -> set[str]:
        # A range in byte order ("C") walks the graph_activities_source index; starts_with
        # stays the exact test (LIKE would read a % or _ in the prefix as a pattern).
        past, tenant = _past_prefix(prefix), self._db.tenant_id
        if past is None:
            rows = await self._db.fetch(_BY_PREFIX, tenant, scope, prefix, self._db.viewer)
        else:
            rows = await self._db.fetch(
                _BY_PREFIX_BOUNDED, tenant, scope, prefix, self._db.viewer, past
            )
        return {r[0] for r in rows}

    async def activities_touching(self, ids: Collection[EntityId]) -> list[Activity]:
        if not ids:
            return []
        rows = await self._db.fetch(_TOUCHING, list(ids), self._db.tenant_id, self._db.viewer)
        return [activity_from(r) for r in rows]

    async def keys_of(self, ids: Collection[EntityId]) -> dict[EntityId, frozenset[Identity]]:
        rows = await self._db.fetch(
            "SELECT entity_id, kind, value FROM atlas.graph_entity_keys "
            "WHERE tenant_id = $2 AND entity_id = ANY($1::uuid[]) "
            "AND (private_to IS NULL OR private_to = $3)",
            list(ids),
            self._db.tenant_id,
            self._db.viewer,
        )
        found: dict[EntityId, set[Identity]] = {}
        for row in rows:
            key = Identity(kind=row["kind"], value=row["value"])
            found.setdefault(EntityId(row["entity_id"]), set()).add(key)
        return {entity: frozenset(keys) for entity, keys in found.items()}

    async def delete(
        self,
        activities: Collection[ActivityId],
        entities: Collection[EntityId],
        merges: Collection[UUID],
    ) -> None:
        tenant, viewer = self._db.tenant_id, self._db.viewer
        # Merges first: they reference entities (survivor, absorbed) without cascading.
        await self._db.execute(_MERGES, list(merges), tenant, viewer)
        await self._db.execute(_ACTIVITIES, list(activities), tenant, viewer)
        if entities:
            await self._db.execute(_SEQUENCES, list(entities), tenant)
            for statement in _ENTITIES:
                await self._db.execute(statement, list(entities), tenant, viewer)


class PostgresGraphPurgeUnitOfWork(PostgresGraphUnitOfWork, GraphPurgeUnitOfWork):
    def _attach(self, session: AsyncSession) -> None:
        super()._attach(session)
        db = GraphDb(session, self.scope.tenant_id, self.scope.user_id)
        self.scoped = PostgresScopedRecords(db)


_BY_PREFIX = """SELECT source_id FROM atlas.graph_activities
    WHERE tenant_id = $1 AND scope = $2 AND source_id COLLATE "C" >= $3
    AND starts_with(source_id, $3) AND (private_to IS NULL OR private_to = $4)"""
_BY_PREFIX_BOUNDED = _BY_PREFIX + ' AND source_id COLLATE "C" < $5'


def _past_prefix(prefix: str) -> str | None:
    """The first string in byte order after every string that starts with ``prefix``.

    UTF-8 keeps code point order, so raising the last character that can be raised is enough;
    None when no character can be (no upper bound: the range is open).
    """
    for end in range(len(prefix) - 1, -1, -1):
        point = ord(prefix[end]) + 1
        if point in range(0xD800, 0xE000):
            point = 0xE000  # surrogates are not characters: the next one is past them
        if point <= 0x10FFFF:
            return prefix[:end] + chr(point)
    return None
