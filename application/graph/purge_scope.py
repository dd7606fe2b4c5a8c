"""Purge one source scope: every entity and activity it brought, as if it had never come.

Used when a connection is disconnected with ``purge``. Other scopes' records stay, minus their
links to what goes; clusters that held a purged record are resolved again from the keys the
remaining records hold (they may fall apart if the purged record was their only bridge); the
sequences of every object whose history changed are rebuilt; maintained maps rebuild in full.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from typing import final

import msgspec

from application.graph.ports import GraphPurgeUnitOfWork
from application.graph.sequences import occurrence_of
from application.shared.scope import Scope
from domain.graph import resolution
from domain.graph.model import Activity, ActivityId, Entity, EntityId
from domain.graph.sequence import Occurrence, merge
from domain.shared.errors import ScopeViolation


class PurgeSummary(msgspec.Struct, frozen=True, kw_only=True):
    entities: int = 0
    activities: int = 0
    rewritten: int = 0  # other scopes' activities that lost a link or an actor


@final
class PurgeSourceScope:
    def __init__(self, uow_for: Callable[[Scope], GraphPurgeUnitOfWork]) -> None:
        self._uow_for = uow_for

    async def execute(self, scope: Scope, source_scope: str) -> PurgeSummary:
        if scope.tenant_id is None:
            raise ScopeViolation()
        async with self._uow_for(scope) as uow:
            revision = await uow.versions.begin_ingest()  # one writer per tenant
            entities = await uow.scoped.entities_of(source_scope)
            activities = await uow.scoped.activities_of(source_scope)
            if not entities and not activities:
                return PurgeSummary()
            summary = await _purge(uow, source_scope, entities, activities, revision)
            await uow.versions.invalidate()
            await uow.commit()
        return summary


async def _purge(
    uow: GraphPurgeUnitOfWork,
    source_scope: str,
    entities: list[Entity],
    activities: list[Activity],
    revision: int,
) -> PurgeSummary:
    purged = {e.id for e in entities}
    foreign = await uow.scoped.activities_touching(purged, outside=source_scope)
    clusters = {e.canonical_id for e in entities}
    members = [m for c in clusters for m in await uow.entities.members(c)]
    linked = {link.entity_id for a in (*activities, *foreign) for link in a.objects}
    known = await uow.entities.get_many(linked - purged)
    touched = (clusters | {e.canonical_id for e in known.values()}) - purged
    stored = await uow.sequences.get_many(clusters | {e.canonical_id for e in known.values()})
    history = {o.activity_id for trace in stored.values() for o in trace}
    history -= {a.id for a in activities}
    merges = [m for m in await uow.merges.of_entities(purged) if {m.survivor, m.absorbed} & purged]

    await uow.scoped.delete(source_scope, purged, [m.id for m in merges])
    rewritten = [_without(a, purged) for a in foreign]
    if rewritten:
        await uow.activities.upsert(rewritten)
    remaining = [m for m in members if m.id not in purged]
    touched |= await _resolve_again(uow, remaining)
    await _rebuild(uow, touched, history, revision)
    return PurgeSummary(entities=len(purged), activities=len(activities), rewritten=len(rewritten))


def _without(activity: Activity, purged: Collection[EntityId]) -> Activity:
    return msgspec.structs.replace(
        activity,
        objects=tuple(link for link in activity.objects if link.entity_id not in purged),
        actor_id=None if activity.actor_id in purged else activity.actor_id,
    )


async def _resolve_again(uow: GraphPurgeUnitOfWork, remaining: list[Entity]) -> set[EntityId]:
    """The clusters' remaining records, joined again only by keys they still hold."""
    if not remaining:
        return set()
    keys = await uow.scoped.keys_of([m.id for m in remaining])
    separated = await uow.merges.separated()
    plan = resolution.plan(
        [(m.id, keys.get(m.id, frozenset())) for m in remaining], {}, {}, separated
    )
    groups: dict[EntityId, list[EntityId]] = defaultdict(list)
    for member, canonical in plan.canonical.items():
        groups[canonical].append(member)
    for canonical, group in groups.items():
        await uow.entities.set_canonical(group, canonical)
    return {m.id for m in remaining}


async def _rebuild(
    uow: GraphPurgeUnitOfWork,
    objects: set[EntityId],
    history: set[ActivityId],
    revision: int,
) -> None:
    """Recompute the sequences of ``objects`` from the activities they held before."""
    if not objects:
        return
    activities = await uow.activities.get_many(history)
    linked = {link.entity_id for a in activities.values() for link in a.objects}
    known = await uow.entities.get_many(linked | objects)
    traces: dict[EntityId, list[Occurrence]] = {o: [] for o in objects if o in known}
    for activity in activities.values():
        canonicals = {
            known[link.entity_id].canonical_id
            for link in activity.objects
            if link.entity_id in known
        }
        for obj in canonicals & traces.keys():
            traces[obj].append(occurrence_of(activity))
    types = {obj: known[obj].type for obj in traces}
    await uow.sequences.save(types, {o: merge((), t) for o, t in traces.items()}, revision)
