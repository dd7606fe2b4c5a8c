"""PostgreSQL repositories for the maintained sequences and the tenant's graph version."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from adapters.postgres.graph_codec import pack, unpack
from adapters.postgres.graph_db import GraphDb
from adapters.postgres.graph_merge import join_packed, merge_packed
from application.graph.ports import GraphVersions, SequenceChange, SequenceRepository
from domain.graph.model import EntityId
from domain.graph.sequence import Occurrence


class PostgresSequenceRepository(SequenceRepository):
    def __init__(self, db: GraphDb) -> None:
        self._db = db
        self._codes: dict[str, int] | None = None

    async def _load_codes(self) -> dict[str, int]:
        if self._codes is None:
            rows = await self._db.fetch(
                "SELECT code, name FROM atlas.graph_activity_types WHERE tenant_id = $1",
                self._db.seen[0],
            )
            self._codes = {r["name"]: r["code"] for r in rows}
        return self._codes

    async def codes(self, names: Collection[str]) -> dict[str, int]:
        """The code of each activity type name, giving new names the next free codes."""
        codes = await self._load_codes()
        fresh = sorted(set(names) - codes.keys())
        if fresh:
            # Writers of a tenant are serialised by begin_ingest, so max + n cannot collide.
            start = max(codes.values(), default=-1) + 1
            await self._db.execute(
                """INSERT INTO atlas.graph_activity_types (tenant_id, code, name)
                SELECT $1, c, n FROM unnest($2::int[], $3::text[]) AS x(c, n)""",
                self._db.tenant_id,
                list(range(start, start + len(fresh))),
                fresh,
            )
            codes.update(zip(fresh, range(start, start + len(fresh)), strict=True))
        return codes

    async def apply(
        self,
        object_type: Mapping[EntityId, str],
        changes: Mapping[EntityId, SequenceChange],
        revision: int,
    ) -> int:
        rows = await self._db.fetch(
            """SELECT object_id, entries FROM atlas.graph_sequences
            WHERE tenant_id = $2 AND object_id = ANY($1::uuid[])""",
            list(changes),
            self._db.tenant_id,
        )
        stored = {EntityId(r["object_id"]): bytes(r["entries"]) for r in rows}
        codes = await self.codes({o.type for c in changes.values() for o in c.arrivals})
        changed: dict[EntityId, bytes] = {}
        for obj, change in changes.items():
            before = stored.get(obj, b"")
            after = merge_packed(before, change.arrivals, change.removed, codes)
            if after != before:
                changed[obj] = after
        if changed:
            await self._write(object_type, changed, revision)
        return len(changed)

    async def join(
        self, survivor: EntityId, absorbed: EntityId, object_type: str, revision: int
    ) -> None:
        rows = await self._db.fetch(
            """SELECT object_id, entries FROM atlas.graph_sequences
            WHERE tenant_id = $2 AND object_id = ANY($1::uuid[])""",
            [survivor, absorbed],
            self._db.tenant_id,
        )
        stored = {EntityId(r["object_id"]): bytes(r["entries"]) for r in rows}
        if not stored.get(absorbed):
            return
        joined = join_packed(stored.get(survivor, b""), stored[absorbed])
        types = {survivor: object_type, absorbed: object_type}
        await self._write(types, {survivor: joined, absorbed: b""}, revision)

    async def get_many(
        self, objects: Collection[EntityId]
    ) -> dict[EntityId, tuple[Occurrence, ...]]:
        rows = await self._db.fetch(
            """SELECT object_id, entries FROM atlas.graph_sequences
            WHERE object_id = ANY($1::uuid[]) AND length(entries) > 0 AND tenant_id = $2""",
            list(objects),
            self._db.seen[0],
        )
        if not rows:
            return {}
        names = {code: name for name, code in (await self._load_codes()).items()}
        return {EntityId(r["object_id"]): unpack(r["entries"], names) for r in rows}

    async def save(
        self,
        object_type: Mapping[EntityId, str],
        sequences: Mapping[EntityId, Sequence[Occurrence]],
        revision: int,
    ) -> None:
        codes = await self.codes({o.type for trace in sequences.values() for o in trace})
        packed = {o: pack(trace, codes) for o, trace in sequences.items()}
        await self._write(object_type, packed, revision)

    async def _write(
        self, object_type: Mapping[EntityId, str], packed: Mapping[EntityId, bytes], revision: int
    ) -> None:
        objects = list(packed)
        await self._db.execute(
            """INSERT INTO atlas.graph_sequences (tenant_id, object_id, object_type, revision,
                entries)
            SELECT $1, o, t, $2, e FROM unnest($3::uuid[], $4::text[], $5::bytea[]) AS x(o, t, e)
            ON CONFLICT (tenant_id, object_id) DO UPDATE SET object_type = EXCLUDED.object_type,
                revision = EXCLUDED.revision, entries = EXCLUDED.entries""",
            self._db.tenant_id,
            revision,
            objects,
            [object_type[o] for o in objects],
            [packed[o] for o in objects],
        )


class PostgresGraphVersions(GraphVersions):
    def __init__(self, db: GraphDb) -> None:
        self._db = db

    async def begin_ingest(self) -> int:
        # The row lock taken here is held to commit: one writer per tenant at a time, and
        # revisions become visible in the order they were handed out.
        revision: int = await self._db.fetchval(
            """INSERT INTO atlas.graph_versions (tenant_id, revision) VALUES ($1, 1)
            ON CONFLICT (tenant_id) DO UPDATE SET revision = graph_versions.revision + 1
            RETURNING revision""",
            self._db.tenant_id,
        )
        return revision

    async def invalidate(self) -> None:
        await self._db.execute(
            "UPDATE atlas.graph_versions SET generation = revision WHERE tenant_id = $1",
            self._db.seen[0],
        )
