"""The HTTP API (Litestar)."""
