"""Explore a process map: the object types it can be drawn for, and the cases behind a node or
an edge, each named and with the records it came from (for deep links and originals)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import final

import msgspec

from application.graph.maps_port import ProcessMaps
from application.graph.ports import GraphUnitOfWork
from application.shared.actor import Actor
from application.shared.scope import Scope
from domain.graph.durations import MICROS
from domain.graph.map_cases import CaseHit, CaseSelector, ObjectTypeCount
from domain.graph.model import Entity, EntityId, from_micros
from domain.graph.process_map import MapQuery


class CaseRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A record of the case: ``GET entities/{id}/original`` fetches it live."""

    id: EntityId
    provider: str
    source_id: str
    url: str | None


class CaseView(msgspec.Struct, frozen=True, kw_only=True):
    id: EntityId
    name: str | None
    type: str
    url: str | None  # the case's deep link into its provider
    records: tuple[CaseRecord, ...]  # the records that resolve to it, as the reader sees them
    occurrences: int  # of the node or the edge in its trace
    duration: float | None  # an edge's longest single delay in this case, in seconds
    first_at: datetime  # its in-window trace's first and last activity
    last_at: datetime


class CasesView(msgspec.Struct, frozen=True, kw_only=True):
    object_type: str
    total: int
    cases: tuple[CaseView, ...]


class ObjectTypesView(msgspec.Struct, frozen=True, kw_only=True):
    object_types: tuple[ObjectTypeCount, ...]


@final
class ExploreProcessMap:
    def __init__(self, maps: ProcessMaps, uow_for: Callable[[Scope], GraphUnitOfWork]) -> None:
        self._maps, self._uow_for = maps, uow_for

    async def object_types(self, actor: Actor) -> ObjectTypesView:
        return ObjectTypesView(object_types=tuple(await self._maps.object_types(actor.scope)))

    async def cases(
        self, actor: Actor, query: MapQuery, selector: CaseSelector, limit: int
    ) -> CasesView:
        page = await self._maps.cases(actor.scope, query, selector, limit)
        ids = [hit.id for hit in page.hits]
        leaders: dict[EntityId, Entity] = {}
        members: dict[EntityId, list[Entity]] = {}
        if ids:  # names and records of this page only
            async with self._uow_for(actor.scope) as uow:
                leaders = await uow.entities.representatives(ids)
                members = await uow.entities.members_of(ids)
        return CasesView(
            object_type=query.object_type,
            total=page.total,
            cases=tuple(
                _view(hit, query.object_type, leaders.get(hit.id), members.get(hit.id, []))
                for hit in page.hits
            ),
        )


def _view(hit: CaseHit, object_type: str, leader: Entity | None, members: list[Entity]) -> CaseView:
    return CaseView(
        id=hit.id,
        name=(leader.name or leader.ref.source_id) if leader else None,
        type=leader.type if leader else object_type,
        url=leader.url if leader else None,
        records=tuple(
            CaseRecord(id=m.id, provider=m.ref.provider, source_id=m.ref.source_id, url=m.url)
            for m in members
        ),
        occurrences=hit.occurrences,
        duration=hit.longest / MICROS if hit.longest is not None else None,
        first_at=from_micros(hit.first_at),
        last_at=from_micros(hit.last_at),
    )
