"""Addresses of API actions that answers point to (an error's way forward)."""

from __future__ import annotations

from uuid import UUID


def reconnect_link(connection_id: UUID) -> str:
    """Where a connection's owner starts reconnecting it (``POST``)."""
    return f"/api/v1/connections/{connection_id}/reconnect"
