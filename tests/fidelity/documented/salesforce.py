"""Salesforce REST API (v62.0) answers as documented: no machine-readable spec is published.

Sources (developer.salesforce.com, REST API Developer Guide, "api_rest"; and the Object
Reference, "object_reference"), and providers.md 2.1:
- resources by version: atlas.en-us.api_rest.meta/api_rest/resources_discoveryresource.htm
- query / query more: .../api_rest/resources_query.htm, .../api_rest/dome_query.htm
  (``totalSize``, ``done``, ``records``; ``nextRecordsUrl`` only while ``done`` is false)
- sObject rows: .../api_rest/resources_sobject_retrieve.htm
- getDeleted (``deletedRecords[] {id, deletedDate}``, ``earliestDateAvailable``,
  ``latestDateCovered``): .../api_rest/resources_getdeleted.htm; queryAll (the query shape):
  .../api_rest/resources_queryall.htm
- record ``attributes`` {type, url}: .../api_rest/dome_query.htm (every example record)
- errors: .../api_rest/errorcodes.htm (a list of ``{message, errorCode, fields?}``);
  the daily cap: 403 ``REQUEST_LIMIT_EXCEEDED`` (providers.md 2.1, "Rate limits")
- field types: object_reference.meta/object_reference/field_types.htm (id, dateTime as
  ``yyyy-MM-ddTHH:mm:ss.SSS+0000``, date, currency/double/percent, boolean, picklist)
"""

from __future__ import annotations

from tests.fidelity.documented.shapes import (
    BOOLEAN,
    INTEGER,
    NUMBER,
    STRING,
    Schema,
    array,
    closed,
    nullable,
    open_bag,
)

ID: Schema = {"type": "string", "pattern": "^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$"}
DATETIME: Schema = {
    "type": "string",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(\+|-)\d{4}$",
}
DATE: Schema = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
TEXT = nullable(STRING)

# The standard fields the connector selects, with their Object Reference types. Id and the
# audit fields are never null; the rest may be.
FIELDS: dict[str, Schema] = {
    "Id": ID,
    "SystemModstamp": DATETIME,
    "CreatedDate": DATETIME,
    "LastModifiedDate": DATETIME,
    "IsDeleted": BOOLEAN,
    "Name": TEXT,
    "Email": TEXT,
    "Website": TEXT,
    "IsActive": nullable(BOOLEAN),
    "OwnerId": nullable(ID),
    "AccountId": nullable(ID),
    "OpportunityId": ID,
    "CreatedById": nullable(ID),
    "WhoId": nullable(ID),
    "WhatId": nullable(ID),
    "StageName": TEXT,
    "Amount": nullable(NUMBER),
    "Probability": nullable(NUMBER),
    "CloseDate": nullable(DATE),
    "ActivityDate": nullable(DATE),
    "IsClosed": nullable(BOOLEAN),
    "IsWon": nullable(BOOLEAN),
    "Status": TEXT,
    "Type": TEXT,
    "TaskSubtype": TEXT,
    "StartDateTime": nullable(DATETIME),
    "EndDateTime": nullable(DATETIME),
}
ATTRIBUTES = closed({"type": STRING, "url": STRING})

# A record carries the fields asked for (a query's SELECT list, or all of a retrieve's):
# an open bag by design; the ones named above have their documented types.
RECORD = open_bag({"attributes": ATTRIBUTES}, FIELDS)

QUERY = closed(
    {"totalSize": INTEGER, "done": BOOLEAN, "records": array(RECORD)},
    {"nextRecordsUrl": {"type": "string", "pattern": "^/services/data/v[0-9.]+/query/"}},
)
# ``nextRecordsUrl`` is there exactly while ``done`` is false.
QUERY_PAGE: Schema = {
    **QUERY,
    "if": {"properties": {"done": {"const": False}}},
    "then": {"required": ["nextRecordsUrl"]},
    "else": {"not": {"required": ["nextRecordsUrl"]}},
}

# The version's resource directory: resource name -> its relative URL (the set grows with
# every release, so the object is open; each value is a URL).
RESOURCES = open_bag(
    {"query": STRING, "sobjects": STRING},
    values={"type": "string", "pattern": "^/services/data/"},
)

SCHEMAS: dict[tuple[str, str, str], Schema] = {
    ("salesforce", "GET", "/services/data/{}"): RESOURCES,
    ("salesforce", "GET", "/services/data/{}/query"): QUERY_PAGE,
    ("salesforce", "GET", "/services/data/{}/query/{}"): QUERY_PAGE,
    ("salesforce", "GET", "/services/data/{}/sobjects/{}/{}"): RECORD,
    ("salesforce", "GET", "/services/data/{}/queryAll"): QUERY_PAGE,
}


def _code(code: str) -> Schema:
    return {"required": ["errorCode"], "properties": {"errorCode": {"const": code}}}


DELETED = closed(
    {
        "deletedRecords": array(closed({"id": ID, "deletedDate": DATETIME})),
        "earliestDateAvailable": DATETIME,
        "latestDateCovered": DATETIME,
    }
)
# getDeleted (deletions.py): the ids deleted in a span.
SCHEMAS[("salesforce", "GET", "/services/data/{}/sobjects/{}/deleted/")] = DELETED
UNREGISTERED: dict[tuple[str, str, str], Schema] = {}  # every endpoint called is registered

# Headers the documentation names and the connector reads: every REST answer reports the
# org's allowance in ``Sforce-Limit-Info: api-usage=n/max`` (providers.md 2.1).
HEADERS: dict[tuple[str, str, str] | int, tuple[str, ...]] = {
    ("salesforce", "GET", "/services/data/{}"): ("sforce-limit-info",),
}

ERROR = array(
    closed({"message": STRING, "errorCode": STRING}, {"fields": array(STRING)}), minItems=1
)
# By status: the expired session, a record that is not there, the daily allowance spent.
ERRORS: dict[int, Schema] = {
    401: {**ERROR, "contains": _code("INVALID_SESSION_ID")},
    404: {**ERROR, "contains": _code("NOT_FOUND")},
    403: {**ERROR, "contains": _code("REQUEST_LIMIT_EXCEEDED")},
}
