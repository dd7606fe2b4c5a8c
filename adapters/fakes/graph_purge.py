"""The in-memory twin of purging one source scope from a tenant's graph."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any
from uuid import UUID

import msgspec

from adapters.fakes.graph import FakeGraphUnitOfWork
from adapters.fakes.graph_tables import GraphTables, Scoped
from adapters.fakes.store import Tables
from application.graph.ports import GraphPurgeUnitOfWork, ScopedRecords
from domain.graph.model import Activity, ActivityId, Entity, EntityId, Identity
from domain.shared.ids import UserId


class FakeScopedRecords(Scoped, ScopedRecords):
    async def entities_of(self, scope: str) -> list[Entity]:
        return [e for _, e in self._mine(self._t.entities) if e.ref.scope == scope]

    async def activities_of(self, scope: str) -> list[Activity]:
        return [a for _, a in self._mine(self._t.activities) if a.ref.scope == scope]

    async def source_ids(self, scope: str, *, entity_type: str) -> set[str]:
        return {
            e.ref.source_id
            for _, e in self._mine(self._t.entities)
            if e.ref.scope == scope and e.type == entity_type
        }

    async def activity_source_ids(self, scope: str, *, prefix: str) -> set[str]:
        return {
            a.ref.source_id
            for _, a in self._mine(self._t.activities)
            if a.ref.scope == scope and a.ref.source_id.startswith(prefix)
        }

    async def activities_touching(self, ids: Collection[EntityId]) -> list[Activity]:
        wanted = set(ids)
        return [
            a
            for _, a in self._mine(self._t.activities)
            if a.actor_id in wanted or any(link.entity_id in wanted for link in a.objects)
        ]

    async def keys_of(self, ids: Collection[EntityId]) -> dict[EntityId, frozenset[Identity]]:
        wanted, found = set(ids), dict[EntityId, set[Identity]]()
        for key, holders in self._mine(self._t.keys):
            for holder in holders & wanted:
                found.setdefault(holder, set()).add(key)
        return {entity: frozenset(keys) for entity, keys in found.items()}

    async def set_private(self, scope: str, owner: UserId | None) -> None:
        t = self._tenant
        ids = {e.id for _, e in self._mine(self._t.entities) if e.ref.scope == scope}
        slots: list[tuple[Any, ...]] = [(t, i) for i in ids]
        slots += [(t, a.id) for _, a in self._mine(self._t.activities) if a.ref.scope == scope]
        slots += [
            (t, key, holder)
            for (tenant, key), holders in self._t.keys.items()
            if tenant == t
            for holder in holders & ids
        ]
        slots += [
            slot
            for slot in self._t.relationships
            if slot[0] == t and {slot[1].source_id, slot[1].target_id} & ids
        ]
        slots += [
            slot
            for slot, m in self._t.merges.items()
            if slot[0] == t and {m.survivor, m.absorbed} & ids
        ]
        for slot in slots:
            if owner is None:
                self._t.private.pop(slot, None)
            else:
                self._t.private[slot] = owner

    async def delete(
        self,
        activities: Collection[ActivityId],
        entities: Collection[EntityId],
        merges: Collection[UUID],
    ) -> None:
        gone = set(entities)
        self._delete_merges(merges, gone)
        tenant = self._tenant
        for activity_id in activities:
            self._t.activities.pop((tenant, activity_id), None)
        self._delete_entities(gone)

    def _delete_merges(self, merges: Collection[UUID], gone: set[EntityId]) -> None:
        tenant, rows = self._tenant, self._t.merges
        for merge_id in merges:
            rows.pop((tenant, merge_id), None)
        for slot, merge in list(rows.items()):
            if slot[0] == tenant and gone & set(merge.members):
                kept = tuple(m for m in merge.members if m not in gone)
                rows[slot] = msgspec.structs.replace(merge, members=kept)

    def _delete_entities(self, gone: set[EntityId]) -> None:
        tenant, t = self._tenant, self._t
        for entity_id in gone:
            t.sequences.pop((tenant, entity_id), None)
            t.entities.pop((tenant, entity_id), None)
        for slot, entity in list(t.entities.items()):
            if slot[0] == tenant and entity.canonical_id in gone:
                t.entities[slot] = msgspec.structs.replace(entity, canonical_id=entity.id)
        keys = {  # ON DELETE CASCADE
            key: holders - gone if key[0] == tenant else holders for key, holders in t.keys.items()
        }
        t.keys = {key: holders for key, holders in keys.items() if holders}
        t.relationships = {
            slot: None
            for slot in t.relationships
            if slot[0] != tenant or not {slot[1].source_id, slot[1].target_id} & gone
        }


class FakeGraphPurgeUnitOfWork(FakeGraphUnitOfWork, GraphPurgeUnitOfWork):
    def _attach(self, tables: Tables) -> None:
        super()._attach(tables)
        self.scoped = FakeScopedRecords(tables.of(GraphTables), self.scope)
