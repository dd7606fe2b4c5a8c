"""The maintained process map equals the batch recomputation, whatever the delivery."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.fakes.clock import FrozenClock
from adapters.fakes.graph import FakeGraphUnitOfWork
from adapters.fakes.graph_sequences import FakeProcessMaps
from adapters.fakes.store import InMemoryStore
from application.graph.ingest import IngestGraph
from application.shared.scope import Scope
from domain.graph.model import GraphBatch
from domain.graph.process_map import MapQuery, Window, reference
from domain.shared.ids import new_tenant_id, new_user_id
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


@settings(max_examples=150, deadline=None)
@given(
    batches=deliveries(),
    window=windows,
    object_type=st.sampled_from(["case", "ticket"]),
    top=st.integers(0, 6),
)
async def test_any_delivery_yields_the_batch_recomputation(
    batches: list[GraphBatch], window: Window, object_type: str, top: int
) -> None:
    store, tenant = InMemoryStore(), new_tenant_id()
    scope = Scope(tenant_id=tenant, user_id=new_user_id())
    clock = FrozenClock(at=T0)
    sut = IngestGraph(uow_for=partial(FakeGraphUnitOfWork, store), clock=clock)
    query = MapQuery(object_type=object_type, window=window, top=top)

    for batch in batches:
        await sut.execute(scope, batch)
    served = await FakeProcessMaps(store).compute(scope, query)

    final = [stored(tenant, r) for r in last_versions(batches)]
    expected = reference(final, object_types(tenant, world_entities()), {}, query)
    assert served == expected
