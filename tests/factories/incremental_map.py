"""The incremental-map property, for any ProcessMaps: deliver batches one at a time and, after
each, the map served (through whatever cache the adapter keeps) equals the reference map
computed from scratch over what has been delivered so far."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from hypothesis import strategies as st

from adapters.fakes.clock import FrozenClock
from application.graph.ingest import IngestGraph
from application.graph.maps_port import ProcessMaps
from application.graph.ports import GraphUnitOfWork
from application.shared.scope import Scope
from domain.graph.model import GraphBatch
from domain.graph.process_map import MapQuery, Window, reference
from domain.shared.ids import TenantId
from tests.factories.graph import (
    T0,
    deliveries,
    last_versions,
    object_types,
    stored,
    world_entities,
)

windows = st.one_of(
    st.just(Window()),
    st.tuples(st.integers(0, 45), st.integers(1, 20)).map(
        lambda p: Window(
            start=T0 + timedelta(minutes=p[0]), end=T0 + timedelta(minutes=p[0] + p[1])
        )
    ),
    st.integers(0, 45).map(lambda m: Window(start=T0 + timedelta(minutes=m))),
    st.integers(1, 45).map(lambda m: Window(end=T0 + timedelta(minutes=m))),
)

# What a property test draws (``@given(**CASES)``): a delivery, and a map query's parts.
CASES = {
    "batches": deliveries(),
    "window": windows,
    "object_type": st.sampled_from(["case", "ticket"]),
    "top": st.integers(0, 6),
}


async def served_step_by_step(
    uow_for: Callable[[Scope], GraphUnitOfWork],
    maps: ProcessMaps,
    scope: Scope,
    batches: list[GraphBatch],
    query: MapQuery,
) -> list[tuple[object, object]]:
    """After each batch: (the map ``maps`` serves, the reference map from scratch)."""
    tenant = TenantId(scope.tenant_id)  # type: ignore[arg-type]
    ingest = IngestGraph(uow_for=uow_for, clock=FrozenClock(at=T0))
    types = object_types(tenant, world_entities())
    pairs: list[tuple[object, object]] = []
    for step, batch in enumerate(batches, start=1):
        await ingest.execute(scope, batch)
        served = await maps.compute(scope, query)
        delivered = [stored(tenant, r) for r in last_versions(batches[:step])]
        pairs.append((served, reference(delivered, types, {}, query)))
    return pairs
