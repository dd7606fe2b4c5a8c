"""Google Calendar originals: ``events.get`` on the primary calendar the connector reads.

A meeting and both of its activities (scheduled, held) are one event; people and companies
known by an address only have no record in Calendar.
"""

from __future__ import annotations

from urllib.parse import quote

from adapters.connectors.api import ApiResponse, ProviderApi
from adapters.connectors.originals import found, kind_of, no_original
from application.graph.original_ports import RecordReference
from domain.integrations.connection import Connection


async def read_one(
    api: ProviderApi, connection: Connection, record: RecordReference
) -> ApiResponse:
    kind, rest = kind_of(record)  # event:<id>, event:<id>:scheduled, event:<id>:held
    event_id = rest.split(":", 1)[0]
    if kind != "event" or not event_id:
        raise no_original()
    url = f"{await api.base()}/calendars/primary/events/{quote(event_id, safe='')}"
    return found(await api.get(url, expect=(404, 410)))
