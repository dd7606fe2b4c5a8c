"""Gmail originals: ``users.messages.get`` and ``users.threads.get``, both ``format=metadata``.

The connection's ``gmail.metadata`` scope cannot read bodies: the original of a message is
what Gmail hands out under it (headers, the subject among them, labels, the snippet where
Gmail gives one). People and companies known by an address only have no record in Gmail.
"""

from __future__ import annotations

from adapters.connectors.api import ApiResponse, ProviderApi
from adapters.connectors.originals import found, kind_of, no_original
from application.graph.original_ports import RecordReference
from domain.integrations.connection import Connection

RESOURCES = {"message": "messages", "thread": "threads"}


async def read_one(
    api: ProviderApi, connection: Connection, record: RecordReference
) -> ApiResponse:
    kind, record_id = kind_of(record)
    resource = RESOURCES.get(kind)
    if resource is None or not record_id.isalnum():
        raise no_original()
    url = f"{await api.base()}/users/me/{resource}/{record_id}"
    return found(await api.get(url, params={"format": "metadata"}, expect=(404,)))
