"""Zendesk originals: ``tickets/{id}``, ``users/{id}``, ``organizations/{id}``, and a status or
assignee change as its ticket audit (``tickets/{ticket}/audits/{audit}``), the audit found
through the ticket the activity links to."""

from __future__ import annotations

from adapters.connectors.api import ApiResponse, ProviderApi
from adapters.connectors.originals import found, kind_of, no_original
from application.graph.original_ports import RecordReference
from domain.integrations.connection import Connection

RESOURCES = {"ticket": "tickets", "user": "users", "organization": "organizations"}


async def read_one(
    api: ProviderApi, connection: Connection, record: RecordReference
) -> ApiResponse:
    kind, rest = kind_of(record)
    base = await api.base()
    if kind == "event":  # event:<audit id>:<child event id>
        audit = rest.split(":", 1)[0]
        ticket = record.links.get("ticket", "").removeprefix("ticket:")
        if not (audit.isdigit() and ticket.isdigit()):
            raise no_original()
        return found(await api.get(f"{base}/tickets/{ticket}/audits/{audit}.json", expect=(404,)))
    resource = RESOURCES.get(kind)
    if resource is None or not rest.isdigit():
        raise no_original()
    return found(await api.get(f"{base}/{resource}/{rest}.json", expect=(404,)))
