"""HubSpot CRM API answers as documented. HubSpot's OpenAPI files are proprietary and not
licensed for external use (reference/specs/README.md), so the shapes are written from its
reference pages (developers.hubspot.com/docs), and providers.md 2.2:
- objects v3 (list, read, batch read; ``properties``, ``propertiesWithHistory``,
  ``createdAt``, ``updatedAt``, ``archived``; list paging ``paging.next.after``):
  /docs/api/crm/deals, /docs/api/crm/companies, /docs/api/crm/contacts
  ("SimplePublicObject", "CollectionResponse…ForwardPaging", "BatchResponseSimplePublicObject")
- search (``total``, ``results``, ``paging.next.after``, 200 a page, 10,000 at most):
  /docs/guides/api/crm/search
- associations v4 batch read (``from.id``, ``to[].toObjectId``, ``associationTypes``):
  /docs/guides/api/crm/associations/associations-v4
- pipelines (``results[].stages[]`` with ``metadata``): /docs/guides/api/crm/pipelines
- errors (``status: "error"``, ``message``, ``correlationId``, ``category``):
  /docs/guides/apps/api-usage/error-handling; 429 (``errorType: RATE_LIMIT``,
  ``policyName``, ``groupName``): /docs/guides/apps/api-usage/usage-details
Property values are text or null: HubSpot renders every property as a string.
"""

from __future__ import annotations

from tests.fidelity.documented.shapes import (
    BOOLEAN,
    INTEGER,
    STRING,
    Schema,
    array,
    closed,
    nullable,
    open_bag,
)

TIMESTAMP: Schema = {
    "type": "string",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$",
}
OBJECT_ID: Schema = {"type": "string", "pattern": "^[0-9]+$"}
VALUE = nullable(STRING)
PAGING = closed(
    {},
    {
        "next": closed({"after": STRING}, {"link": STRING}),
        "prev": closed({"before": STRING}, {"link": STRING}),
    },
)
VERSION = closed(
    {"value": VALUE, "timestamp": TIMESTAMP, "sourceType": STRING},
    {"sourceId": STRING, "sourceLabel": STRING, "updatedByUserId": INTEGER},
)
# ``properties`` is the record's property bag (any property asked for): open, each a string
# or null; ``propertiesWithHistory`` maps a property to its past values.
RECORD = closed(
    {
        "id": OBJECT_ID,
        "properties": open_bag({}, values=VALUE),
        "createdAt": TIMESTAMP,
        "updatedAt": TIMESTAMP,
        "archived": BOOLEAN,
    },
    {
        "propertiesWithHistory": open_bag({}, values=array(VERSION)),
        "archivedAt": TIMESTAMP,
        "associations": open_bag({}),
    },
)
LIST = closed({"results": array(RECORD)}, {"paging": PAGING})
SEARCH = closed({"total": INTEGER, "results": array(RECORD)}, {"paging": PAGING})
BATCH_STATUS: Schema = {"enum": ["PENDING", "PROCESSING", "CANCELED", "COMPLETE"]}
BATCH_EXTRAS: dict[str, Schema] = {
    "requestedAt": TIMESTAMP,
    "links": open_bag({}, values=STRING),
    "numErrors": INTEGER,
    "errors": array(open_bag({"status": STRING, "category": STRING, "message": STRING})),
}


def batch(result: Schema) -> Schema:
    """A batch answer: 200 when all went well, 207 with ``numErrors`` and ``errors``."""
    required = {
        "status": BATCH_STATUS,
        "results": array(result),
        "startedAt": TIMESTAMP,
        "completedAt": TIMESTAMP,
    }
    return closed(required, BATCH_EXTRAS)


ASSOCIATION_TYPE = closed(
    {
        "category": {"enum": ["HUBSPOT_DEFINED", "USER_DEFINED", "INTEGRATOR_DEFINED"]},
        "typeId": INTEGER,
        "label": VALUE,
    }
)
ASSOCIATED = closed(
    {
        "from": closed({"id": OBJECT_ID}),
        "to": array(closed({"toObjectId": INTEGER, "associationTypes": array(ASSOCIATION_TYPE)})),
    },
    {"paging": PAGING},
)
STAGE = closed(
    {
        "id": STRING,
        "label": STRING,
        "displayOrder": INTEGER,
        "metadata": open_bag({}, values=STRING),  # isClosed, probability: per pipeline type
        "createdAt": TIMESTAMP,
        "updatedAt": TIMESTAMP,
        "archived": BOOLEAN,
    },
    {"archivedAt": TIMESTAMP, "writePermissions": STRING},
)
PIPELINE = closed(
    {
        "id": STRING,
        "label": STRING,
        "displayOrder": INTEGER,
        "stages": array(STAGE),
        "createdAt": TIMESTAMP,
        "updatedAt": TIMESTAMP,
        "archived": BOOLEAN,
    },
    {"archivedAt": TIMESTAMP},
)


def _objects(kind: str) -> dict[tuple[str, str, str], Schema]:
    base = f"/crm/v3/objects/{kind}"
    return {
        ("hubspot", "GET", base): LIST,
        ("hubspot", "GET", base + "/{}"): RECORD,
        ("hubspot", "POST", base + "/search"): SEARCH,
        ("hubspot", "POST", base + "/batch/read"): batch(RECORD),
    }


# One record's associations, v4 (associations-v4 guide): the rest of a row past 500 links.
LINKED = closed(
    {
        "results": array(
            closed({"toObjectId": INTEGER, "associationTypes": array(ASSOCIATION_TYPE)})
        )
    },
    {"paging": PAGING},
)
LINKS = (("deals", "companies"), ("deals", "contacts"), ("contacts", "companies"))

SCHEMAS: dict[tuple[str, str, str], Schema] = {
    **_objects("deals"),
    **_objects("companies"),
    **_objects("contacts"),
    **{
        ("hubspot", "POST", f"/crm/v4/associations/{source}/{target}/batch/read"): batch(ASSOCIATED)
        for source, target in LINKS
    },
    **{
        ("hubspot", "GET", f"/crm/v4/objects/{source}/{{}}/associations/{target}"): LINKED
        for source, target in LINKS
    },
    ("hubspot", "GET", "/crm/v3/pipelines/deals"): closed({"results": array(PIPELINE)}),
}
UNREGISTERED: dict[tuple[str, str, str], Schema] = {}  # every endpoint called is registered

# Headers of a 429 (usage-details page; providers.md 2.2).
HEADERS: dict[tuple[str, str, str] | int, tuple[str, ...]] = {
    429: (
        "x-hubspot-ratelimit-max",
        "x-hubspot-ratelimit-remaining",
        "x-hubspot-ratelimit-interval-milliseconds",
    ),
}

ERROR = closed(
    {"status": {"const": "error"}, "message": STRING, "correlationId": STRING, "category": STRING},
    {
        "subCategory": STRING,
        "context": open_bag({}),
        "links": open_bag({}, values=STRING),
        "errors": array(open_bag({"message": STRING})),
    },
)
RATE_LIMIT = closed(
    {
        "status": {"const": "error"},
        "message": STRING,
        "errorType": {"const": "RATE_LIMIT"},
        "correlationId": STRING,
        "policyName": STRING,
    },
    {"groupName": STRING},
)
ERRORS: dict[int, Schema] = {
    401: {
        **ERROR,
        "properties": {**ERROR["properties"], "category": {"const": "INVALID_AUTHENTICATION"}},
    },
    404: {
        **ERROR,
        "properties": {**ERROR["properties"], "category": {"const": "OBJECT_NOT_FOUND"}},
    },
    429: RATE_LIMIT,
}
