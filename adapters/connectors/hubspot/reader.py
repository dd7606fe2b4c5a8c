"""HubSpot, read incrementally: CRM search windows on the modified date, then archived records.

Streams, in order: companies, contacts, deals (each searched in windows ``[cursor, hi)`` on
its modified date, ``hi`` one minute behind HubSpot's own clock for the search index's lag;
``windows.py``), then archived records. A contacts page brings its company associations; a
deals page its stage history (batch read with ``propertiesWithHistory``) and its companies
and contacts. Search never returns archived records, so the last stream lists
``archived=true`` for each type and removes those the graph still holds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import timedelta

from adapters.connectors.api import ProviderApi
from adapters.connectors.cursors import decode_cursor, encode_cursor
from adapters.connectors.hubspot import calls, deals, normalise
from adapters.connectors.hubspot.calls import ObjectKind, R
from adapters.connectors.hubspot.records import (
    ArchivedPage,
    Company,
    Contact,
    Deal,
    SearchPage,
)
from adapters.connectors.hubspot.windows import SearchCursor, Windows
from application.sync.ports import KnownRecords, ReadPlan, SourceReader
from domain.graph.model import EPOCH, GraphBatch
from domain.sync.page import SyncPage

STREAMS = ("companies", "contacts", "deals", "archived")
LAG = timedelta(seconds=60)  # the search index trails writes (rule 12)
_MS = timedelta(milliseconds=1)

COMPANIES = ObjectKind(
    object_type="companies",
    modified="hs_lastmodifieddate",
    properties=(
        "name",
        "domain",
        "industry",
        "hubspot_owner_id",
        "createdate",
        "hs_lastmodifieddate",
    ),
    page=SearchPage[Company],
)
CONTACTS = ObjectKind(
    object_type="contacts",
    modified="lastmodifieddate",
    properties=(
        "email",
        "firstname",
        "lastname",
        "hubspot_owner_id",
        "createdate",
        "lastmodifieddate",
    ),
    page=SearchPage[Contact],
)
DEALS = ObjectKind(
    object_type="deals",
    modified="hs_lastmodifieddate",
    properties=(
        "dealname",
        "dealstage",
        "pipeline",
        "amount",
        "closedate",
        "hubspot_owner_id",
        "createdate",
        "hs_lastmodifieddate",
    ),
    page=SearchPage[Deal],
)
# Archived records, by the graph's entity type and the source-id kind: deals first, so a
# deal's stage changes go with it before anything else is looked at.
ARCHIVED = (
    ("deals", "deal", "deal"),
    ("contacts", "person", "contact"),
    ("companies", "company", "company"),
)


class HubSpotReader(SourceReader):
    def __init__(self, plan: ReadPlan, api: ProviderApi, known: KnownRecords) -> None:
        self._plan, self._api, self._known = plan, api, known
        self._labels: dict[str, str] = {}
        connection = plan.connection
        account = connection.external_account or ""
        self._source = normalise.Source(
            scope=str(connection.id),
            hub=account.removeprefix("hub:") if account.startswith("hub:") else None,
        )

    async def streams(self) -> Sequence[str]:
        # The stage labels name the stage-change activities; the answer's Date header also
        # sets HubSpot's clock before any window is bounded by it.
        self._labels = await calls.stage_labels(self._api)
        return STREAMS

    async def read(self, stream: str, cursor: bytes | None) -> AsyncIterator[SyncPage]:
        if stream == "companies":
            pages = self._search(COMPANIES, cursor, self._companies)
        elif stream == "contacts":
            pages = self._search(CONTACTS, cursor, self._contacts)
        elif stream == "deals":
            pages = self._search(DEALS, cursor, self._deals)
        else:
            pages = self._archived()
        async for page in pages:
            yield page

    async def _search(
        self,
        kind: ObjectKind[R],
        raw: bytes | None,
        to_graph: Callable[[list[R]], Awaitable[GraphBatch]],
    ) -> AsyncIterator[SyncPage]:
        since = (self._plan.since - EPOCH) // _MS
        cursor = decode_cursor(raw, SearchCursor) or SearchCursor(at=since)
        hi = (self._api.provider_now() - LAG - EPOCH) // _MS
        windows = Windows(calls.searcher(self._api, kind))
        async for chunk in windows.read(cursor, hi):
            batch = await to_graph(chunk.records) if chunk.records else GraphBatch()
            yield SyncPage(
                batch=batch,
                cursor=encode_cursor(chunk.cursor),
                position=EPOCH + chunk.cursor.at * _MS,
                fetched=len(chunk.records),
            )

    async def _companies(self, items: list[Company]) -> GraphBatch:
        return normalise.companies(self._source, items)

    async def _contacts(self, items: list[Contact]) -> GraphBatch:
        ids = [c.id for c in items]
        companies = await calls.associations(self._api, "contacts", "companies", ids)
        return normalise.contacts(self._source, items, companies)

    async def _deals(self, items: list[Deal]) -> GraphBatch:
        ids = [d.id for d in items]
        links = deals.DealLinks(
            stages=await calls.stage_histories(self._api, ids),
            companies=await calls.associations(self._api, "deals", "companies", ids),
            contacts=await calls.associations(self._api, "deals", "contacts", ids),
            labels=self._labels,
        )
        return deals.deals(self._source, items, links)

    async def _archived(self) -> AsyncIterator[SyncPage]:
        base = await self._api.base()
        for object_type, entity_type, kind in ARCHIVED:
            held = await self._known.entity_ids(entity_type)
            url = f"{base}/crm/v3/objects/{object_type}"
            params = {"archived": "true", "limit": "100", "properties": "hs_object_id"}
            while True:
                page = (await self._api.get(url, params=params)).decode(ArchivedPage)
                gone = [r.id for r in page.results if f"{kind}:{r.id}" in held]
                yield SyncPage(
                    removals=normalise.removals(self._source, kind, gone),
                    fetched=len(page.results),
                )
                following = page.paging.next if page.paging else None
                if following is None:
                    break
                params = {**params, "after": following.after}


def build(plan: ReadPlan, api: ProviderApi, known: KnownRecords) -> SourceReader:
    return HubSpotReader(plan, api, known)
