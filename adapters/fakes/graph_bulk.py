"""The bulk path of an import in memory: the same refusal and the same rows as PostgreSQL."""

from __future__ import annotations

from itertools import pairwise
from uuid import UUID

from adapters.fakes.graph_tables import GraphTables, Scoped
from application.graph.ports import BulkRecords, PreparedTraces
from domain.graph.model import Activity, ActivityId, EntityId, ObjectLink, SourceRef, from_micros
from domain.graph.sequence import Occurrence
from domain.graph.traces import NO_ACTOR


class FakeBulkRecords(Scoped, BulkRecords):
    async def insert(self, traces: PreparedTraces, revision: int) -> bool:
        tenant, tables = self._tenant, self._t
        entities = {(tenant, e.id): e for e in traces.entities}
        activities = {(tenant, a.id): a for a in _activities(traces)}
        stored = (entities.keys() & tables.entities.keys()) or (
            activities.keys() & tables.activities.keys()
        )
        if stored or len(entities) < len(traces.entities):  # what a unique index refuses
            return False
        tables.entities.update(entities)
        tables.activities.update(activities)
        _sequences(tables, tenant, traces, revision)
        return True

    async def stored(self, traces: PreparedTraces) -> bool:
        stored = self._t.activities
        return all(stored.get((self._tenant, a.id)) == a for a in _activities(traces))


def _activities(traces: PreparedTraces) -> list[Activity]:
    block, found = traces.block, []
    for case_id, (start, end) in zip(traces.case_ids, pairwise((0, *block.ends)), strict=True):
        for i in range(start, end):
            actor = block.actor_of[i]
            found.append(
                Activity(
                    id=ActivityId(UUID(bytes=traces.activity_ids[i])),
                    ref=SourceRef(
                        provider=block.provider, scope=block.scope, source_id=traces.source_ids[i]
                    ),
                    type=block.types[block.type_of[i]],
                    occurred_at=from_micros(traces.micros[i]),
                    source_seq=block.first + i,
                    actor_id=traces.actor_ids[actor] if actor != NO_ACTOR else None,
                    attributes=dict(traces.attribute_sets[block.attribute_of[i]]),
                    objects=(ObjectLink(entity_id=case_id, qualifier=""),),
                    url=None,
                )
            )
    return found


def _sequences(tables: GraphTables, tenant: object, traces: PreparedTraces, revision: int) -> None:
    block = traces.block
    bounds = pairwise((0, *block.ends))
    for case_id, (start, end) in zip(traces.case_ids, bounds, strict=True):
        trace = []
        for i in traces.order[start:end]:
            actor = block.actor_of[i]
            trace.append(
                Occurrence(
                    activity_id=ActivityId(UUID(bytes=traces.activity_ids[i])),
                    at=traces.micros[i],
                    seq=block.first + i,
                    type=block.types[block.type_of[i]],
                    actor_id=EntityId(traces.actor_ids[actor]) if actor != NO_ACTOR else None,
                )
            )
        key = (tenant, case_id)
        tables.sequences[key] = (block.object_type, tuple(trace), revision)  # type: ignore[index]
