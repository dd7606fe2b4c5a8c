"""Ports the graph use cases need; adapters implement them (PostgreSQL, and in-memory fakes)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

import msgspec

from application.shared.ports import UnitOfWork
from domain.graph.catalog import TypeDeclaration
from domain.graph.content import AttributeValue
from domain.graph.model import Activity, ActivityId, Entity, EntityId, Identity, Relationship
from domain.graph.sequence import Occurrence
from domain.graph.traces import TraceBlock
from domain.shared.ids import UserId


class MergeRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A recorded union of two clusters; ``members`` are the records that moved."""

    id: UUID
    survivor: EntityId
    absorbed: EntityId
    members: tuple[EntityId, ...]
    key: Identity
    merged_at: datetime
    undone_at: datetime | None = None


class UpsertOutcome(msgspec.Struct, frozen=True, kw_only=True):
    inserted: frozenset[ActivityId]
    replaced: tuple[Activity, ...]  # the previous version of each activity that changed


class EntityPage(msgspec.Struct, frozen=True, kw_only=True):
    entities: tuple[Entity, ...]
    next_cursor: str | None


class ActivityFilter(msgspec.Struct, frozen=True, kw_only=True):
    types: tuple[str, ...] = ()
    actors: tuple[EntityId, ...] = ()  # any of these records did it
    object_id: EntityId | None = None
    start: datetime | None = None
    end: datetime | None = None


class ActivityPage(msgspec.Struct, frozen=True, kw_only=True):
    activities: tuple[Activity, ...]
    next_cursor: str | None


class EntityRepository(Protocol):
    async def get_many(self, ids: Collection[EntityId]) -> dict[EntityId, Entity]: ...

    async def upsert(self, entities: Sequence[Entity]) -> None:
        """Insert new records; update name, attributes, url and canonical id of stored ones."""
        ...

    async def owners(self, keys: Collection[Identity]) -> dict[Identity, set[EntityId]]: ...

    async def add_keys(self, keys: Collection[tuple[Identity, EntityId]]) -> None: ...

    async def repoint(self, absorbed: EntityId, survivor: EntityId) -> list[EntityId]:
        """Every record whose canonical id is ``absorbed`` now resolves to ``survivor``."""
        ...

    async def set_canonical(self, members: Collection[EntityId], canonical: EntityId) -> None: ...

    async def aliases(self) -> dict[EntityId, EntityId]:
        """Every record that resolves to another entity, with that entity's id."""
        ...

    async def members(self, canonical: EntityId) -> list[Entity]: ...

    async def members_of(self, canonicals: Collection[EntityId]) -> dict[EntityId, list[Entity]]:
        """``members`` of several clusters at once (the visible records, in id order)."""
        ...

    async def representatives(self, canonicals: Collection[EntityId]) -> dict[EntityId, Entity]:
        """For each cluster the reader may see any record of, that record as the cluster
        (``as_cluster``): its canonical one when visible, else its first visible one."""
        ...

    async def page(
        self, *, type: str | None, search: str | None, after: EntityId | None, limit: int
    ) -> list[Entity]:
        """Canonical entities in id order after ``after``; search matches name or email."""
        ...

    async def all(self) -> list[Entity]: ...


class RelationshipRepository(Protocol):
    async def add(self, relationships: Collection[Relationship]) -> None:
        """Add the relationships not stored yet; stored ones are left as they are."""
        ...

    async def touching(self, ids: Collection[EntityId]) -> list[Relationship]: ...

    async def all(self) -> list[Relationship]: ...


class ActivityRepository(Protocol):
    async def upsert(self, activities: Sequence[Activity]) -> UpsertOutcome:
        """Insert new activities, replace changed ones, leave identical ones untouched."""
        ...

    async def get_many(self, ids: Collection[ActivityId]) -> dict[ActivityId, Activity]: ...

    async def page(
        self, selection: ActivityFilter, *, after: tuple[datetime, ActivityId] | None, limit: int
    ) -> list[Activity]:
        """Activities in (time, id) order after the ``after`` position."""
        ...

    async def private_about(self, objects: Collection[EntityId]) -> list[ActivityId]:
        """The scope's own private activities about these objects (canonical ids): the
        maintained sequences hold shared activities only."""
        ...

    async def window(self, start: datetime | None, end: datetime | None) -> list[Activity]: ...


class SequenceChange(msgspec.Struct, frozen=True, kw_only=True):
    """What one ingest does to one object's sequence."""

    arrivals: tuple[Occurrence, ...] = ()  # inserted, or replacing the same activity's
    removed: frozenset[ActivityId] = frozenset()  # activities that left the object


