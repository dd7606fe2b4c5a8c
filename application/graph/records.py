"""Rules every stored record passes, whichever path stores it (a sync, an ingest, an import)."""

from __future__ import annotations

from domain.graph.content import named_metadata_only
from domain.graph.errors import InvalidRecord
from domain.graph.model import Entity, EntityId, EntityRecord, SourceRef
from domain.graph.times import within_range

MAX_NAME = 200
MAX_ID = 1000


def check_ref(ref: SourceRef) -> None:
    for part in (ref.provider, ref.scope, ref.source_id):
        if not part or len(part) > MAX_ID:
            raise InvalidRecord("A source reference part is empty or too long.")


def check_type(name: str) -> None:
    if not name or len(name) > MAX_NAME:
        raise InvalidRecord("A type name must have 1 to 200 characters.", type=name[:MAX_NAME])


def stored_entity(
    entity_id: EntityId, record: EntityRecord, before: Entity | None
) -> tuple[Entity, int]:
    """What a delivered entity record becomes (a stored one keeps its canonical id), and how
    many of its attributes were dropped as content: every path that stores an entity comes
    through here, so none can store a subject or a body."""
    for attribute in record.attributes:
        if attribute.at is not None and not within_range(attribute.at):
            raise InvalidRecord(
                "An attribute time has no time zone or is out of range.",
                source_id=record.ref.source_id,
                attribute=attribute.name,
            )
    attributes, dropped = named_metadata_only(record.attributes)
    entity = Entity(
        id=entity_id,
        ref=record.ref,
        type=record.type,
        name=record.name,
        attributes=attributes,
        url=record.url,
        canonical_id=before.canonical_id if before is not None else entity_id,
    )
    return entity, dropped
