"""PostgreSQL repositories for entities, resolution keys and relationships."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from adapters.postgres.graph_codec import entity_attributes_json, entity_from
from adapters.postgres.graph_db import GraphDb
from application.graph.ports import EntityRepository, RelationshipRepository
from domain.graph.model import Entity, EntityId, Identity, Relationship, as_cluster

INSERT_ENTITIES = """INSERT INTO atlas.graph_entities (tenant_id, entity_id, provider, scope,
        source_id, type, name, attributes, url, canonical_id, private_to)
    SELECT $1, i, p, sc, s, t, n, a::jsonb, u, c, $11 FROM unnest($2::uuid[], $3::text[],
        $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::uuid[])
        AS x(i, p, sc, s, t, n, a, u, c)"""


def entity_columns(entities: Sequence[Entity]) -> list[list[object]]:
    """The arguments of ``INSERT_ENTITIES`` after the tenant, column by column."""
    rows = [(e.id, e.ref.provider, e.ref.scope, e.ref.source_id, e.type, e.name,
             entity_attributes_json(e), e.url, e.canonical_id) for e in entities]  # fmt: skip
    return [list(column) for column in zip(*rows, strict=True)] or [[] for _ in range(9)]


class PostgresEntityRepository(EntityRepository):
    def __init__(self, db: GraphDb) -> None:
        self._db = db

    async def get_many(self, ids: Collection[EntityId]) -> dict[EntityId, Entity]:
        if not ids:
            return {}
        rows = await self._db.fetch(
            "SELECT * FROM atlas.graph_entities WHERE entity_id = ANY($1::uuid[]) "
            "AND tenant_id = $2 AND (private_to IS NULL OR private_to = $3)",
            list(ids),
            *self._db.seen,
        )
        return {EntityId(r["entity_id"]): entity_from(r) for r in rows}

    async def upsert(self, entities: Sequence[Entity]) -> None:
        await self._db.execute(
            INSERT_ENTITIES
            + """ ON CONFLICT (tenant_id, entity_id) DO UPDATE SET name = EXCLUDED.name,
                attributes = EXCLUDED.attributes, url = EXCLUDED.url,
                canonical_id = EXCLUDED.canonical_id
            WHERE (graph_entities.name, graph_entities.attributes, graph_entities.url,
                   graph_entities.canonical_id)
                IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.attributes, EXCLUDED.url,
                                  EXCLUDED.canonical_id)
              AND (graph_entities.private_to IS NULL OR graph_entities.private_to = $12)""",
            self._db.tenant_id,
            *entity_columns(entities),
            self._db.private_to,
            self._db.viewer,  # never a colleague's private record, whatever its id
        )

    async def owners(self, keys: Collection[Identity]) -> dict[Identity, set[EntityId]]:
        rows = await self._db.fetch(
            """SELECT k.kind, k.value, k.entity_id FROM atlas.graph_entity_keys k
            JOIN unnest($1::text[], $2::text[]) AS x(kind, value)
              ON k.kind = x.kind AND k.value = x.value
            WHERE k.tenant_id = $3 AND (k.private_to IS NULL OR k.private_to = $4)""",
            [k.kind for k in keys],
            [k.value for k in keys],
            *self._db.seen,
        )
        found: dict[Identity, set[EntityId]] = {}
        for row in rows:
            key = Identity(kind=row["kind"], value=row["value"])
            found.setdefault(key, set()).add(EntityId(row["entity_id"]))
        return found

    async def add_keys(self, keys: Collection[tuple[Identity, EntityId]]) -> None:
        await self._db.execute(
            """INSERT INTO atlas.graph_entity_keys (tenant_id, kind, value, entity_id, private_to)
            SELECT $1, k, v, e, $5 FROM unnest($2::text[], $3::text[], $4::uuid[]) AS x(k, v, e)
            ON CONFLICT DO NOTHING""",
            self._db.tenant_id,
            [k.kind for k, _ in keys],
            [k.value for k, _ in keys],
            [e for _, e in keys],
            self._db.private_to,
        )

    async def repoint(self, absorbed: EntityId, survivor: EntityId) -> list[EntityId]:
        # Through the narrow definer path: colleagues' private records of the cluster too; the
        # function names the context's tenant itself.
        rows = await self._db.fetch(
            "SELECT atlas.graph_repoint($1, $2) AS entity_id", absorbed, survivor
        )
        return [EntityId(r["entity_id"]) for r in rows]

    async def set_canonical(self, members: Collection[EntityId], canonical: EntityId) -> None:
        await self._db.execute(
            "UPDATE atlas.graph_entities SET canonical_id = $2 "
            "WHERE entity_id = ANY($1::uuid[]) AND tenant_id = $3 "
            "AND (private_to IS NULL OR private_to = $4)",
            list(members),
            canonical,
            *self._db.seen,
        )

    async def aliases(self) -> dict[EntityId, EntityId]:
        rows = await self._db.fetch(
            "SELECT entity_id, canonical_id FROM atlas.graph_entities "
            "WHERE canonical_id <> entity_id AND tenant_id = $1 "
            "AND (private_to IS NULL OR private_to = $2)",
            *self._db.seen,
        )
        return {EntityId(r["entity_id"]): EntityId(r["canonical_id"]) for r in rows}

    async def members(self, canonical: EntityId) -> list[Entity]:
        rows = await self._db.fetch(
            "SELECT * FROM atlas.graph_entities WHERE canonical_id = $1 AND tenant_id = $2 "
            "AND (private_to IS NULL OR private_to = $3) "
            "ORDER BY entity_id",
            canonical,
            *self._db.seen,
        )
        return [entity_from(r) for r in rows]

    async def members_of(self, canonicals: Collection[EntityId]) -> dict[EntityId, list[Entity]]:
        rows = await self._db.fetch(
            """SELECT * FROM atlas.graph_entities WHERE tenant_id = $2
              AND (private_to IS NULL OR private_to = $3)
              AND canonical_id = ANY($1::uuid[]) ORDER BY canonical_id, entity_id""",
            list(canonicals),
            *self._db.seen,
        )
        found: dict[EntityId, list[Entity]] = {}
        for r in rows:
            found.setdefault(EntityId(r["canonical_id"]), []).append(entity_from(r))
        return found

    async def page(
        self, *, type: str | None, search: str | None, after: EntityId | None, limit: int
    ) -> list[Entity]:
        # One row per cluster the reader may see any record of: its canonical record if
        # visible, else its first visible one (a colleague's private record may lead it).
        # strpos, not LIKE: a user's search text is never a pattern.
        rows = await self._db.fetch(
            """SELECT DISTINCT ON (e.canonical_id) e.* FROM atlas.graph_entities e
            WHERE e.tenant_id = $5 AND (e.private_to IS NULL OR e.private_to = $6)
              AND ($1::text IS NULL OR e.type = $1)
              AND ($2::uuid IS NULL OR e.canonical_id > $2)
              AND ($3::text IS NULL OR strpos(lower(coalesce(e.name, '')), lower($3)) > 0
                   OR EXISTS (SELECT 1 FROM atlas.graph_entity_keys k
                              JOIN atlas.graph_entities m ON m.tenant_id = k.tenant_id
                               AND m.entity_id = k.entity_id
                              WHERE m.canonical_id = e.canonical_id AND k.kind = 'email'
                                AND k.tenant_id = $5
                                AND (k.private_to IS NULL OR k.private_to = $6)
                                AND m.tenant_id = $5
                                AND (m.private_to IS NULL OR m.private_to = $6)
                                AND strpos(k.value, lower($3)) > 0))
            ORDER BY e.canonical_id, e.entity_id <> e.canonical_id, e.entity_id LIMIT $4""",
            type,
            after,
            search or None,
            limit,
            *self._db.seen,
        )
        return [as_cluster(entity_from(r)) for r in rows]

    async def representatives(self, canonicals: Collection[EntityId]) -> dict[EntityId, Entity]:
        if not canonicals:
            return {}
        rows = await self._db.fetch(
            """SELECT DISTINCT ON (canonical_id) * FROM atlas.graph_entities
            WHERE canonical_id = ANY($1::uuid[]) AND tenant_id = $2
              AND (private_to IS NULL OR private_to = $3)
            ORDER BY canonical_id, entity_id <> canonical_id, entity_id""",
            list(canonicals),
            *self._db.seen,
        )
        return {EntityId(r["canonical_id"]): as_cluster(entity_from(r)) for r in rows}

    async def all(self) -> list[Entity]:
        rows = await self._db.fetch(
            "SELECT * FROM atlas.graph_entities WHERE tenant_id = $1 "
            "AND (private_to IS NULL OR private_to = $2) ORDER BY entity_id",
            *self._db.seen,
        )
        return [entity_from(r) for r in rows]


class PostgresRelationshipRepository(RelationshipRepository):
    def __init__(self, db: GraphDb) -> None:
        self._db = db

    async def add(self, relationships: Collection[Relationship]) -> None:
        await self._db.execute(
            """INSERT INTO atlas.graph_relationships (tenant_id, source_id, target_id, qualifier,
                private_to)
            SELECT $1, s, t, q, $5 FROM unnest($2::uuid[], $3::uuid[], $4::text[]) AS x(s, t, q)
            ON CONFLICT DO NOTHING""",
            self._db.tenant_id,
            [r.source_id for r in relationships],
            [r.target_id for r in relationships],
            [r.qualifier for r in relationships],
            self._db.private_to,
        )

    async def touching(self, ids: Collection[EntityId]) -> list[Relationship]:
        rows = await self._db.fetch(
            "SELECT source_id, target_id, qualifier FROM atlas.graph_relationships "
            "WHERE (source_id = ANY($1::uuid[]) OR target_id = ANY($1::uuid[])) "
            "AND tenant_id = $2 AND (private_to IS NULL OR private_to = $3)",
            list(ids),
            *self._db.seen,
        )
        return sorted(_relationship(r) for r in rows)

    async def all(self) -> list[Relationship]:
        rows = await self._db.fetch(
            "SELECT source_id, target_id, qualifier FROM atlas.graph_relationships "
            "WHERE tenant_id = $1 AND (private_to IS NULL OR private_to = $2)",
            *self._db.seen,
        )
        return sorted(_relationship(r) for r in rows)


def _relationship(row: object) -> Relationship:
    return Relationship(
        source_id=EntityId(row["source_id"]),  # type: ignore[index]
        target_id=EntityId(row["target_id"]),  # type: ignore[index]
        qualifier=row["qualifier"],  # type: ignore[index]
    )
