"""Graph tests run on the fakes and on PostgreSQL alike."""

from tests.factories.graph_harness import MAX_BYTES, Graph, graph

__all__ = ["MAX_BYTES", "Graph", "graph"]