class SequenceRepository(Protocol):
    """Each canonical object's occurrences in total order: the maintained process log."""

    async def apply(
        self,
        object_type: Mapping[EntityId, str],
        changes: Mapping[EntityId, SequenceChange],
        revision: int,
    ) -> int:
        """Merge each change into its object's stored sequence (``domain.graph.sequence.
        merge``) and store the sequences that changed; how many did. Objects with a long
        history (a person in every email) make this the hot path of incremental ingest."""
        ...

    async def get_many(
        self, objects: Collection[EntityId]
    ) -> dict[EntityId, tuple[Occurrence, ...]]: ...

    async def join(
        self, survivor: EntityId, absorbed: EntityId, object_type: str, revision: int
    ) -> None:
        """Two clusters became one: the survivor's sequence holds both histories, the absorbed
        one's is emptied. Nothing happens when the absorbed cluster has no history."""
        ...

    async def save(
        self,
        object_type: Mapping[EntityId, str],
        sequences: Mapping[EntityId, Sequence[Occurrence]],
        revision: int,
    ) -> None:
        """Store these sequences (an empty one removes the object from every map)."""
        ...


class TypeCatalog(Protocol):
    async def declare(self, declarations: Collection[TypeDeclaration]) -> None: ...

    async def all(self) -> list[TypeDeclaration]: ...


class MergeRepository(Protocol):
    async def add(self, merge: MergeRecord) -> None: ...

    async def get(self, merge_id: UUID) -> MergeRecord | None: ...

    async def mark_undone(self, merge_id: UUID, at: datetime) -> None: ...

    async def separated(self) -> list[tuple[EntityId, EntityId]]:
        """(survivor, absorbed) of every undone merge: resolution keeps them apart."""
        ...

    async def of_entities(self, ids: Collection[EntityId]) -> list[MergeRecord]: ...


class PreparedTraces(msgspec.Struct, frozen=True, kw_only=True):
    """A trace block ready to be written, or compared, as a whole: ids and times computed
    once, everything else by reference to the block's columns."""

    block: TraceBlock
    entities: tuple[Entity, ...]  # the block's cases, and the resources no earlier block wrote
    case_ids: tuple[EntityId, ...]  # per trace
    actor_ids: tuple[EntityId, ...]  # per resource of the block
    activity_ids: list[bytes]  # per event: the 16 bytes of its record id
    source_ids: list[str]  # per event
    micros: list[int]  # per event: its time in microseconds since the epoch
    attribute_sets: tuple[dict[str, AttributeValue], ...]  # the block's, metadata only
    order: list[int]  # event indexes: each trace's events in sequence order, trace by trace
    dropped_attributes: int = 0  # of ``entities``: their names denote content


class BulkRecords(Protocol):
    """The bulk path of an import: blocks of traces, written or compared whole."""

    async def insert(self, traces: PreparedTraces, revision: int) -> bool:
        """Insert the block's entities, activities and sequences with plain inserts. If any
        of them is stored already, change nothing and return False."""
        ...

    async def stored(self, traces: PreparedTraces) -> bool:
        """Whether every activity of the block is stored exactly as it would be written."""
        ...


class GraphVersions(Protocol):
    async def begin_ingest(self) -> int:
        """Serialise this tenant's writers and return the revision this transaction writes."""
        ...

    async def invalidate(self) -> None:
        """Maintained read models must rebuild, not patch (entity resolution changed)."""
        ...


class GraphUnitOfWork(UnitOfWork, Protocol):
    entities: EntityRepository
    relationships: RelationshipRepository
    activities: ActivityRepository
    sequences: SequenceRepository
    types: TypeCatalog
    merges: MergeRepository
    versions: GraphVersions
    bulk: BulkRecords

    def write_private(self, owner: UserId | None) -> None:
        """Records written from now on are private to ``owner``, the scope's own user (their
        unshared personal connection's); None, the default: the tenant's shared records."""
        ...


# --- purging one source scope (a disconnected connection's records) ---------------------------


class ScopedRecords(Protocol):
    """The records one source scope brought (for synced data, the connection id), and the
    deletion of single records a source no longer has."""

    async def entities_of(self, scope: str) -> list[Entity]: ...

    async def activities_of(self, scope: str) -> list[Activity]: ...

    async def source_ids(self, scope: str, *, entity_type: str) -> set[str]:
        """The source ids of the scope's entities of one type."""
        ...

    async def activity_source_ids(self, scope: str, *, prefix: str) -> set[str]:
        """The source ids of the scope's activities that start with ``prefix``."""
        ...

    async def activities_touching(self, ids: Collection[EntityId]) -> list[Activity]:
        """Activities that link to, or were done by, any of ``ids``."""
        ...

    async def keys_of(self, ids: Collection[EntityId]) -> dict[EntityId, frozenset[Identity]]: ...

    async def set_private(self, scope: str, owner: UserId | None) -> None:
        """Make every record the scope brought (its entities, their keys, relationships and
        merges, its activities) private to ``owner``, or the tenant's with None."""
        ...

    async def delete(
        self,
        activities: Collection[ActivityId],
        entities: Collection[EntityId],
        merges: Collection[UUID],
    ) -> None:
        """Delete these activities, these entities (their keys, relationships and sequences
        with them) and these merges, and drop these entities from the members of the merges
        that remain; records left pointing at a deleted entity as their canonical one become
        their own canonical entity for now."""
        ...


class GraphPurgeUnitOfWork(GraphUnitOfWork, Protocol):
    scoped: ScopedRecords
