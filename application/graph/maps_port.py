"""The port serving process maps, and the cases behind them, from the maintained sequences."""

from __future__ import annotations

from typing import Protocol

from application.shared.scope import Scope
from domain.graph.map_cases import CasePage, CaseSelector, ObjectTypeCount
from domain.graph.process_map import MapQuery, ProcessMap


class ProcessMaps(Protocol):
    """Equal to the domain's references: ``process_map.reference`` and ``map_cases.cases``,
    over what the scope may see (the tenant's shared records and the member's own)."""

    async def compute(self, scope: Scope, query: MapQuery) -> ProcessMap: ...

    async def cases(
        self, scope: Scope, query: MapQuery, selector: CaseSelector, limit: int
    ) -> CasePage:
        """The objects behind a node or an edge of ``compute(scope, query)``, ordered by
        ``map_cases.order_key``; ``limit`` of them, and how many there are in all."""
        ...

    async def object_types(self, scope: Scope) -> list[ObjectTypeCount]:
        """Every object type with activities, by objects (most first) then name."""
        ...
