"""Keep each object's sequence current as activities arrive, change, or entities merge."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from application.graph.ports import GraphUnitOfWork, SequenceChange
from domain.graph.model import Activity, ActivityId, Entity, EntityId, to_micros
from domain.graph.sequence import Occurrence, merge


def occurrence_of(activity: Activity) -> Occurrence:
    return Occurrence(
        activity_id=activity.id,
        at=to_micros(activity.occurred_at),
        seq=activity.source_seq,
        type=activity.type,
        actor_id=activity.actor_id,
    )


def _objects(activity: Activity, known: Mapping[EntityId, Entity]) -> Iterable[EntityId]:
    links = activity.objects
    if len(links) == 1:  # the usual case
        return (known[links[0].entity_id].canonical_id,)
    return {known[link.entity_id].canonical_id for link in links}


async def maintain(
    uow: GraphUnitOfWork,
    arrived: Iterable[Activity],
    replaced: Iterable[Activity],
    known: Mapping[EntityId, Entity],
    revision: int,
) -> int:
    """Insert arrived activities into their objects' sequences and move replaced ones out of
    the sequences they left. ``known`` holds every entity involved. Returns objects changed."""
    arrived, replaced = list(arrived), list(replaced)
    arrivals: dict[EntityId, list[Occurrence]] = defaultdict(list)
    removals: dict[EntityId, set[ActivityId]] = defaultdict(set)
    for activity in arrived:
        occurrence = occurrence_of(activity)
        for obj in _objects(activity, known):
            arrivals[obj].append(occurrence)
    for previous in replaced:
        for obj in _objects(previous, known):
            removals[obj].add(previous.id)
    touched = arrivals.keys() | removals.keys()
    if not touched:
        return 0
    changes = {
        obj: SequenceChange(
            arrivals=tuple(arrivals.get(obj, ())), removed=frozenset(removals.get(obj, ()))
        )
        for obj in touched
    }
    # A link's cluster may be led by an entity of another source, absent from ``known``:
    # its type is its members' (only entities of one type merge).
    kinds = {entity.canonical_id: entity.type for entity in known.values()}
    return await uow.sequences.apply({obj: kinds[obj] for obj in touched}, changes, revision)


async def absorb(
    uow: GraphUnitOfWork, survivor: EntityId, absorbed: EntityId, object_type: str, revision: int
) -> None:
    """Two clusters became one entity: one sequence now holds both histories."""
    await uow.sequences.join(survivor, absorbed, object_type, revision)


async def rebuild(
    uow: GraphUnitOfWork, canonicals: Iterable[EntityId], object_type: str, revision: int
) -> None:
    """Recompute the sequences of these canonical objects from their activities (after an
    undone merge split one history in two)."""
    targets = set(canonicals)
    stored = await uow.sequences.get_many(targets)
    activity_ids = {o.activity_id for trace in stored.values() for o in trace}
    activities = await uow.activities.get_many(activity_ids)
    linked = {link.entity_id for a in activities.values() for link in a.objects}
    known = await uow.entities.get_many(linked)
    traces: dict[EntityId, list[Occurrence]] = {obj: [] for obj in targets}
    for activity in activities.values():
        for obj in set(_objects(activity, known)) & targets:
            traces[obj].append(occurrence_of(activity))
    rebuilt = {obj: merge((), trace) for obj, trace in traces.items()}
    await uow.sequences.save(dict.fromkeys(targets, object_type), rebuilt, revision)
