"""Write graph batches into an open unit of work: idempotent upserts keyed by source.

Used by ``IngestGraph`` (one batch, one transaction) and by ``ImportLog`` (many batches, one
transaction, so an import is all or nothing). Records are keyed by ``(tenant, provider,
scope, source id)`` through their derived ids; within a batch the last delivery of a record
wins, and delivering the same records again changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC

import msgspec

from application.graph import sequences
from application.graph.ports import GraphUnitOfWork, MergeRecord
from application.graph.records import check_ref, check_type, stored_entity
from application.shared.ports import Clock
from domain.feed.events import FeedEvent
from domain.graph import resolution
from domain.graph.catalog import observed_types
from domain.graph.content import metadata_only
from domain.graph.errors import EntityTypeChanged, InvalidRecord, UnknownEntity
from domain.graph.model import (
    Activity,
    ActivityId,
    ActivityRecord,
    Entity,
    EntityId,
    EntityRecord,
    GraphBatch,
    Identity,
    ObjectLink,
    RecordIds,
    Relationship,
    SourceRef,
)
from domain.graph.times import within_range
from domain.shared.ids import TenantId, UserId, new_id


class IngestSummary(msgspec.Struct, frozen=True, kw_only=True):
    entities: int = 0
    relationships: int = 0
    activities: int = 0
    inserted: int = 0  # activities
    replaced: int = 0  # activities
    merges: int = 0
    dropped_attributes: int = 0
    entities_new: int = 0
    entities_changed: int = 0

    def __add__(self, other: IngestSummary) -> IngestSummary:
        fields = self.__struct_fields__
        return IngestSummary(**{f: getattr(self, f) + getattr(other, f) for f in fields})


class GraphWriter:
    """``private_to``: the member whose private records these are (their unshared personal
    connection's). Private activities stay out of the maintained sequences, which serve every
    member's maps; the owner's maps add them when read."""

    def __init__(
        self,
        uow: GraphUnitOfWork,
        tenant_id: TenantId,
        clock: Clock,
        *,
        private_to: UserId | None = None,
    ) -> None:
        self._uow, self._clock = uow, clock
        self._ids = RecordIds(tenant_id)
        self._revision: int | None = None
        self._private_to = private_to
        self._private = private_to is not None
        uow.write_private(private_to)

    async def write(self, batch: GraphBatch) -> IngestSummary:
        revision = await self.begin()
        declared = observed_types(batch)
        if declared:
            await self._uow.types.declare(declared)
        known, merges, counts = await self._entities(batch.entities, revision)
        relationships = await self._relationships(batch, known)
        self.touch({record.type for record in batch.entities})
        return await self._activities(batch.activities, known, revision) + IngestSummary(
            entities=len(batch.entities),
            relationships=relationships,
            merges=merges,
            dropped_attributes=counts.dropped_attributes,
            entities_new=counts.entities_new,
            entities_changed=counts.entities_changed,
        )

    async def begin(self) -> int:
        """The revision this transaction writes (taken once: it serialises the tenant's writers)."""
        if self._revision is None:
            self._revision = await self._uow.versions.begin_ingest()
        return self._revision

    def touch(self, object_types: Collection[str]) -> None:
        """Tell the feed these object types changed (one ``graph.changed`` per transaction:
        the outbox folds repeats); the writer's own writes call it."""
        if self._revision is not None and object_types:
            event = FeedEvent.graph_changed(self._revision, set(object_types), self._private_to)
            self._uow.events.announce(event)

    def _id(self, ref: SourceRef) -> EntityId:
        return self._ids.entity(ref)

    async def _entities(
        self, records: Sequence[EntityRecord], revision: int
    ) -> tuple[dict[EntityId, Entity], int, IngestSummary]:
        """The entities as stored, the merges their keys caused, what changed and what was
        dropped."""
        latest: dict[EntityId, EntityRecord] = {}
        for record in records:
            check_ref(record.ref)
            check_type(record.type)
            entity_id = self._id(record.ref)
            prior = latest.get(entity_id)
            if record.reference and prior is not None and not prior.reference:
                continue  # a mention never replaces the record itself
            latest[entity_id] = record
        stored = await self._uow.entities.get_many(latest.keys())
        rows, kept, dropped, new, changed = [], [], 0, 0, 0
        for entity_id, record in latest.items():
            before = stored.get(entity_id)
            if before is not None and before.type != record.type:
                raise EntityTypeChanged(source_id=record.ref.source_id, type=before.type)
            if record.reference and before is not None:
                kept.append(before)
                continue
            row, lost = stored_entity(entity_id, record, before)
            rows.append(row)
            dropped += lost
            new += before is None
            changed += before is not None and row != before
        counts = IngestSummary(
            dropped_attributes=dropped, entities_new=new, entities_changed=changed
        )
        if rows:
            await self._uow.entities.upsert(rows)
        keyed = [(i, k) for i, r in latest.items() if (k := resolution.keys_of(r))]
        merges = await self._resolve(keyed, revision) if keyed else 0
        if merges:
            return await self._uow.entities.get_many(latest.keys()), merges, counts
        return {row.id: row for row in (*rows, *kept)}, 0, counts

    async def _resolve(
        self,
        keyed: list[tuple[EntityId, frozenset[Identity]]],
        revision: int,
    ) -> int:
        keys = set().union(*(k for _, k in keyed))
        owners = await self._uow.entities.owners(keys)
        separated = await self._uow.merges.separated()
        involved = {i for ids in owners.values() for i in ids} | {i for i, _ in keyed}
        involved |= {i for pair in separated for i in pair}
        stored = await self._uow.entities.get_many(involved)
        canonical_of = {i: e.canonical_id for i, e in stored.items()}
        plan = resolution.plan(keyed, owners, canonical_of, separated)
        for merge in plan.merges:
            members = await self._uow.entities.repoint(merge.absorbed, merge.survivor)
            await self._uow.merges.add(
                MergeRecord(
                    id=new_id(),
                    survivor=merge.survivor,
                    absorbed=merge.absorbed,
                    members=tuple(sorted(members)),
                    key=merge.key,
                    merged_at=self._clock.now(),
                )
            )
            kind = resolution.type_of(merge.key)
            await sequences.absorb(self._uow, merge.survivor, merge.absorbed, kind, revision)
        await self._uow.entities.add_keys([(k, i) for i, ks in keyed for k in ks])
        if plan.merges:
            await self._uow.versions.invalidate()
        return len(plan.merges)

    async def _known(
        self,
        known: dict[EntityId, Entity],
        needed: Collection[EntityId],
        refs: dict[EntityId, SourceRef],
    ) -> dict[EntityId, Entity]:
        missing = [i for i in needed if i not in known]
        if missing:
            known = known | await self._uow.entities.get_many(missing)
            for entity_id in missing:
                if entity_id not in known:
                    ref = refs[entity_id]
                    raise UnknownEntity(provider=ref.provider, source_id=ref.source_id)
        return known

    async def _relationships(self, batch: GraphBatch, known: dict[EntityId, Entity]) -> int:
        if not batch.relationships:
            return 0
        refs = {self._id(r): r for rel in batch.relationships for r in (rel.source, rel.target)}
        await self._known(known, refs.keys(), refs)
        rows = {
            Relationship(
                source_id=self._id(rel.source),
                target_id=self._id(rel.target),
                qualifier=rel.qualifier,
            )
            for rel in batch.relationships
        }
        await self._uow.relationships.add(rows)
        return len(rows)

    async def _activities(
        self, records: Sequence[ActivityRecord], known: dict[EntityId, Entity], revision: int
    ) -> IngestSummary:
        if not records:
            return IngestSummary()
        latest: dict[ActivityId, Activity] = {}
        needed: dict[EntityId, SourceRef] = {}
        dropped = 0
        for record in records:  # the hot loop of a bulk import: keep it flat
            activity, lost = self._activity(record, known, needed)
            latest[activity.id] = activity
            dropped += lost
        known = await self._known(known, needed.keys(), needed)
        activities = list(latest.values())
        self.touch({known[o.entity_id].type for a in activities for o in a.objects})
        outcome = await self._uow.activities.upsert(activities)
        arrived = activities
        if len(outcome.inserted) != len(activities):  # some were stored already
            changed = {a.id for a in outcome.replaced} | outcome.inserted
            arrived = [a for a in activities if a.id in changed]
        if not self._private:  # a scope is all private or all shared: so were the replaced
            left = {link.entity_id for a in outcome.replaced for link in a.objects}
            known = await self._known(known, left, {})
            await sequences.maintain(self._uow, arrived, outcome.replaced, known, revision)
        return IngestSummary(
            activities=len(records),
            inserted=len(outcome.inserted),
            replaced=len(outcome.replaced),
            dropped_attributes=dropped,
        )

    def _activity(
        self,
        record: ActivityRecord,
        known: dict[EntityId, Entity],
        needed: dict[EntityId, SourceRef],
    ) -> tuple[Activity, int]:
        check_ref(record.ref)
        check_type(record.type)
        if not within_range(record.occurred_at):
            raise InvalidRecord(
                "An activity time has no time zone or is out of range.",
                source_id=record.ref.source_id,
            )
        ids = self._ids
        actor_id = None
        if record.actor is not None:
            actor_id = ids.entity(record.actor)
            if actor_id not in known:
                needed[actor_id] = record.actor
        objects = []
        for link in record.links:
            entity_id = ids.entity(link.object)
            if entity_id not in known:
                needed[entity_id] = link.object
            objects.append(ObjectLink(entity_id=entity_id, qualifier=link.qualifier))
        attributes, dropped = metadata_only(record.attributes) if record.attributes else ({}, 0)
        activity = Activity(
            id=ids.activity(record.ref),
            ref=record.ref,
            type=record.type,
            occurred_at=record.occurred_at.astimezone(UTC),
            source_seq=record.source_seq,
            actor_id=actor_id,
            attributes=attributes,
            objects=tuple(sorted(set(objects))) if len(objects) > 1 else tuple(objects),
            url=record.url,
        )
        return activity, dropped
