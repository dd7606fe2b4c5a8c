"""HubSpot CRM reads: v3 objects, search and batch read, v4 associations."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response, Router, get, post
from litestar.params import FromPath

from adapters.sandbox.bearer import authorized
from adapters.sandbox.context import AnyRequest, profile_of, sandbox_of
from adapters.sandbox.providers.hubspot import links, overlay, pipelines, records, search
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


BATCH_LIMIT = 100


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


def _view(request: AnyRequest, object_type: str) -> tuple[str, overlay.View]:
    """The caller's client id and the object type as of the sandbox clock, overlay applied."""
    sandbox = sandbox_of(request)
    profile = profile_of(request, "hubspot")
    family = authorized(sandbox, profile, request, *READ_SCOPES[_object_type(object_type)])
    return family.client_id, overlay.view(sandbox, object_type)


def _complete(
    request: AnyRequest, results: list[dict[str, Any]], errors: list[dict[str, Any]] | None = None
) -> Response[bytes]:
    now = search.iso(sandbox_of(request).clock.now())
    body: dict[str, Any] = {"status": "COMPLETE", "results": results}
    if errors:  # some inputs could not be read: HubSpot answers 207 Multi-Status
        body |= {"numErrors": len(errors), "errors": errors}
    body |= {"startedAt": now, "completedAt": now}
    return Reply(status=207 if errors else 200, body=body).to_response()


@post("/v3/objects/{object_type:str}/search")
async def search_objects(request: AnyRequest, object_type: FromPath[str]) -> Response[bytes]:
    client, table = _view(request, object_type)
    stats = sandbox_of(request).stats
    query = _decode(await request.body(), search.SearchRequest)
    try:
        page, total, following = search.search(object_type, table.live, query)
    except search.SearchRefused as refused:
        stats.count("hubspot", client, "search_refused")
        raise _error("VALIDATION_ERROR", str(refused)) from None
    stats.count("hubspot", client, "searches")
    if total >= search.CAP:  # what a connector that splits its windows sees before splitting
        stats.count("hubspot", client, "search_over_cap")
    results = [search.render(object_type, r, query.properties) for r in page]
    body: dict[str, Any] = {"total": total, "results": results}
    if following is not None:
        body["paging"] = {"next": {"after": str(following)}}
    return Reply(status=200, body=body).to_response()


@get("/v3/objects/{object_type:str}")
async def list_objects(request: AnyRequest, object_type: FromPath[str]) -> Response[bytes]:
    _, table = _view(request, object_type)
    archived = request.query_params.get("archived") == "true"
    when = {a.record.id: a.at for a in table.archived}
    rows = tuple(a.record for a in table.archived) if archived else table.live
    limit = min(100, int(request.query_params.get("limit", "10") or 10))
    start = int(request.query_params.get("after", "0") or 0)
    # The live table is sorted once per view (the view is cached, overlay included); the
    # archived records are few, and sorted per call.
    ordered = search.in_id_order(rows) if not archived else sorted(rows, key=lambda r: int(r.id))
    props = request.query_params.getall("properties", [])
    results = []
    for record in ordered[start : start + limit]:
        rendered = search.render(object_type, record, props)
        if archived:  # only archived records carry these, as HubSpot renders them
            rendered |= {"archived": True, "archivedAt": search.iso(when[record.id])}
        results.append(rendered)
    body: dict[str, Any] = {"results": results}
    if start + limit < len(ordered):
        body["paging"] = {"next": {"after": str(start + limit)}}
    return Reply(status=200, body=body).to_response()


@post("/v3/objects/{object_type:str}/batch/read")
async def batch_read(request: AnyRequest, object_type: FromPath[str]) -> Response[bytes]:
    _, table = _view(request, object_type)
    rows = search.by_id(table.live)
    batch = _decode(await request.body(), BatchRead)
    if len(batch.inputs) > BATCH_LIMIT:
        raise _error("VALIDATION_ERROR", f"at most {BATCH_LIMIT} inputs per batch")
    found = [rows[i.id] for i in batch.inputs if i.id in rows]
    missing = [i.id for i in batch.inputs if i.id not in rows]
    errors = [_not_found(object_type, missing)] if missing else None
    return _complete(request, [_with_history(object_type, r, batch) for r in found], errors)


@get("/v3/objects/{object_type:str}/{object_id:str}")
async def read_object(
    request: AnyRequest, object_type: FromPath[str], object_id: FromPath[str]
) -> Response[bytes]:
    """One record by id; an archived or unknown one is a 404, as HubSpot answers."""
    _, table = _view(request, object_type)
    record = search.by_id(table.live).get(object_id)
    if record is None:
        body = {"status": "error", "message": "resource not found", "category": "OBJECT_NOT_FOUND"}
        return Reply(status=404, body={**body, "correlationId": correlation()}).to_response()
    params = request.query_params
    asked = BatchRead(
        inputs=[],
        properties=[p for v in params.getall("properties", []) for p in v.split(",") if p],
        propertiesWithHistory=[
            p for v in params.getall("propertiesWithHistory", []) for p in v.split(",") if p
        ],
    )
    return Reply(status=200, body=_with_history(object_type, record, asked)).to_response()


def _not_found(object_type: str, ids: list[str]) -> dict[str, Any]:
    return {
        "status": "error",
        "category": "OBJECT_NOT_FOUND",
        "message": f"Could not get some {object_type} objects, they may be deleted or not exist.",
        "context": {"ids": ids},
    }


@get("/v4/objects/{source:str}/{object_id:str}/associations/{target:str}")
async def associations(
    request: AnyRequest, source: FromPath[str], object_id: FromPath[str], target: FromPath[str]
) -> Response[bytes]:
    _, table = _view(request, source)
    known = search.by_id(table.live)
    hidden = _archived_ids(request, target)
    links = _links(request, source, object_id, target, hidden) if object_id in known else []
    return Reply(status=200, body={"results": links}).to_response()


@post("/v4/associations/{source:str}/{target:str}/batch/read")
async def batch_associations(
    request: AnyRequest, source: FromPath[str], target: FromPath[str]
) -> Response[bytes]:
    _, table = _view(request, source)
    known = search.by_id(table.live)
    hidden = _archived_ids(request, target)
    batch = _decode(await request.body(), BatchRead)
    results = [
        {"from": {"id": item.id}, "to": _links(request, source, item.id, target, hidden)}
        for item in batch.inputs
        if item.id in known
    ]
    return _complete(request, results)


def _archived_ids(request: AnyRequest, object_type: str) -> set[str]:
    return overlay.view(sandbox_of(request), _object_type(object_type)).archived_ids()


def _links(
    request: AnyRequest, source: str, object_id: str, target: str, hidden: set[str]
) -> list[dict[str, Any]]:
    key = records.key_of(source, object_id)
    if key is None:
        return []
    pairs = links.associations(sandbox_of(request).dataset, source, key, target)
    return [
        {
            "toObjectId": int(target_id),
            "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": None}],
        }
        for target_id, type_id in pairs
        if target_id not in hidden  # an archived record's associations go with it
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
    handlers = [search_objects, list_objects, read_object, batch_read, associations]
    handlers += [batch_associations]
    handlers += [pipelines.list_pipelines]
    return Router(path="/crm", route_handlers=handlers, include_in_schema=False)
