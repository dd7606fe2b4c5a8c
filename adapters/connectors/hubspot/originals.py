"""HubSpot originals: CRM objects by id (``/crm/v3/objects/{type}/{id}``).

A stage change has no record of its own: it is read as its deal with the stage's history
(``propertiesWithHistory=dealstage``), the nearest record that holds it. Owners and users are
not CRM objects the connection's scopes read: they have no original.
"""

from __future__ import annotations

from adapters.connectors.api import ApiResponse, ProviderApi
from adapters.connectors.originals import found, kind_of, no_original
from application.graph.original_ports import RecordReference
from domain.integrations.connection import Connection

# The properties asked for: a record's own, content included (the member asked to see it).
PROPERTIES = {
    "companies": "name,domain,industry,description,hubspot_owner_id",
    "contacts": "firstname,lastname,email,jobtitle,company,hubspot_owner_id",
    "deals": "dealname,dealstage,amount,closedate,pipeline,description,hubspot_owner_id",
}
OBJECT_TYPES = {"company": "companies", "contact": "contacts", "deal": "deals"}


async def read_one(
    api: ProviderApi, connection: Connection, record: RecordReference
) -> ApiResponse:
    kind, rest = kind_of(record)
    if kind == "dealstage":  # dealstage:<deal id>:<at>:<stage>
        object_type, record_id = "deals", rest.split(":", 1)[0]
    else:
        object_type, record_id = OBJECT_TYPES.get(kind, ""), rest
    if not object_type or not record_id.isdigit():
        raise no_original()
    params = {"properties": PROPERTIES[object_type]}
    if object_type == "deals":
        params["propertiesWithHistory"] = "dealstage"
    url = f"{await api.base()}/crm/v3/objects/{object_type}/{record_id}"
    return found(await api.get(url, params=params, expect=(404,)))
