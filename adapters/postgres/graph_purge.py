"""PostgreSQL side of purging one source scope from a tenant's graph.

Purges are rare (a disconnect with ``purge``), so these statements scan the tenant's rows by
scope instead of adding an index every ingest would pay for.
"""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from adapters.postgres.graph_codec import activity_from, entity_from
from adapters.postgres.graph_db import GraphDb
from adapters.postgres.graph_uow import PostgresGraphUnitOfWork
from application.graph.ports import GraphPurgeUnitOfWork, ScopedRecords
from domain.graph.model import Activity, Entity, EntityId, Identity

_TOUCHING = """SELECT * FROM atlas.graph_activities a
    WHERE a.scope <> $2 AND (a.actor_id = ANY($1::uuid[]) OR EXISTS (
        SELECT 1 FROM jsonb_array_elements(a.objects) o
        WHERE (o->>'entity_id')::uuid = ANY($1::uuid[])))"""

_MERGES = "DELETE FROM atlas.graph_merges WHERE merge_id = ANY($1::uuid[])"
_ENTITIES = (
    "DELETE FROM atlas.graph_sequences WHERE object_id = ANY($1::uuid[])",
    """UPDATE atlas.graph_merges SET members = ARRAY(
        SELECT m FROM unnest(members) AS m WHERE m <> ALL($1::uuid[]) ORDER BY m)
    WHERE members && $1::uuid[]""",
    """UPDATE atlas.graph_entities SET canonical_id = entity_id
    WHERE canonical_id = ANY($1::uuid[]) AND entity_id <> ALL($1::uuid[])""",
    # Keys and relationships go with their entities (ON DELETE CASCADE).
    "DELETE FROM atlas.graph_entities WHERE entity_id = ANY($1::uuid[])",
)


class PostgresScopedRecords(ScopedRecords):
    def __init__(self, db: GraphDb) -> None:
        self._db = db

    async def entities_of(self, scope: str) -> list[Entity]:
        rows = await self._db.fetch("SELECT * FROM atlas.graph_entities WHERE scope = $1", scope)
        return [entity_from(r) for r in rows]

    async def activities_of(self, scope: str) -> list[Activity]:
        rows = await self._db.fetch("SELECT * FROM atlas.graph_activities WHERE scope = $1", scope)
        return [activity_from(r) for r in rows]

    async def activities_touching(
        self, ids: Collection[EntityId], *, outside: str
    ) -> list[Activity]:
        rows = await self._db.fetch(_TOUCHING, list(ids), outside)
        return [activity_from(r) for r in rows]

    async def keys_of(self, ids: Collection[EntityId]) -> dict[EntityId, frozenset[Identity]]:
        rows = await self._db.fetch(
            "SELECT entity_id, kind, value FROM atlas.graph_entity_keys "
            "WHERE entity_id = ANY($1::uuid[])",
            list(ids),
        )
        found: dict[EntityId, set[Identity]] = {}
        for row in rows:
            key = Identity(kind=row["kind"], value=row["value"])
            found.setdefault(EntityId(row["entity_id"]), set()).add(key)
        return {entity: frozenset(keys) for entity, keys in found.items()}

    async def delete(
        self, scope: str, entities: Collection[EntityId], merges: Collection[UUID]
    ) -> None:
        # Merges first: they reference entities (survivor, absorbed) without cascading.
        await self._db.execute(_MERGES, list(merges))
        await self._db.execute("DELETE FROM atlas.graph_activities WHERE scope = $1", scope)
        for statement in _ENTITIES:
            await self._db.execute(statement, list(entities))


class PostgresGraphPurgeUnitOfWork(PostgresGraphUnitOfWork, GraphPurgeUnitOfWork):
    def _attach(self, session: AsyncSession) -> None:
        super()._attach(session)
        self.scoped = PostgresScopedRecords(GraphDb(session, self.scope.tenant_id))
