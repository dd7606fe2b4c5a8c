"""Graph ingest and process maps behave alike on the fakes and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.graph.errors import EntityTypeChanged, UnknownEntity
from domain.graph.model import GraphBatch, Link
from domain.graph.process_map import MapQuery, Window, reference
from tests.factories.graph import (
    T0,
    create_activity,
    create_entity,
    deliveries,
    last_versions,
    object_types,
    ref,
    stored,
    world_entities,
)
from tests.factories.graph_harness import Graph


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches=deliveries(), minutes=st.none() | st.integers(0, 40))
async def test_the_served_map_equals_the_batch_recomputation_after_every_batch(
    graph: Graph, batches: list[GraphBatch], minutes: int | None
) -> None:
    scope = await graph.tenant()
    assert scope.tenant_id is not None
    window = Window() if minutes is None else Window(start=T0 + timedelta(minutes=minutes))
    query = MapQuery(object_type="case", window=window, top=5)
    types = object_types(scope.tenant_id, world_entities())
    ingest = graph.ingest()

    for n, batch in enumerate(batches):
        await ingest.execute(scope, batch)
        served = await graph.maps.compute(scope, query)  # read after every batch: deltas

        final = [stored(scope.tenant_id, r) for r in last_versions(batches[: n + 1])]
        assert served == reference(final, types, {}, query)


async def test_delivering_twice_or_in_another_order_yields_the_same_graph(graph: Graph) -> None:
    first, second = await graph.tenant(), await graph.tenant()
    ticket = create_entity()
    opened = create_activity(links=(Link(object=ticket.ref),))
    closed = create_activity(
        type="Closed", occurred_at=T0 - timedelta(hours=1), links=(Link(object=ticket.ref),)
    )
    one = GraphBatch(entities=(ticket,), activities=(opened,))
    two = GraphBatch(entities=(ticket,), activities=(closed, opened))
    ingest = graph.ingest()

    await ingest.execute(first, one)
    await ingest.execute(first, two)
    again = await ingest.execute(first, two)
    await ingest.execute(second, two)
    await ingest.execute(second, one)

    assert (again.inserted, again.replaced) == (0, 0)
    mine, theirs = await graph.state(first), await graph.state(second)
    assert len(mine[1]) == 2
    assert _without_ids(mine) == _without_ids(theirs)


def _without_ids(state: tuple[Any, ...]) -> Any:
    # Ids derive from the tenant; compare what the records say.
    entities, activities, _, sequences = state
    return (
        sorted((e.ref, e.type, e.name) for e in entities),
        sorted((a.ref, a.type, a.occurred_at) for a in activities),
        sorted([o.type for o in trace] for trace in sequences.values()),
    )


async def test_an_unknown_entity_refuses_the_batch_and_writes_nothing(graph: Graph) -> None:
    scope = await graph.tenant()
    ticket = create_entity()
    stray = create_activity(links=(Link(object=ref("nowhere")),))
    fine = create_activity(links=(Link(object=ticket.ref),))

    with pytest.raises(UnknownEntity):
        await graph.ingest().execute(
            scope, GraphBatch(entities=(ticket,), activities=(fine, stray))
        )

    entities, activities, _, _ = await graph.state(scope)
    assert (entities, activities) == ([], [])


async def test_an_entity_keeps_its_type(graph: Graph) -> None:
    scope = await graph.tenant()
    ticket = create_entity(type="ticket")
    await graph.ingest().execute(scope, GraphBatch(entities=(ticket,)))

    with pytest.raises(EntityTypeChanged):
        await graph.ingest().execute(
            scope, GraphBatch(entities=(create_entity(ref=ticket.ref, type="deal"),))
        )


async def test_content_attributes_are_never_stored(graph: Graph) -> None:
    scope = await graph.tenant()
    ticket = create_entity()
    mail = create_activity(
        links=(Link(object=ticket.ref),),
        attributes={"email:subject": "CANARY-subject", "body": "CANARY-body", "labels": "inbox"},
    )

    summary = await graph.ingest().execute(
        scope, GraphBatch(entities=(ticket,), activities=(mail,))
    )

    _, (activity,), _, _ = await graph.state(scope)
    assert activity.attributes == {"labels": "inbox"}
    assert summary.dropped_attributes == 2


async def test_a_tenant_sees_only_its_own_process_map(graph: Graph) -> None:
    mine, theirs = await graph.tenant(), await graph.tenant()
    ticket = create_entity()
    batch = GraphBatch(
        entities=(ticket,), activities=(create_activity(links=(Link(object=ticket.ref),)),)
    )
    await graph.ingest().execute(mine, batch)

    other = await graph.maps.compute(theirs, MapQuery(object_type="ticket"))
    own = await graph.maps.compute(mine, MapQuery(object_type="ticket"))

    assert (other.objects, other.activities, other.nodes) == (0, 0, ())
    assert (own.objects, own.activities) == (1, 1)
