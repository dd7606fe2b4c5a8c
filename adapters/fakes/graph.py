"""In-memory graph repositories that mirror the PostgreSQL ones, row security included."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from adapters.fakes.graph_bulk import FakeBulkRecords
from adapters.fakes.graph_sequences import FakeGraphVersions, FakeSequenceRepository
from adapters.fakes.graph_tables import GraphTables, Scoped, WriteMode
from adapters.fakes.store import Tables
from adapters.fakes.uow import FakeUnitOfWork
from application.graph.ports import (
    ActivityFilter,
    ActivityRepository,
    EntityRepository,
    GraphUnitOfWork,
    MergeRecord,
    MergeRepository,
    RelationshipRepository,
    TypeCatalog,
    UpsertOutcome,
)
from domain.graph.catalog import TypeDeclaration
from domain.graph.model import (
    Activity,
    ActivityId,
    Entity,
    EntityId,
    Identity,
    Relationship,
    as_cluster,
)
from domain.shared.errors import ScopeViolation
from domain.shared.ids import UserId


class FakeEntityRepository(Scoped, EntityRepository):
    async def get_many(self, ids: Collection[EntityId]) -> dict[EntityId, Entity]:
        rows, t = self._t.entities, self._scope.tenant_id
        if t is None:
            return {}
        return {i: rows[(t, i)] for i in ids if (t, i) in rows and self._seen((t, i))}

    async def upsert(self, entities: Sequence[Entity]) -> None:
        for entity in entities:
            slot = (self._tenant, entity.id)
            if slot not in self._t.entities:  # a row keeps its visibility: only sharing moves it
                self._stamp(slot)
            self._t.entities[slot] = entity

    async def owners(self, keys: Collection[Identity]) -> dict[Identity, set[EntityId]]:
        t = self._tenant
        found = {
            k: {e for e in self._t.keys.get((t, k), frozenset()) if self._seen((t, k, e))}
            for k in keys
        }
        return {k: v for k, v in found.items() if v}

    async def add_keys(self, keys: Collection[tuple[Identity, EntityId]]) -> None:
        for key, entity_id in keys:
            slot = (self._tenant, key)
            if entity_id not in self._t.keys.get(slot, frozenset()):  # ON CONFLICT DO NOTHING
                self._stamp((self._tenant, key, entity_id))
            self._t.keys[slot] = self._t.keys.get(slot, frozenset()) | {entity_id}

    async def repoint(self, absorbed: EntityId, survivor: EntityId) -> list[EntityId]:
        # ``graph_repoint()``: every record of the tenant, colleagues' private ones too.
        moved = [
            e.id
            for (tenant, _), e in self._t.entities.items()
            if tenant == self._tenant and e.canonical_id == absorbed
        ]
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

    async def members_of(self, canonicals: Collection[EntityId]) -> dict[EntityId, list[Entity]]:
        found: dict[EntityId, list[Entity]] = {}
        for entity in sorted((e for _, e in self._mine(self._t.entities)), key=lambda e: e.id):
            if entity.canonical_id in canonicals:
                found.setdefault(entity.canonical_id, []).append(entity)
        return found

    async def page(
        self, *, type: str | None, search: str | None, after: EntityId | None, limit: int
    ) -> list[Entity]:
        entities = [e for _, e in self._mine(self._t.entities)]
        needle = (search or "").lower()
        emails: dict[EntityId, list[str]] = {}
        for key, holders in self._mine(self._t.keys):
            if key.kind == "email":
                for holder in holders:
                    if not self._seen((self._tenant, key, holder)):
                        continue
                    canonical = self._t.entities[(self._tenant, holder)].canonical_id
                    emails.setdefault(canonical, []).append(key.value)
        found = [
            e
            for e in entities
            if (type is None or e.type == type)
            and (after is None or e.canonical_id > after)
            and (
                not needle
                or needle in (e.name or "").lower()
                or any(needle in mail for mail in emails.get(e.canonical_id, []))
            )
        ]
        return sorted(_leaders(found).values(), key=lambda e: e.id)[:limit]

    async def representatives(self, canonicals: Collection[EntityId]) -> dict[EntityId, Entity]:
        wanted = set(canonicals)
        return _leaders([e for _, e in self._mine(self._t.entities) if e.canonical_id in wanted])

    async def all(self) -> list[Entity]:
        return sorted((e for _, e in self._mine(self._t.entities)), key=lambda e: e.id)


class FakeRelationshipRepository(Scoped, RelationshipRepository):
    async def add(self, relationships: Collection[Relationship]) -> None:
        for relationship in relationships:
            slot = (self._tenant, relationship)
            if slot not in self._t.relationships:  # ON CONFLICT DO NOTHING
                self._stamp(slot)
            self._t.relationships[slot] = None

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
            if before is None:  # a row keeps its visibility: only sharing changes it
                self._stamp(slot)
        return UpsertOutcome(inserted=frozenset(inserted), replaced=tuple(replaced))

    async def get_many(self, ids: Collection[ActivityId]) -> dict[ActivityId, Activity]:
        rows, tenant = self._t.activities, self._scope.tenant_id
        if tenant is None:
            return {}
        return {
            i: rows[(tenant, i)] for i in ids if (tenant, i) in rows and self._seen((tenant, i))
        }

    async def page(
        self, selection: ActivityFilter, *, after: tuple[datetime, ActivityId] | None, limit: int
    ) -> list[Activity]:
        members = None
        if selection.object_id is not None:
            entry = self._t.sequences.get((self._tenant, selection.object_id))
            members = {o.activity_id for o in entry[1]} if entry else set()
            members |= set(await self.private_about([selection.object_id]))
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

    async def private_about(self, objects: Collection[EntityId]) -> list[ActivityId]:
        entities, tenant, wanted = self._t.entities, self._tenant, set(objects)
        return [
            a.id
            for (t, _), a in self._t.activities.items()
            if t == tenant
            and self._scope.user_id is not None
            and self._t.private.get((t, a.id)) == self._scope.user_id
            and any(
                (t, link.entity_id) in entities
                and entities[(t, link.entity_id)].canonical_id in wanted
                for link in a.objects
            )
        ]

    async def window(self, start: datetime | None, end: datetime | None) -> list[Activity]:
        return await self.page(ActivityFilter(start=start, end=end), after=None, limit=10**12)


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
        self._stamp((self._tenant, merge.id))

    async def get(self, merge_id: UUID) -> MergeRecord | None:
        slot = (self._scope.tenant_id, merge_id)
        return self._t.merges.get(slot) if self._seen(slot) else None  # type: ignore[arg-type]

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


def _leaders(records: Collection[Entity]) -> dict[EntityId, Entity]:
    """Per cluster, the record standing for it (``as_cluster``): its canonical one when
    present, else its smallest id."""
    leaders: dict[EntityId, Entity] = {}
    for record in sorted(records, key=lambda e: (e.id != e.canonical_id, e.id)):
        leaders.setdefault(record.canonical_id, as_cluster(record))
    return leaders


def _replace(value: Any, **changes: Any) -> Any:
    return msgspec.structs.replace(value, **changes)


class FakeGraphUnitOfWork(FakeUnitOfWork, GraphUnitOfWork):
    def _attach(self, tables: Tables) -> None:
        graph, writes = tables.of(GraphTables), self._writes
        self.entities = FakeEntityRepository(graph, self.scope, writes)
        self.relationships = FakeRelationshipRepository(graph, self.scope, writes)
        self.activities = FakeActivityRepository(graph, self.scope, writes)
        self.sequences = FakeSequenceRepository(graph, self.scope)
        self.types = FakeTypeCatalog(graph, self.scope)
        self.merges = FakeMergeRepository(graph, self.scope, writes)
        self.versions = FakeGraphVersions(graph, self.scope)
        self.bulk = FakeBulkRecords(graph, self.scope)

    @property
    def _writes(self) -> WriteMode:
        if not hasattr(self, "_write_mode"):
            self._write_mode = WriteMode()
        return self._write_mode

    def write_private(self, owner: UserId | None) -> None:
        if owner is not None and owner != self.scope.user_id:
            raise ScopeViolation()
        self._writes.private_to = owner
