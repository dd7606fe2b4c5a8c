"""Process maps over HTTP: the map, its variants and handoffs, the object types it can be drawn
for, and the cases behind a node or an edge.

Every map read takes the window (``from``, ``to``) and any number (at most 20) of ``variant``
parameters, each a JSON array of activity names: the map then covers only the objects whose
in-window activity sequence is exactly one of them. A malformed one is a 422
``graph.invalid_variant``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter

from application.graph.map_cases import CasesView, ExploreProcessMap, ObjectTypesView
from application.graph.process_map import GetProcessMap, ProcessMapView
from application.shared.actor import Actor
from domain.graph.errors import InvalidVariant
from domain.graph.map_cases import MAX_CASES, CaseSelector
from domain.graph.process_map import MAX_VARIANTS, MapQuery, Window
from entrypoints.http.auth import requires_actor
from entrypoints.http.controllers.graph_schemas import HandoffsView, VariantsView
from entrypoints.http.problems import BEARER_REQUIRED, problems

Start = Annotated[datetime | None, QueryParameter(name="from", required=False)]
End = Annotated[datetime | None, QueryParameter(name="to", required=False)]
Top = Annotated[int, QueryParameter(ge=0, le=1000)]
VariantParam = Annotated[
    list[str] | None,
    QueryParameter(
        name="variant", required=False,
        description='Repeatable; each a JSON array of activity names, e.g. ["A","B","C"]: the '
        "map covers only objects whose in-window sequence is exactly one of them (at most 20; "
        "each 1 to 500 names of at most 200 characters).",
    ),
]  # fmt: skip
CaseLimit = Annotated[int, QueryParameter(ge=1, le=MAX_CASES)]
Name = Annotated[str | None, QueryParameter(required=False)]

_ACTIVITIES = msgspec.json.Decoder(list[str])


def variants_of(values: list[str] | None) -> tuple[tuple[str, ...], ...]:
    """The ``variant`` parameters decoded, deduplicated and sorted (one cache key per set)."""
    if not values:
        return ()
    if len(values) > MAX_VARIANTS:
        raise InvalidVariant()
    try:
        decoded = {tuple(_ACTIVITIES.decode(v)) for v in values}
    except msgspec.DecodeError:  # not JSON, or not an array of strings
        raise InvalidVariant() from None
    return tuple(sorted(decoded))


def _query(
    object_type: str, start: datetime | None, end: datetime | None, top: int,
    variant: list[str] | None,
) -> MapQuery:  # fmt: skip
    window = Window(start=start, end=end)
    return MapQuery(object_type=object_type, window=window, top=top, variants=variants_of(variant))


class ProcessMapController(Controller):
    path = "/"
    tags = ["Graph"]
    guards = [requires_actor]
    security = BEARER_REQUIRED

    @get("/process-map", summary="Process map of an object type over [from, to)",
         responses=problems(401, 422))  # fmt: skip
    async def process_map(
        self, *, actor: NamedDependency[Actor], get_process_map: NamedDependency[GetProcessMap],
        object_type: FromQuery[str], start: Start = None, end: End = None, top: Top = 10,
        variant: VariantParam = None,
    ) -> ProcessMapView:  # fmt: skip
        return await get_process_map.execute(actor, _query(object_type, start, end, top, variant))

    @get("/variants", summary="The most frequent activity sequences per object",
         responses=problems(401, 422))  # fmt: skip
    async def variants(
        self, *, actor: NamedDependency[Actor], get_process_map: NamedDependency[GetProcessMap],
        object_type: FromQuery[str], start: Start = None, end: End = None, top: Top = 10,
        variant: VariantParam = None,
    ) -> VariantsView:  # fmt: skip
        query = _query(object_type, start, end, top, variant)
        found = (await get_process_map.execute(actor, query)).map
        return VariantsView(object_type=object_type, objects=found.objects,
                            variant_count=found.variant_count, variants=found.variants)  # fmt: skip

    @get("/handoffs", summary="Who hands work to whom, with the median delay",
         responses=problems(401, 422))  # fmt: skip
    async def handoffs(
        self, *, actor: NamedDependency[Actor], get_process_map: NamedDependency[GetProcessMap],
        object_type: FromQuery[str], start: Start = None, end: End = None, top: Top = 10,
        variant: VariantParam = None,
    ) -> HandoffsView:  # fmt: skip
        query = _query(object_type, start, end, top, variant)
        view = await get_process_map.execute(actor, query)
        return HandoffsView(object_type=object_type, handoffs=view.map.handoffs, actors=view.actors)

    @get("/process-map/object-types", summary="Object types with activities, most objects first",
         responses=problems(401))  # fmt: skip
    async def object_types(
        self, *, actor: NamedDependency[Actor],
        explore_process_map: NamedDependency[ExploreProcessMap],
    ) -> ObjectTypesView:  # fmt: skip
        return await explore_process_map.object_types(actor)

    @get("/process-map/cases", summary="The cases behind a node (activity) or an edge (source, "
         "target) of the map, slowest (edge) or latest (node) first",
         responses=problems(401, 422))  # fmt: skip
    async def cases(
        self, *, actor: NamedDependency[Actor],
        explore_process_map: NamedDependency[ExploreProcessMap],
        object_type: FromQuery[str], activity: Name = None, source: Name = None,
        target: Name = None, start: Start = None, end: End = None,
        variant: VariantParam = None, limit: CaseLimit = 50,
    ) -> CasesView:  # fmt: skip
        selector = CaseSelector(activity=activity, source=source, target=target)
        query = _query(object_type, start, end, 0, variant)
        return await explore_process_map.cases(actor, query, selector, limit)
