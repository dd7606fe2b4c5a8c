"""Provider connections: the catalog, OAuth values, connection lifecycle, retry policy."""
