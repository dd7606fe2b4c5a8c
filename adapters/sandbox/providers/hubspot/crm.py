"""HubSpot CRM reads: v3 objects, search and batch read, v4 associations."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response, Router, get, post
from litestar.params import FromPath

from adapters.sandbox.bearer import authorized
from adapters.sandbox.context import AnyRequest, profile_of, sandbox_of
from adapters.sandbox.providers.hubspot import records, search
from adapters.sandbox.providers.hubspot.profile import correlation
from adapters.sandbox.reply import ProviderError, Reply

READ_SCOPES = {
    "contacts": ("crm.objects.contacts.read",),
    "companies": ("crm.objects.companies.read",),
    "deals": ("crm.objects.deals.read",),
    "tickets": ("crm.objects.tickets.read", "tickets"),
    "meetings": ("crm.objects.contacts.read",),
    "emails": ("sales-email-read",),
}


class BatchInput(msgspec.Struct, frozen=True, kw_only=True):
    id: str


class BatchRead(msgspec.Struct, frozen=True, kw_only=True):
    inputs: list[BatchInput]
    properties: list[str] = []
    propertiesWithHistory: list[str] = []  # noqa: N815 - HubSpot's field name


def _error(category: str, message: str) -> ProviderError:
    body = {
        "status": "error",
        "message": message,
        "correlationId": correlation(),
        "category": category,
    }
    return ProviderError(Reply(status=400, body=body))


def _decode(body: bytes, kind: type[Any]) -> Any:
    try:
        return msgspec.json.decode(body, type=kind)
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        raise _error("VALIDATION_ERROR", str(error)) from None


def _object_type(object_type: str) -> str:
    if object_type not in READ_SCOPES:
        raise _error("OBJECT_NOT_FOUND", f"Unable to infer object type from: {object_type}")
    return object_type


def _table(request: AnyRequest, object_type: str) -> tuple[records.HubRecord, ...]:
    sandbox = sandbox_of(request)
    profile = profile_of(request, "hubspot")
    authorized(sandbox, profile, request, *READ_SCOPES[_object_type(object_type)])
    return records.records(sandbox.dataset, object_type, sandbox.clock.now())


def _complete(request: AnyRequest, results: list[dict[str, Any]]) -> Response[bytes]:
    now = search.iso(sandbox_of(request).clock.now())
    body = {"status": "COMPLETE", "results": results, "startedAt": now, "completedAt": now}
    return Reply(status=200, body=body).to_response()


@post("/v3/objects/{object_type:str}/search")
async def search_objects(request: AnyRequest, object_type: FromPath[str]) -> Response[bytes]:
    rows = _table(request, object_type)
    query = _decode(await request.body(), search.SearchRequest)
    try:
        page, total, following = search.search(object_type, rows, query)
    except search.SearchRefused as refused:
        raise _error("VALIDATION_ERROR", str(refused)) from None
    results = [search.render(object_type, r, query.properties) for r in page]
    body: dict[str, Any] = {"total": total, "results": results}
    if following is not None:
        body["paging"] = {"next": {"after": str(following)}}
    return Reply(status=200, body=body).to_response()


@get("/v3/objects/{object_type:str}")
async def list_objects(request: AnyRequest, object_type: FromPath[str]) -> Response[bytes]:
    rows = _table(request, object_type)
    if request.query_params.get("archived") == "true":
        return Reply(status=200, body={"results": []}).to_response()  # nothing is ever archived
    limit = min(100, int(request.query_params.get("limit", "10") or 10))
    start = int(request.query_params.get("after", "0") or 0)
    ordered = search.in_id_order(rows)
    props = request.query_params.getall("properties", [])
    chunk = ordered[start : start + limit]
    body: dict[str, Any] = {"results": [search.render(object_type, r, props) for r in chunk]}
    if start + limit < len(ordered):
        body["paging"] = {"next": {"after": str(start + limit)}}
    return Reply(status=200, body=body).to_response()


@post("/v3/objects/{object_type:str}/batch/read")
async def batch_read(request: AnyRequest, object_type: FromPath[str]) -> Response[bytes]:
    rows = search.by_id(_table(request, object_type))
    batch = _decode(await request.body(), BatchRead)
    found = [rows[i.id] for i in batch.inputs if i.id in rows]
    return _complete(request, [_with_history(object_type, r, batch) for r in found])


@get("/v4/objects/{source:str}/{object_id:str}/associations/{target:str}")
async def associations(
    request: AnyRequest, source: FromPath[str], object_id: FromPath[str], target: FromPath[str]
) -> Response[bytes]:
    known = search.by_id(_table(request, source))
    links = _links(request, source, object_id, _object_type(target)) if object_id in known else []
    return Reply(status=200, body={"results": links}).to_response()


@post("/v4/associations/{source:str}/{target:str}/batch/read")
async def batch_associations(
    request: AnyRequest, source: FromPath[str], target: FromPath[str]
) -> Response[bytes]:
    known = search.by_id(_table(request, source))
    _object_type(target)
    batch = _decode(await request.body(), BatchRead)
    results = [
        {"from": {"id": item.id}, "to": _links(request, source, item.id, target)}
        for item in batch.inputs
        if item.id in known
    ]
    return _complete(request, results)


def _links(request: AnyRequest, source: str, object_id: str, target: str) -> list[dict[str, Any]]:
    key = records.key_of(source, object_id)
    if key is None:
        return []
    pairs = records.associations(sandbox_of(request).dataset, source, key, target)
    return [
        {
            "toObjectId": int(target_id),
            "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": None}],
        }
        for target_id, type_id in pairs
    ]


def _with_history(object_type: str, record: records.HubRecord, batch: BatchRead) -> dict[str, Any]:
    body = search.render(object_type, record, batch.properties)
    if batch.propertiesWithHistory:
        # Newest first, as HubSpot lists a property's history.
        body["propertiesWithHistory"] = {
            name: [
                _version(value, at, by) for value, at, by in reversed(record.history.get(name, []))
            ]
            for name in batch.propertiesWithHistory
        }
    return body


def _version(value: str, at: Any, by: int) -> dict[str, Any]:
    owner = records.owner_id(by)
    return {
        "value": value,
        "timestamp": search.iso(at),
        "sourceType": "CRM_UI",
        "sourceId": f"userId:{owner}",
        "updatedByUserId": int(owner),
    }


def crm_router() -> Router:
    handlers = [search_objects, list_objects, batch_read, associations, batch_associations]
    return Router(path="/crm", route_handlers=handlers, include_in_schema=False)
