"""The maintained process map equals the batch recomputation, whatever the delivery, after
every batch delivered. On the fakes here; on PostgreSQL, through the real cached map, in
tests/integration/graph/test_incremental_map_real.py."""

from __future__ import annotations

from functools import partial

from hypothesis import given, settings

from adapters.fakes.graph import FakeGraphUnitOfWork
from adapters.fakes.graph_sequences import FakeProcessMaps
from adapters.fakes.store import InMemoryStore
from application.shared.scope import Scope
from domain.graph.model import GraphBatch
from domain.graph.process_map import MapQuery, Window
from domain.shared.ids import new_tenant_id, new_user_id
from tests.factories.incremental_map import CASES, served_step_by_step


# Each example checks the map after every batch (about three on average), so fewer examples
# than the single final check needed keep the run about as long.
@settings(max_examples=60, deadline=None)
@given(**CASES)
async def test_any_delivery_yields_the_batch_recomputation(
    batches: list[GraphBatch], window: Window, object_type: str, top: int
) -> None:
    store = InMemoryStore()
    scope = Scope(tenant_id=new_tenant_id(), user_id=new_user_id())
    query = MapQuery(object_type=object_type, window=window, top=top)

    pairs = await served_step_by_step(
        partial(FakeGraphUnitOfWork, store), FakeProcessMaps(store), scope, batches, query
    )

    for served, expected in pairs:
        assert served == expected
