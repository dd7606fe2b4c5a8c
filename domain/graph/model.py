"""Entities, relationships and activities of the context graph: metadata only, never content.

Nothing here has a field for a body, a subject or message text. Attributes are metadata (a
status, an amount, a lifecycle transition); attributes whose names denote content are dropped
before anything is stored, on entities, activities and declared types alike (``content``).
The original is reached through the source reference: a deep link, or a live fetch that is
never persisted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Literal, NewType
from uuid import UUID

import msgspec

from domain.graph.catalog import TypeDeclaration
from domain.graph.content import AttributeValue
from domain.shared.ids import TenantId

EntityId = NewType("EntityId", UUID)
ActivityId = NewType("ActivityId", UUID)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def to_micros(moment: datetime) -> int:
    """Exact microseconds since the epoch: the unit every duration in a process map uses."""
    return (moment - EPOCH) // _MICROSECOND


def from_micros(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


class SourceRef(msgspec.Struct, frozen=True, kw_only=True, order=True):
    """Where a record comes from: unique within (provider, scope).

    ``scope`` is the connection the id is unique within, or the import that brought it.
    """

    provider: str
    scope: str
    source_id: str

    def key(self) -> str:
        # Length-prefixed, so no choice of separator inside an id can make two refs collide.
        p, c, s = self.provider, self.scope, self.source_id
        return f"{len(p)}:{p}{len(c)}:{c}{len(s)}:{s}"


def record_id(tenant_id: TenantId, kind: Literal["entity", "activity"], ref: SourceRef) -> UUID:
    """The id of a record, derived from its source: delivering it again finds the same row."""
    return _fingerprint(f"{tenant_id}|{kind}|", ref)


def _fingerprint(prefix: str, ref: SourceRef) -> UUID:
    # MD5 as a fingerprint of the source reference, not for security: the id is unique per
    # tenant and only ever compared inside the tenant's own rows.
    digest = hashlib.md5((prefix + ref.key()).encode(), usedforsecurity=False).digest()
    return UUID(int=int.from_bytes(digest, "big"))  # twice as fast as UUID(bytes=...)


class RecordIds:
    """``record_id`` for one tenant, remembering entity ids (a batch names few entities,
    many times each)."""

    def __init__(self, tenant_id: TenantId) -> None:
        self._entity, self._activity = f"{tenant_id}|entity|", f"{tenant_id}|activity|"
        self._known: dict[SourceRef, EntityId] = {}

    def entity(self, ref: SourceRef) -> EntityId:
        found = self._known.get(ref)
        if found is None:
            found = self._known[ref] = EntityId(_fingerprint(self._entity, ref))
        return found

    def activity(self, ref: SourceRef) -> ActivityId:
        return ActivityId(_fingerprint(self._activity, ref))

    def activity_bytes(self, provider: str, scope: str, source_ids: Iterable[str]) -> list[bytes]:
        """``activity(ref).bytes`` of many refs of one (provider, scope), without building a
        ref or a UUID each: the shared start of the key is hashed once and copied."""
        head = f"{self._activity}{len(provider)}:{provider}{len(scope)}:{scope}"
        start = hashlib.md5(head.encode(), usedforsecurity=False)
        digests = []
        for source_id in source_ids:
            fingerprint = start.copy()
            fingerprint.update(f"{len(source_id)}:{source_id}".encode())
            digests.append(fingerprint.digest())
        return digests


class Identity(msgspec.Struct, frozen=True, kw_only=True, order=True):
    """A key that identifies a person or a company across sources (see ``resolution``)."""

    kind: Literal["email", "user", "account", "domain"]
    value: str


class EntityAttribute(msgspec.Struct, frozen=True, kw_only=True):
    """A metadata value of an entity, optionally as of a time (OCEL's attribute changes)."""

    name: str
    value: AttributeValue
    at: datetime | None = None


class EntityRecord(msgspec.Struct, frozen=True, kw_only=True):
    """An entity as a source delivers it.

    A ``reference`` only mentions the entity (a deal's owner, an email's recipient): it is
    created from what the mention says if it is not stored yet, and otherwise leaves the stored
    record as it is, so a mention never wipes a name or attributes the record itself brought.
    Its identities still count for resolution.
    """

    ref: SourceRef
    type: str
    name: str | None = None
    attributes: tuple[EntityAttribute, ...] = ()
    url: str | None = None
    identities: tuple[Identity, ...] = ()
    reference: bool = False


class Entity(msgspec.Struct, frozen=True, kw_only=True):
    """A stored entity record; ``canonical_id`` is the entity it resolves to (itself if none)."""

    id: EntityId
    ref: SourceRef
    type: str
    name: str | None
    attributes: tuple[EntityAttribute, ...]
    # A deep link that opens the record in the provider's own interface.
    url: str | None = msgspec.field(name="source_url")
    canonical_id: EntityId


class RelationshipRecord(msgspec.Struct, frozen=True, kw_only=True):
    source: SourceRef
    target: SourceRef
    qualifier: str = ""


class Relationship(msgspec.Struct, frozen=True, kw_only=True, order=True):
    source_id: EntityId
    target_id: EntityId
    qualifier: str


class Link(msgspec.Struct, frozen=True, kw_only=True):
    """An activity's qualified link to an entity it concerns (OCEL: event-to-object)."""

    object: SourceRef
    qualifier: str = ""


class ActivityRecord(msgspec.Struct, frozen=True, kw_only=True):
    """An activity as a source delivers it."""

    ref: SourceRef
    type: str
    occurred_at: datetime
    source_seq: int = 0
    actor: SourceRef | None = None
    attributes: dict[str, AttributeValue] = msgspec.field(default_factory=dict)
    links: tuple[Link, ...] = ()
    url: str | None = None


class ObjectLink(msgspec.Struct, frozen=True, kw_only=True, order=True):
    entity_id: EntityId
    qualifier: str


class Activity(msgspec.Struct, frozen=True, kw_only=True):
    """A stored activity: its entities are resolved to ids, its attributes are metadata."""

    id: ActivityId
    ref: SourceRef
    type: str
    occurred_at: datetime
    source_seq: int
    actor_id: EntityId | None
    attributes: dict[str, AttributeValue]
    objects: tuple[ObjectLink, ...]
    url: str | None = msgspec.field(name="source_url")  # opens it at the provider


class Removal(msgspec.Struct, frozen=True, kw_only=True):
    """A record the source no longer has: the graph mirrors the source.

    Removing an entity removes it and, with ``with_history``, the activities of the same
    source scope that concern it (a deleted deal takes its stage changes along; a deleted
    person does not take the emails they sent). Other sources' activities only lose their
    link to it. Removing an activity removes that activity.
    """

    ref: SourceRef
    kind: Literal["entity", "activity"]
    with_history: bool = True


class GraphBatch(msgspec.Struct, frozen=True, kw_only=True):
    """What one delivery carries; ingesting it twice, or out of order, yields the same graph."""

    types: tuple[TypeDeclaration, ...] = ()
    entities: tuple[EntityRecord, ...] = ()
    relationships: tuple[RelationshipRecord, ...] = ()
    activities: tuple[ActivityRecord, ...] = ()


def as_cluster(record: Entity) -> Entity:
    """A record standing for its whole cluster: under the cluster's id (the canonical one),
    with what this record says. The canonical record may be a colleague's private one."""
    if record.id == record.canonical_id:
        return record
    return msgspec.structs.replace(record, id=record.canonical_id)
