"""How graph values are stored: packed sequences, and JSON for attributes and links."""

from __future__ import annotations

import functools
import struct
from collections.abc import Iterable, Mapping
from datetime import datetime
from itertools import pairwise
from typing import Any
from uuid import UUID

import msgspec
import numpy as np

from application.graph.ports import PreparedTraces
from domain.graph.model import (
    Activity,
    ActivityId,
    Entity,
    EntityAttribute,
    EntityId,
    ObjectLink,
    SourceRef,
)
from domain.graph.sequence import Occurrence

# One occurrence, little-endian: at (µs), seq, activity id, activity type code, actor id.
ENTRY = struct.Struct("<qq16si16s")
NO_ACTOR = bytes(16)
# The same record as a numpy type (packed, no padding), to pack whole blocks at once.
ENTRY_TYPE = np.dtype(
    [("at", "<i8"), ("seq", "<i8"), ("activity", "V16"), ("code", "<i4"), ("actor", "V16")]
)


class _Link(msgspec.Struct, frozen=True):
    entity_id: UUID
    qualifier: str


class _Attribute(msgspec.Struct, frozen=True):
    name: str
    value: str | int | float | bool | None
    at: datetime | None = None


def load(value: Any, kind: type[Any]) -> Any:
    """A jsonb column: the session's driver connection may already have decoded it."""
    if isinstance(value, str | bytes):
        return msgspec.json.decode(value, type=kind)
    return msgspec.convert(value, kind)


def pack(occurrences: Iterable[Occurrence], code_of: Mapping[str, int]) -> bytes:
    return b"".join(
        ENTRY.pack(
            o.at,
            o.seq,
            o.activity_id.bytes,
            code_of[o.type],
            o.actor_id.bytes if o.actor_id is not None else NO_ACTOR,
        )
        for o in occurrences
    )


def pack_traces(traces: PreparedTraces, code_of: Mapping[str, int]) -> list[bytes]:
    """``pack`` of each trace of a fresh block, its events in ``traces.order``: one array
    for the whole block instead of a record per occurrence."""
    block = traces.block
    entries = np.empty(block.events, dtype=ENTRY_TYPE)
    entries["at"] = traces.micros
    entries["seq"] = np.arange(block.first, block.first + block.events, dtype=np.int64)
    entries["activity"] = np.frombuffer(b"".join(traces.activity_ids), dtype="V16")
    codes = np.array([code_of[name] for name in block.types], dtype=np.int32)
    entries["code"] = codes[np.asarray(block.type_of, dtype=np.intp)]
    # The block's actors, then "no actor" last, where an event without one (index -1) looks.
    actors = b"".join(actor.bytes for actor in traces.actor_ids) + NO_ACTOR
    entries["actor"] = np.frombuffer(actors, dtype="V16")[np.asarray(block.actor_of, np.intp)]
    packed = entries[np.asarray(traces.order, dtype=np.intp)].tobytes()
    size = ENTRY_TYPE.itemsize
    return [packed[start * size : end * size] for start, end in pairwise((0, *block.ends))]


def unpack(blob: bytes, name_of: Mapping[int, str]) -> tuple[Occurrence, ...]:
    return tuple(
        Occurrence(
            activity_id=ActivityId(UUID(bytes=activity)),
            at=at,
            seq=seq,
            type=name_of[code],
            actor_id=EntityId(UUID(bytes=actor)) if actor != NO_ACTOR else None,
        )
        for at, seq, activity, code, actor in ENTRY.iter_unpack(blob)
    )


def json_text(value: Any) -> str:
    return msgspec.json.encode(value).decode()


@functools.lru_cache(maxsize=1 << 16)
def links_json(objects: tuple[ObjectLink, ...]) -> str:
    # Cached: in a bulk import consecutive activities mostly share their objects.
    return json_text([_Link(entity_id=o.entity_id, qualifier=o.qualifier) for o in objects])


def entity_attributes_json(entity: Entity) -> str:
    return json_text([_Attribute(name=a.name, value=a.value, at=a.at) for a in entity.attributes])


def activity_from(row: Any) -> Activity:
    return Activity(
        id=ActivityId(row["activity_id"]),
        ref=SourceRef(provider=row["provider"], scope=row["scope"], source_id=row["source_id"]),
        type=row["type"],
        occurred_at=row["occurred_at"],
        source_seq=row["source_seq"],
        actor_id=EntityId(row["actor_id"]) if row["actor_id"] is not None else None,
        attributes=load(row["attributes"], dict[str, Any]),
        objects=tuple(
            ObjectLink(entity_id=EntityId(link.entity_id), qualifier=link.qualifier)
            for link in load(row["objects"], list[_Link])
        ),
        url=row["url"],
    )


def entity_from(row: Any) -> Entity:
    return Entity(
        id=EntityId(row["entity_id"]),
        ref=SourceRef(provider=row["provider"], scope=row["scope"], source_id=row["source_id"]),
        type=row["type"],
        name=row["name"],
        attributes=tuple(
            EntityAttribute(name=a.name, value=a.value, at=a.at)
            for a in load(row["attributes"], list[_Attribute])
        ),
        url=row["url"],
        canonical_id=EntityId(row["canonical_id"]),
    )
