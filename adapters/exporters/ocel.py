"""OCEL 2.0 JSON, written as a stream of bytes from the export's parts.

Ids are the source ids; where the exported records come from more than one source (provider
and scope), ids are qualified as ``provider:scope:source id`` so they stay unique. An
activity's actor is exported as a link to the actor's object with the qualifier ``actor``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from datetime import datetime

import msgspec

from application.graph.export import ExportHead, ExportPart
from domain.graph.model import EPOCH, Activity, Entity, EntityId, SourceRef

ACTOR_QUALIFIER = "actor"
_encode = msgspec.json.Encoder().encode


def _time(moment: datetime) -> str:
    return moment.isoformat()


class _Ids:
    def __init__(self, *, qualify: bool) -> None:
        self._qualify = qualify

    def __call__(self, ref: SourceRef) -> str:
        return f"{ref.provider}:{ref.scope}:{ref.source_id}" if self._qualify else ref.source_id


def _object(entity: Entity, name: _Ids, targets: list[tuple[str, str]]) -> dict[str, object]:
    return {
        "id": name(entity.ref),
        "type": entity.type,
        "attributes": [
            {"name": a.name, "time": _time(a.at or EPOCH), "value": a.value}
            for a in entity.attributes
        ],
        "relationships": [{"objectId": t, "qualifier": q} for t, q in targets],
    }


def _event(activity: Activity, name: _Ids, objects: dict[EntityId, str]) -> dict[str, object]:
    links = [{"objectId": objects[o.entity_id], "qualifier": o.qualifier} for o in activity.objects]
    if activity.actor_id is not None and activity.actor_id in objects:
        links.append({"objectId": objects[activity.actor_id], "qualifier": ACTOR_QUALIFIER})
    return {
        "id": name(activity.ref),
        "type": activity.type,
        "time": _time(activity.occurred_at),
        "attributes": [{"name": k, "value": v} for k, v in activity.attributes.items()],
        "relationships": links,
    }


def _types(head: ExportHead, kind: str) -> list[dict[str, object]]:
    present = {e.type for e in head.entities} if kind == "object" else set()
    declared = {d.name: d for d in head.types if d.kind == kind}
    names = sorted(set(declared) | present)
    return [
        {
            "name": n,
            "attributes": [
                {"name": a.name, "type": a.type}
                for a in (declared[n].attributes if n in declared else ())
            ],
        }
        for n in names
    ]


async def ocel_json(parts: AsyncIterator[ExportPart]) -> AsyncIterator[bytes]:
    head = await anext(parts)
    assert isinstance(head, ExportHead)  # noqa: S101 - the export always starts with its head
    object_name = _Ids(qualify=_mixed(e.ref for e in head.entities))
    objects = {e.id: object_name(e.ref) for e in head.entities}
    targets: dict[EntityId, list[tuple[str, str]]] = defaultdict(list)
    for r in head.relationships:
        targets[r.source_id].append((objects[r.target_id], r.qualifier))
    yield b'{"objectTypes":' + _encode(_types(head, "object"))
    yield b',"eventTypes":' + _encode(_types(head, "activity")) + b',"objects":['
    for n, entity in enumerate(head.entities):
        yield (b"," if n else b"") + _encode(_object(entity, object_name, targets[entity.id]))
    yield b'],"events":['
    event_name = _Ids(qualify=head.qualify_events)
    first = True
    async for page in parts:
        assert not isinstance(page, ExportHead)  # noqa: S101
        chunk = b",".join(_encode(_event(a, event_name, objects)) for a in page)
        yield (b"" if first else b",") + chunk
        first = False
    yield b"]}"


def _mixed(refs: Iterable[SourceRef]) -> bool:
    return len({(r.provider, r.scope) for r in refs}) > 1
