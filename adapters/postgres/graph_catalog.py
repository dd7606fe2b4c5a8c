"""PostgreSQL repositories for the graph's type catalog and its merges (and their undoing)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from uuid import UUID

from adapters.postgres.graph_codec import json_text, load
from adapters.postgres.graph_db import GraphDb
from application.graph.ports import MergeRecord, MergeRepository, TypeCatalog
from domain.graph.catalog import AttributeDeclaration, TypeDeclaration
from domain.graph.model import EntityId, Identity


class PostgresTypeCatalog(TypeCatalog):
    def __init__(self, db: GraphDb) -> None:
        self._db = db

    async def declare(self, declarations: Collection[TypeDeclaration]) -> None:
        stored = {(d.kind, d.name): d for d in await self.all()}
        merged: dict[tuple[str, str], TypeDeclaration] = {}
        for declaration in declarations:
            key = (declaration.kind, declaration.name)
            before = merged.get(key) or stored.get(key)
            merged[key] = before.extended(declaration) if before else declaration
        await self._db.execute(
            """INSERT INTO atlas.graph_types (tenant_id, kind, name, attributes)
            SELECT $1, k, n, a::jsonb FROM unnest($2::text[], $3::text[], $4::text[]) AS x(k, n, a)
            ON CONFLICT (tenant_id, kind, name) DO UPDATE SET attributes = EXCLUDED.attributes""",
            self._db.tenant_id,
            [k for k, _ in merged],
            [n for _, n in merged],
            [json_text(d.attributes) for d in merged.values()],
        )

    async def all(self) -> list[TypeDeclaration]:
        rows = await self._db.fetch(
            "SELECT kind, name, attributes FROM atlas.graph_types WHERE tenant_id = $1 "
            "ORDER BY kind, name",
            self._db.seen[0],
        )
        return [
            TypeDeclaration(
                kind=r["kind"],
                name=r["name"],
                attributes=load(r["attributes"], tuple[AttributeDeclaration, ...]),
            )
            for r in rows
        ]


class PostgresMergeRepository(MergeRepository):
    def __init__(self, db: GraphDb) -> None:
        self._db = db

    async def add(self, merge: MergeRecord) -> None:
        await self._db.execute(
            """INSERT INTO atlas.graph_merges (tenant_id, merge_id, survivor_id, absorbed_id,
                members, key_kind, key_value, merged_at, private_to)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
            self._db.tenant_id,
            merge.id,
            merge.survivor,
            merge.absorbed,
            list(merge.members),
            merge.key.kind,
            merge.key.value,
            merge.merged_at,
            self._db.private_to,
        )

    async def get(self, merge_id: UUID) -> MergeRecord | None:
        rows = await self._db.fetch(
            "SELECT * FROM atlas.graph_merges WHERE merge_id = $1 AND tenant_id = $2 "
            "AND (private_to IS NULL OR private_to = $3)",
            merge_id,
            *self._db.seen,
        )
        return _merge(rows[0]) if rows else None

    async def mark_undone(self, merge_id: UUID, at: datetime) -> None:
        await self._db.execute(
            "UPDATE atlas.graph_merges SET undone_at = $2 WHERE merge_id = $1 AND tenant_id = $3 "
            "AND (private_to IS NULL OR private_to = $4)",
            merge_id,
            at,
            *self._db.seen,
        )

    async def separated(self) -> list[tuple[EntityId, EntityId]]:
        rows = await self._db.fetch(
            "SELECT survivor_id, absorbed_id FROM atlas.graph_merges "
            "WHERE undone_at IS NOT NULL AND tenant_id = $1 "
            "AND (private_to IS NULL OR private_to = $2)",
            *self._db.seen,
        )
        return [(EntityId(r["survivor_id"]), EntityId(r["absorbed_id"])) for r in rows]

    async def of_entities(self, ids: Collection[EntityId]) -> list[MergeRecord]:
        rows = await self._db.fetch(
            """SELECT * FROM atlas.graph_merges WHERE (survivor_id = ANY($1::uuid[])
                OR absorbed_id = ANY($1::uuid[])) AND tenant_id = $2
                AND (private_to IS NULL OR private_to = $3) ORDER BY merged_at, merge_id""",
            list(ids),
            *self._db.seen,
        )
        return [_merge(r) for r in rows]


def _merge(row: object) -> MergeRecord:
    r: dict[str, object] = dict(row)  # type: ignore[call-overload]
    return MergeRecord(
        id=r["merge_id"],  # type: ignore[arg-type]
        survivor=EntityId(r["survivor_id"]),  # type: ignore[arg-type]
        absorbed=EntityId(r["absorbed_id"]),  # type: ignore[arg-type]
        members=tuple(EntityId(m) for m in r["members"]),  # type: ignore[attr-defined]
        key=Identity(kind=r["key_kind"], value=r["key_value"]),  # type: ignore[arg-type]
        merged_at=r["merged_at"],  # type: ignore[arg-type]
        undone_at=r["undone_at"],  # type: ignore[arg-type]
    )
