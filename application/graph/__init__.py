"""Use cases of the context graph: ingest, process maps, queries, import and export."""
