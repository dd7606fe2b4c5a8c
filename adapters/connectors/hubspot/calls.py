"""HubSpot's CRM endpoints as the reader calls them: search, batch reads, associations.

Every body asks for the allow-listed properties only (providers.md rule 14), batches stay
within HubSpot's limits, and a v4 association row that pages (more than 500 associations)
is read to its end.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

import msgspec

from adapters.connectors.api import ApiResponse, ProviderApi, Verdict
from adapters.connectors.hubspot.normalise import millis
from adapters.connectors.hubspot.records import (
    AssociationBatch,
    AssociationPage,
    DealBatch,
    Pipelines,
    Refusal,
    SearchPage,
    Version,
)
from adapters.connectors.hubspot.windows import Found, Hit, Query, Search

PAGE = 200  # search's largest page
HISTORY_BATCH = 50  # batch reads with property history: kept small
ASSOCIATION_BATCH = 100
ASSOCIATION_PAGE = 500


class Searchable(Protocol):
    @property
    def id(self) -> str: ...

    def modified(self) -> str | None: ...


R = TypeVar("R", bound=Searchable)


class ObjectKind(msgspec.Struct, Generic[R], frozen=True, kw_only=True):
    """One searchable CRM object type and what Atlas reads of it."""

    object_type: str  # contacts, companies, deals
    modified: str  # the property search windows and sorts on
    properties: tuple[str, ...]
    page: type[SearchPage[R]]


def search_body(kind: ObjectKind[Any], query: Query) -> dict[str, Any]:
    filters = [
        {"propertyName": kind.modified, "operator": "GTE", "value": str(query.lo)},
        {"propertyName": kind.modified, "operator": "LT", "value": str(query.hi)},
    ]
    sort = kind.modified
    if query.ids is not None:
        first, last = query.ids
        filters += [
            {"propertyName": "hs_object_id", "operator": "GTE", "value": str(first)},
            {"propertyName": "hs_object_id", "operator": "LT", "value": str(last)},
        ]
        sort = "hs_object_id"
    body: dict[str, Any] = {
        "filterGroups": [{"filters": filters}],
        "sorts": [{"propertyName": sort, "direction": "ASCENDING"}],
        "properties": list(kind.properties),
        "limit": PAGE,
    }
    if query.after is not None:
        body["after"] = query.after
    return body


def searcher(api: ProviderApi, kind: ObjectKind[R]) -> Search[R]:
    async def search(query: Query) -> Found[R]:
        url = f"{await api.base()}/crm/v3/objects/{kind.object_type}/search"
        page = (await api.post(url, json=search_body(kind, query))).decode(kind.page)
        # A record without a modified date sorts first: it counts at the window's start.
        hits = [
            Hit(r.id, m if (m := millis(r.modified())) is not None else query.lo)
            for r in page.results
        ]
        following = page.paging.next if page.paging else None
        return Found(
            records=list(page.results),
            hits=hits,
            total=page.total,
            after=following.after if following else None,
        )

    return search


async def stage_histories(api: ProviderApi, deal_ids: Sequence[str]) -> dict[str, list[Version]]:
    url = f"{await api.base()}/crm/v3/objects/deals/batch/read"
    out: dict[str, list[Version]] = {}
    for chunk in _chunks(deal_ids, HISTORY_BATCH):
        body = {
            "inputs": [{"id": i} for i in chunk],
            "properties": ["dealstage"],
            "propertiesWithHistory": ["dealstage"],
        }
        answer = (await api.post(url, json=body)).decode(DealBatch)
        for deal in answer.results:  # a deal archived since the search is simply absent
            out[deal.id] = list(deal.propertiesWithHistory.dealstage)
    return out


async def associations(
    api: ProviderApi, source: str, target: str, ids: Sequence[str]
) -> dict[str, list[str]]:
    """The ids of ``target`` records associated with each ``source`` record (v4)."""
    base = await api.base()
    out: dict[str, list[str]] = {}
    for chunk in _chunks(ids, ASSOCIATION_BATCH):
        body = {"inputs": [{"id": i} for i in chunk]}
        url = f"{base}/crm/v4/associations/{source}/{target}/batch/read"
        answer = (await api.post(url, json=body)).decode(AssociationBatch)
        for row in answer.results:
            found = [str(t.toObjectId) for t in row.to]
            if row.paging and row.paging.next:
                found += await _rest(
                    api,
                    f"{base}/crm/v4/objects/{source}/{row.from_.id}/associations/{target}",
                    row.paging.next.after,
                )
            out[row.from_.id] = _unique([*out.get(row.from_.id, []), *found])
    return out


async def _rest(api: ProviderApi, url: str, after: str) -> list[str]:
    """The rest of one record's associations, past the 500 a batch row carries."""
    found: list[str] = []
    cursor: str | None = after
    while cursor is not None:
        params = {"limit": str(ASSOCIATION_PAGE), "after": cursor}
        page = (await api.get(url, params=params)).decode(AssociationPage)
        found += [str(t.toObjectId) for t in page.results]
        cursor = page.paging.next.after if page.paging and page.paging.next else None
    return found


async def stage_labels(api: ProviderApi) -> dict[str, str]:
    """Deal stage id -> the label people see; empty when the pipelines cannot be read (the
    stage ids then name the stages)."""
    answer = await api.get(f"{await api.base()}/crm/v3/pipelines/deals", expect=(403, 404))
    if answer.status != 200:
        return {}
    pipelines = answer.decode(Pipelines)
    return {s.id: s.label for p in pipelines.results for s in p.stages if s.label}


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _chunks(values: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    return (values[i : i + size] for i in range(0, len(values), size))


def classify(response: ApiResponse, now: datetime) -> Verdict | None:
    """HubSpot's own refusals. A 429 without Retry-After waits out its rate-limit interval
    (the daily allowance: until the next day); a missing scope is a dead grant (rule 6:
    reconnect), not a failure to retry. Anything else reads by its HTTP status."""
    if response.status == 429 and response.header("retry-after") is None:
        if _refusal(response).policyName == "DAILY":
            midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
            return Verdict(
                kind="throttled", reason="daily_limit", retry_after=(midnight - now).total_seconds()
            )
        interval = response.header("x-hubspot-ratelimit-interval-milliseconds") or ""
        wait = int(interval) / 1000 if interval.isdigit() else None
        return Verdict(kind="throttled", reason="http_429", retry_after=wait)
    if response.status == 403 and _refusal(response).category == "MISSING_SCOPES":
        return Verdict(kind="rejected", reason="missing_scopes")
    return None


def _refusal(response: ApiResponse) -> Refusal:
    try:
        return msgspec.json.decode(response.content, type=Refusal)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return Refusal()
