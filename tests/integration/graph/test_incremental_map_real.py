"""The incremental-map property on PostgreSQL: the real process maps (PostgresProcessMaps, with
its cache), asked after every batch delivered, equal the reference map from scratch.

One maps object serves every example, as one serves the whole app: each example is a new
tenant, and every step's query must see that step's writes, never a map cached before them."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from domain.graph.model import GraphBatch
from domain.graph.process_map import MapQuery, Window
from tests.factories.graph_harness import Graph
from tests.factories.incremental_map import CASES, served_step_by_step

pytestmark = pytest.mark.integration


# Fewer examples than on the fakes: each step is a transaction and a map query on PostgreSQL.
@pytest.mark.parametrize("graph", ["postgres"], indirect=True)
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(**CASES)
async def test_the_cached_map_after_each_delivery_is_the_batch_recomputation(
    graph: Graph, batches: list[GraphBatch], window: Window, object_type: str, top: int
) -> None:
    scope = await graph.tenant()
    query = MapQuery(object_type=object_type, window=window, top=top)

    pairs = await served_step_by_step(graph.uow_for, graph.maps, scope, batches, query)

    for served, expected in pairs:
        assert served == expected
