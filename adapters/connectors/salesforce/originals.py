"""Salesforce originals: the sObject retrieve of each record (``/sobjects/{type}/{id}``)."""

from __future__ import annotations

from adapters.connectors.api import ApiResponse, ProviderApi
from adapters.connectors.originals import found, kind_of, no_original
from adapters.connectors.salesforce.reader import API_VERSION
from application.graph.original_ports import RecordReference
from domain.integrations.connection import Connection

# Every kind the connector writes is one sObject's row: entities and activities alike.
SOBJECTS = {
    "user": "User",
    "contact": "Contact",
    "account": "Account",
    "opportunity": "Opportunity",
    "history": "OpportunityHistory",
    "task": "Task",
    "event": "Event",
}


async def read_one(
    api: ProviderApi, connection: Connection, record: RecordReference
) -> ApiResponse:
    kind, record_id = kind_of(record)
    sobject = SOBJECTS.get(kind)
    if sobject is None or not record_id.isalnum():
        raise no_original()
    instance = (await api.base()).split("/services/data/")[0].rstrip("/")
    url = f"{instance}/services/data/{API_VERSION}/sobjects/{sobject}/{record_id}"
    return found(await api.get(url, expect=(404,)))
