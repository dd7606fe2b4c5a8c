"""Forget records as if they had never come: a purged source scope, or single records a source
deleted.

Other records stay, minus their links to what goes (an activity that linked a forgotten entity
loses the link, or its actor); clusters that held a forgotten entity are resolved again from
the keys the remaining records hold (they may fall apart if it was their only bridge); the
sequences of every object whose history changed are rebuilt.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence

import msgspec

from application.graph.ports import GraphPurgeUnitOfWork
from application.graph.sequences import occurrence_of
from domain.graph import resolution
from domain.graph.model import Activity, ActivityId, Entity, EntityId, RecordIds, Removal
from domain.graph.sequence import Occurrence, merge


class ForgetSummary(msgspec.Struct, frozen=True, kw_only=True):
    entities: int = 0
    activities: int = 0
    rewritten: int = 0  # remaining activities that lost a link or an actor


async def forget(
    uow: GraphPurgeUnitOfWork,
    entities: list[Entity],
    activities: list[Activity],
    revision: int,
) -> ForgetSummary:
    """Delete ``entities`` and ``activities`` (stored ones) inside the open unit of work."""
    purged = {e.id for e in entities}
    gone = {a.id for a in activities}
    foreign = [a for a in await uow.scoped.activities_touching(purged) if a.id not in gone]
    clusters = {e.canonical_id for e in entities}
    members = [m for c in clusters for m in await uow.entities.members(c)]
    linked = {link.entity_id for a in (*activities, *foreign) for link in a.objects}
    known = await uow.entities.get_many(linked - purged)
    objects = clusters | {e.canonical_id for e in known.values()}
    touched = objects - purged
    stored = await uow.sequences.get_many(objects)
    history = {o.activity_id for trace in stored.values() for o in trace} - gone
    merges = [m for m in await uow.merges.of_entities(purged) if {m.survivor, m.absorbed} & purged]

    await uow.scoped.delete(gone, purged, [m.id for m in merges])
    rewritten = [_without(a, purged) for a in foreign]
    if rewritten:
        await uow.activities.upsert(rewritten)
    remaining = [m for m in members if m.id not in purged]
    touched |= await _resolve_again(uow, remaining)
    await _rebuild(uow, touched, history, revision)
    if purged:
        await uow.versions.invalidate()  # sequences were deleted and clusters may have split
    return ForgetSummary(entities=len(purged), activities=len(gone), rewritten=len(rewritten))


async def forget_removed(
    uow: GraphPurgeUnitOfWork, ids: RecordIds, removals: Sequence[Removal], revision: int
) -> ForgetSummary:
    """Forget the records a source deleted; removals of records never stored are no-ops."""
    entity_ids = {ids.entity(r.ref) for r in removals if r.kind == "entity"}
    wanted = {ids.activity(r.ref) for r in removals if r.kind == "activity"}
    entities = await uow.entities.get_many(entity_ids)
    with_history = [
        e
        for r in removals
        if r.kind == "entity" and r.with_history
        if (e := entities.get(ids.entity(r.ref))) is not None
    ]
    if with_history:
        wanted |= await _histories(uow, with_history)
    activities = await uow.activities.get_many(wanted)
    if not entities and not activities:
        return ForgetSummary()
    return await forget(uow, list(entities.values()), list(activities.values()), revision)


async def _histories(uow: GraphPurgeUnitOfWork, entities: list[Entity]) -> set[ActivityId]:
    """The activities of each entity's own source scope that concern it (its history)."""
    clusters = {e.canonical_id for e in entities}
    stored = await uow.sequences.get_many(clusters)
    candidates = {o.activity_id for trace in stored.values() for o in trace}
    candidates |= set(await uow.activities.private_about(clusters))
    activities = await uow.activities.get_many(candidates)
    found: set[ActivityId] = set()
    for entity in entities:
        for activity in activities.values():
            if activity.ref.scope == entity.ref.scope and any(
                link.entity_id == entity.id for link in activity.objects
            ):
                found.add(activity.id)
    return found


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
