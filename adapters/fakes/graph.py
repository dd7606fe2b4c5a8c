"""In-memory graph repositories that mirror the PostgreSQL ones, row security included."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from adapters.fakes.graph_bulk import FakeBulkRecords
from adapters.fakes.graph_tables import GraphTables, Scoped
from adapters.fakes.store import InMemoryStore, Tables
from adapters.fakes.uow import FakeUnitOfWork
from application.graph.ports import (
    ActivityFilter,
    ActivityRepository,
    EntityRepository,
    GraphUnitOfWork,
    GraphVersions,
    MergeRecord,
    MergeRepository,
    ProcessMaps,
    RelationshipRepository,
    SequenceChange,
    SequenceRepository,
    TypeCatalog,
    UpsertOutcome,
)
from application.shared.scope import Scope
from domain.graph.catalog import TypeDeclaration
from domain.graph.model import Activity, ActivityId, Entity, EntityId, Identity, Relationship
from domain.graph.process_map import MapQuery, ProcessMap, compute
from domain.graph.sequence import Occurrence, merge


class FakeEntityRepository(Scoped, EntityRepository):
    async def get_many(self, ids: Collection[EntityId]) -> dict[EntityId, Entity]:
        rows = self._t.entities
        return {i: rows[(t, i)] for i in ids if (t := self._scope.tenant_id) and (t, i) in rows}

    async def upsert(self, entities: Sequence[Entity]) -> None:
        for entity in entities:
            self._t.entities[(self._tenant, entity.id)] = entity

    async def owners(self, keys: Collection[Identity]) -> dict[Identity, set[EntityId]]:
        found = {k: self._t.keys.get((self._tenant, k), frozenset()) for k in keys}
        return {k: set(v) for k, v in found.items() if v}

    async def add_keys(self, keys: Collection[tuple[Identity, EntityId]]) -> None:
        for key, entity_id in keys:
            slot = (self._tenant, key)
            self._t.keys[slot] = self._t.keys.get(slot, frozenset()) | {entity_id}

    async def repoint(self, absorbed: EntityId, survivor: EntityId) -> list[EntityId]:
        moved = [e.id for _, e in self._mine(self._t.entities) if e.canonical_id == absorbed]
        await self.set_canonical(moved, survivor)
        return moved

    async def set_canonical(self, members: Collection[EntityId], canonical: EntityId) -> None:
        for member in members:
            slot = (self._tenant, member)
            if slot in self._t.entities:
                entity = self._t.entities[slot]
                self._t.entities[slot] = _replace(entity, canonical_id=canonical)

    async def aliases(self) -> dict[EntityId, EntityId]:
        return {
            e.id: e.canonical_id for _, e in self._mine(self._t.entities) if e.canonical_id != e.id
        }

    async def members(self, canonical: EntityId) -> list[Entity]:
        found = [e for _, e in self._mine(self._t.entities) if e.canonical_id == canonical]
        return sorted(found, key=lambda e: e.id)

    async def page(
        self, *, type: str | None, search: str | None, after: EntityId | None, limit: int
    ) -> list[Entity]:
        entities = [e for _, e in self._mine(self._t.entities)]
        needle = (search or "").lower()
        emails: dict[EntityId, list[str]] = {}
        for key, holders in self._mine(self._t.keys):
            if key.kind == "email":
                for holder in holders:
                    canonical = self._t.entities[(self._tenant, holder)].canonical_id
                    emails.setdefault(canonical, []).append(key.value)
        found = [
            e
            for e in entities
            if e.canonical_id == e.id
            and (type is None or e.type == type)
            and (after is None or e.id > after)
            and (
                not needle
                or needle in (e.name or "").lower()
                or any(needle in mail for mail in emails.get(e.id, []))
            )
        ]
        return sorted(found, key=lambda e: e.id)[:limit]

    async def all(self) -> list[Entity]:
        return sorted((e for _, e in self._mine(self._t.entities)), key=lambda e: e.id)


class FakeRelationshipRepository(Scoped, RelationshipRepository):
    async def add(self, relationships: Collection[Relationship]) -> None:
        for relationship in relationships:
            self._t.relationships[(self._tenant, relationship)] = None

    async def touching(self, ids: Collection[EntityId]) -> list[Relationship]:
        wanted = set(ids)
        found = [r for r, _ in self._mine(self._t.relationships)]
        return sorted(r for r in found if r.source_id in wanted or r.target_id in wanted)

    async def all(self) -> list[Relationship]:
        return sorted(r for r, _ in self._mine(self._t.relationships))


class FakeActivityRepository(Scoped, ActivityRepository):
    async def upsert(self, activities: Sequence[Activity]) -> UpsertOutcome:
        inserted: set[ActivityId] = set()
        replaced: list[Activity] = []
        for activity in activities:
            slot = (self._tenant, activity.id)
            before = self._t.activities.get(slot)
            if before is None:
                inserted.add(activity.id)
            elif before != activity:
                replaced.append(before)
            self._t.activities[slot] = activity
        return UpsertOutcome(inserted=frozenset(inserted), replaced=tuple(replaced))

    async def get_many(self, ids: Collection[ActivityId]) -> dict[ActivityId, Activity]:
        rows, tenant = self._t.activities, self._scope.tenant_id
        if tenant is None:
            return {}
        return {i: rows[(tenant, i)] for i in ids if (tenant, i) in rows}

    async def page(
        self, selection: ActivityFilter, *, after: tuple[datetime, ActivityId] | None, limit: int
    ) -> list[Activity]:
        members = None
        if selection.object_id is not None:
            entry = self._t.sequences.get((self._tenant, selection.object_id))
            members = {o.activity_id for o in entry[1]} if entry else set()
        found = [
            a
            for _, a in self._mine(self._t.activities)
            if (not selection.types or a.type in selection.types)
            and (not selection.actors or a.actor_id in selection.actors)
            and (members is None or a.id in members)
            and (selection.start is None or a.occurred_at >= selection.start)
            and (selection.end is None or a.occurred_at < selection.end)
            and (after is None or (a.occurred_at, a.id) > after)
        ]
        return sorted(found, key=lambda a: (a.occurred_at, a.id))[:limit]

    async def window(self, start: datetime | None, end: datetime | None) -> list[Activity]:
        return await self.page(ActivityFilter(start=start, end=end), after=None, limit=10**12)


class FakeSequenceRepository(Scoped, SequenceRepository):
    async def apply(
        self,
        object_type: Mapping[EntityId, str],
        changes: Mapping[EntityId, SequenceChange],
        revision: int,
    ) -> int:
        stored = await self.get_many(changes)
        changed = {}
        for obj, change in changes.items():
            before = stored.get(obj, ())
            after = merge(before, change.arrivals, change.removed)
            if after != before:
                changed[obj] = after
        await self.save(object_type, changed, revision)
        return len(changed)

    async def join(
        self, survivor: EntityId, absorbed: EntityId, object_type: str, revision: int
    ) -> None:
        stored = await self.get_many([survivor, absorbed])
        if absorbed not in stored:
            return
        joined = merge(stored.get(survivor, ()), stored[absorbed])
        types = {survivor: object_type, absorbed: object_type}
        await self.save(types, {survivor: joined, absorbed: ()}, revision)

    async def get_many(
        self, objects: Collection[EntityId]
    ) -> dict[EntityId, tuple[Occurrence, ...]]:
        rows, tenant = self._t.sequences, self._scope.tenant_id
        if tenant is None:
            return {}
        found = {o: rows[(tenant, o)][1] for o in objects if (tenant, o) in rows}
        return {o: trace for o, trace in found.items() if trace}

    async def save(
        self,
        object_type: Mapping[EntityId, str],
        sequences: Mapping[EntityId, Sequence[Occurrence]],
        revision: int,
    ) -> None:
        for obj, trace in sequences.items():
            self._t.sequences[(self._tenant, obj)] = (object_type[obj], tuple(trace), revision)


class FakeTypeCatalog(Scoped, TypeCatalog):
    async def declare(self, declarations: Collection[TypeDeclaration]) -> None:
        for declaration in declarations:
            slot = (self._tenant, declaration.kind, declaration.name)
            before = self._t.types.get(slot)
            self._t.types[slot] = before.extended(declaration) if before else declaration

    async def all(self) -> list[TypeDeclaration]:
        return sorted((d for _, d in self._mine(self._t.types)), key=lambda d: (d.kind, d.name))


class FakeMergeRepository(Scoped, MergeRepository):
    async def add(self, merge: MergeRecord) -> None:
        self._t.merges[(self._tenant, merge.id)] = merge

    async def get(self, merge_id: UUID) -> MergeRecord | None:
        return self._t.merges.get((self._scope.tenant_id, merge_id))  # type: ignore[arg-type]

    async def mark_undone(self, merge_id: UUID, at: datetime) -> None:
        slot = (self._tenant, merge_id)
        if slot in self._t.merges:
            self._t.merges[slot] = _replace(self._t.merges[slot], undone_at=at)

    async def separated(self) -> list[tuple[EntityId, EntityId]]:
        return [(m.survivor, m.absorbed) for _, m in self._mine(self._t.merges) if m.undone_at]

    async def of_entities(self, ids: Collection[EntityId]) -> list[MergeRecord]:
        wanted = set(ids)
        found = [m for _, m in self._mine(self._t.merges) if {m.survivor, m.absorbed} & wanted]
        return sorted(found, key=lambda m: (m.merged_at, m.id))


class FakeGraphVersions(Scoped, GraphVersions):
    async def begin_ingest(self) -> int:
        revision, generation = self._t.versions.get(self._tenant, (0, 0))
        self._t.versions[self._tenant] = (revision + 1, generation)
        return revision + 1

    async def invalidate(self) -> None:
        revision, _ = self._t.versions.get(self._tenant, (0, 0))
        self._t.versions[self._tenant] = (revision, revision)


def _replace(value: Any, **changes: Any) -> Any:
    return msgspec.structs.replace(value, **changes)


class FakeGraphUnitOfWork(FakeUnitOfWork, GraphUnitOfWork):
    def _attach(self, tables: Tables) -> None:
        graph = tables.of(GraphTables)
        self.entities = FakeEntityRepository(graph, self.scope)
        self.relationships = FakeRelationshipRepository(graph, self.scope)
        self.activities = FakeActivityRepository(graph, self.scope)
        self.sequences = FakeSequenceRepository(graph, self.scope)
        self.types = FakeTypeCatalog(graph, self.scope)
        self.merges = FakeMergeRepository(graph, self.scope)
        self.versions = FakeGraphVersions(graph, self.scope)
        self.bulk = FakeBulkRecords(graph, self.scope)


class FakeProcessMaps(ProcessMaps):
    """The reference computation over the committed sequences."""

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    async def compute(self, scope: Scope, query: MapQuery) -> ProcessMap:
        graph = self._store.tables.of(GraphTables)
        traces = {
            obj: trace
            for (tenant, obj), (kind, trace, _) in graph.sequences.items()
            if tenant == scope.tenant_id and kind == query.object_type and trace
        }
        aliases = {
            e.id: e.canonical_id
            for (tenant, _), e in graph.entities.items()
            if tenant == scope.tenant_id and e.canonical_id != e.id
        }
        return compute(traces, query, aliases)
