"""OCEL 2.0 elements as typed records, turned into graph batches in a writable order.

Types come first, then objects, then the relationships between objects (an object may name
another defined later), then events: events met before the objects are held back until the
objects are in, because an event may only link objects that exist. What is held back is
bounded (``MAX_HELD_*``): a file that puts more before its objects is refused, not buffered.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec

from domain.graph.catalog import AttributeDeclaration, TypeDeclaration
from domain.graph.model import (
    ActivityRecord,
    EntityAttribute,
    EntityRecord,
    GraphBatch,
    Link,
    RelationshipRecord,
    SourceRef,
)
from domain.graph.times import within_range

PROVIDER = "ocel"
# What may wait in memory for the end of the objects section: events that come before it, and
# the relationships between objects, by count and by the JSON text they were read from.
MAX_HELD_EVENTS = 100_000
MAX_HELD_RELATIONSHIPS = 500_000
MAX_HELD_TEXT = 64 << 20  # characters
SECTIONS = frozenset({"objectTypes", "eventTypes", "objects", "events"})
Scalar = str | int | float | bool | None
# A type's name, as the graph's catalog holds it (1 to 200 characters).
TypeName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class _Relationship(msgspec.Struct, frozen=True, forbid_unknown_fields=False):
    objectId: str  # noqa: N815 - OCEL's own field names
    qualifier: str = ""


class _TypeAttribute(msgspec.Struct, frozen=True):
    name: str
    type: str


class _Type(msgspec.Struct, frozen=True):
    name: TypeName
    attributes: list[_TypeAttribute] = msgspec.field(default_factory=list)


class _ObjectAttribute(msgspec.Struct, frozen=True):
    name: str
    time: datetime
    value: Scalar


class _Object(msgspec.Struct, frozen=True):
    id: str
    type: TypeName
    attributes: list[_ObjectAttribute] = msgspec.field(default_factory=list)
    relationships: list[_Relationship] = msgspec.field(default_factory=list)


class _EventAttribute(msgspec.Struct, frozen=True):
    name: str
    value: Scalar


class _Event(msgspec.Struct, frozen=True):
    id: str
    type: TypeName
    time: datetime
    attributes: list[_EventAttribute] = msgspec.field(default_factory=list)
    relationships: list[_Relationship] = msgspec.field(default_factory=list)


class HeldTooMuch(Exception):
    """More waits for the objects section than ``MAX_HELD_*`` allow."""

    def __init__(self, message: str, limit: int) -> None:
        super().__init__(message)
        self.limit = limit


def _aware(moment: datetime, path: str) -> datetime:
    aware = moment if moment.utcoffset() is not None else moment.replace(tzinfo=UTC)
    if not within_range(aware):
        # Raised as msgspec reports a wrong type, so the reader names the element alike.
        raise msgspec.ValidationError(f"The time is out of range - at `$.{path}`")
    return aware


class OcelBatcher:
    def __init__(self, scope: str, *, batch_size: int) -> None:
        self._scope, self._batch_size = scope, batch_size
        self._types: list[TypeDeclaration] = []
        self._entities: list[EntityRecord] = []
        self._relationships: list[RelationshipRecord] = []
        self._activities: list[ActivityRecord] = []
        self._held: list[ActivityRecord] = []
        self._held_relationships = self._held_text = 0
        self._objects_done = False
        self._ready: list[GraphBatch] = []
        self.events = 0

    def _ref(self, source_id: str) -> SourceRef:
        return SourceRef(provider=PROVIDER, scope=self._scope, source_id=source_id)

    def add(self, section: str, element: Any, size: int = 0) -> None:
        """Adds an element of ``size`` characters. Raises ``msgspec.ValidationError`` with the
        path inside the element at fault, ``HeldTooMuch`` past a limit of what may wait."""
        if section in ("objectTypes", "eventTypes"):
            kind = msgspec.convert(element, _Type)
            self._types.append(
                TypeDeclaration(
                    kind="object" if section == "objectTypes" else "activity",
                    name=kind.name,
                    attributes=tuple(
                        AttributeDeclaration(name=a.name, type=a.type) for a in kind.attributes
                    ),
                )
            )
            if len(self._types) >= self._batch_size:  # declarations need not wait for anything
                self._flush()
        elif section == "objects":
            self._object(msgspec.convert(element, _Object))
        else:
            self._event(msgspec.convert(element, _Event), size)

    def _object(self, obj: _Object) -> None:
        ref = self._ref(obj.id)
        self._entities.append(
            EntityRecord(
                ref=ref,
                type=obj.type,
                attributes=tuple(
                    EntityAttribute(
                        name=a.name, value=a.value, at=_aware(a.time, f"attributes[{i}].time")
                    )
                    for i, a in enumerate(obj.attributes)
                ),
            )
        )
        if obj.relationships:
            self._hold_relationships(obj.relationships)
        self._relationships += [
            RelationshipRecord(source=ref, target=self._ref(r.objectId), qualifier=r.qualifier)
            for r in obj.relationships
        ]
        if len(self._entities) >= self._batch_size:
            self._flush()

    def _hold_relationships(self, relationships: list[_Relationship]) -> None:
        self._held_relationships += len(relationships)
        if self._held_relationships > MAX_HELD_RELATIONSHIPS:
            raise HeldTooMuch("Too many relationships between objects.", MAX_HELD_RELATIONSHIPS)
        self._hold_text(sum(len(r.objectId) + len(r.qualifier) for r in relationships))

    def _hold_text(self, size: int) -> None:
        self._held_text += size
        if self._held_text > MAX_HELD_TEXT:
            raise HeldTooMuch("Too much waits for the objects section.", MAX_HELD_TEXT)

    def _event(self, event: _Event, size: int) -> None:
        record = ActivityRecord(
            ref=self._ref(event.id),
            type=event.type,
            occurred_at=_aware(event.time, "time"),
            source_seq=self.events,
            attributes={a.name: a.value for a in event.attributes},
            links=tuple(
                Link(object=self._ref(r.objectId), qualifier=r.qualifier)
                for r in event.relationships
            ),
        )
        self.events += 1
        if not self._objects_done:
            if len(self._held) >= MAX_HELD_EVENTS:
                raise HeldTooMuch("Too many events before the objects section.", MAX_HELD_EVENTS)
            self._hold_text(size)
            self._held.append(record)
            return
        self._activities.append(record)
        if len(self._activities) >= self._batch_size:
            self._flush()

    def section_done(self, section: str) -> None:
        if section == "objects":
            self._objects_done = True
            self._flush()
            self._ready.append(GraphBatch(relationships=tuple(self._relationships)))
            self._relationships = []
            self._activities, self._held = self._held + self._activities, []
            self._flush()

    def _flush(self) -> None:
        if self._types or self._entities or self._activities:
            self._ready.append(
                GraphBatch(
                    types=tuple(self._types),
                    entities=tuple(self._entities),
                    activities=tuple(self._activities),
                )
            )
        self._types, self._entities, self._activities = [], [], []

    def ready(self) -> list[GraphBatch]:
        ready, self._ready = self._ready, []
        return ready

    def finish(self) -> list[GraphBatch]:
        if not self._objects_done:  # a log with events and no objects section
            self.section_done("objects")
        self._flush()
        return self.ready()
