"""The in-memory maintained sequences, the tenant's graph version, and maps (and their cases
and object types) served from them."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from functools import partial

from adapters.fakes.graph_tables import GraphTables, Scoped, visible
from adapters.fakes.store import InMemoryStore
from application.graph.maps_port import ProcessMaps
from application.graph.ports import GraphVersions, SequenceChange, SequenceRepository
from application.graph.sequences import occurrence_of
from application.shared.scope import Scope
from domain.graph.map_cases import CasePage, CaseSelector, ObjectTypeCount, cases, type_order
from domain.graph.model import Entity, EntityId
from domain.graph.process_map import MapQuery, ProcessMap, compute
from domain.graph.sequence import Occurrence, merge


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


class FakeGraphVersions(Scoped, GraphVersions):
    async def begin_ingest(self) -> int:
        revision, generation = self._t.versions.get(self._tenant, (0, 0))
        self._t.versions[self._tenant] = (revision + 1, generation)
        return revision + 1

    async def invalidate(self) -> None:
        revision, _ = self._t.versions.get(self._tenant, (0, 0))
        self._t.versions[self._tenant] = (revision, revision)


class FakeProcessMaps(ProcessMaps):
    """The reference computations over the committed (shared) sequences, with the asking
    member's own private activities merged in."""

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    async def compute(self, scope: Scope, query: MapQuery) -> ProcessMap:
        traces, aliases = self._traces(scope, query.object_type)
        return compute(traces, query, aliases)

    async def cases(
        self, scope: Scope, query: MapQuery, selector: CaseSelector, limit: int
    ) -> CasePage:
        return cases(self._traces(scope, query.object_type)[0], query, selector, limit)

    async def object_types(self, scope: Scope) -> list[ObjectTypeCount]:
        graph = self._store.tables.of(GraphTables)
        kinds = {k for (t, _), (k, _, _) in graph.sequences.items() if t == scope.tenant_id}
        kinds |= {e.type for _, e in self._entities(scope).items()}
        found = []
        for kind in kinds:
            traces = [t for t in self._traces(scope, kind)[0].values() if t]
            if traces:
                found.append(ObjectTypeCount(type=kind, objects=len(traces),
                                             activities=sum(map(len, traces))))  # fmt: skip
        return sorted(found, key=type_order)

    def _entities(self, scope: Scope) -> dict[EntityId, Entity]:
        graph = self._store.tables.of(GraphTables)
        seen = partial(visible, graph, scope)
        return {
            e.id: e
            for slot, e in graph.entities.items()
            if slot[0] == scope.tenant_id and seen(slot)
        }

    def _traces(
        self, scope: Scope, object_type: str
    ) -> tuple[dict[EntityId, Sequence[Occurrence]], dict[EntityId, EntityId]]:
        graph = self._store.tables.of(GraphTables)
        traces: dict[EntityId, Sequence[Occurrence]] = {
            obj: trace
            for (tenant, obj), (kind, trace, _) in graph.sequences.items()
            if tenant == scope.tenant_id and kind == object_type and trace
        }
        entities = self._entities(scope)
        for slot, activity in graph.activities.items():
            owner = graph.private.get(slot)
            if slot[0] == scope.tenant_id and owner is not None and owner == scope.user_id:
                objects = {
                    entities[link.entity_id].canonical_id
                    for link in activity.objects
                    if entities[link.entity_id].type == object_type
                }
                for obj in objects:
                    traces[obj] = merge(traces.get(obj, ()), [occurrence_of(activity)])
        aliases = {e.id: e.canonical_id for e in entities.values() if e.canonical_id != e.id}
        return traces, aliases
