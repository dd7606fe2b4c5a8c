"""Serve a process map: the maintained sequences, with the actors' names attached."""

from __future__ import annotations

from collections.abc import Callable
from typing import final

import msgspec

from application.graph.maps_port import ProcessMaps
from application.graph.ports import GraphUnitOfWork
from application.shared.actor import Actor
from application.shared.scope import Scope
from domain.graph.model import EntityId
from domain.graph.process_map import MapQuery, ProcessMap


class ActorName(msgspec.Struct, frozen=True, kw_only=True):
    id: EntityId
    name: str | None
    type: str


class ProcessMapView(msgspec.Struct, frozen=True, kw_only=True):
    map: ProcessMap
    actors: tuple[ActorName, ...]


@final
class GetProcessMap:
    def __init__(self, maps: ProcessMaps, uow_for: Callable[[Scope], GraphUnitOfWork]) -> None:
        self._maps, self._uow_for = maps, uow_for

    async def execute(self, actor: Actor, query: MapQuery) -> ProcessMapView:
        process_map = await self._maps.compute(actor.scope, query)
        ids = {i for h in process_map.handoffs for i in (h.source, h.target)}
        names: tuple[ActorName, ...] = ()
        if ids:
            async with self._uow_for(actor.scope) as uow:
                found = await uow.entities.representatives(ids)
            names = tuple(
                ActorName(id=e.id, name=e.name or e.ref.source_id, type=e.type)
                for e in sorted(found.values(), key=lambda e: e.id)
            )
        return ProcessMapView(map=process_map, actors=names)
