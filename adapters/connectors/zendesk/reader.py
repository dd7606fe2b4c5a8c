"""Zendesk, read incrementally: the cursor-based ticket export and the ticket event export.

Streams, in order: organisations and users (cursor-paginated listings, read whole each pass:
an account has few), tickets (``incremental/tickets/cursor.json``: the ``after_cursor`` is
stored with each page, the export excludes the last minute itself; ``status: deleted`` is a
deletion) and ticket events (``incremental/ticket_events.json``, time-based: ``start_time`` is
the last page's ``end_time``, so the second at the boundary is read again and upserted, never
skipped). An expired ticket cursor restarts from the last ticket's ``updated_at`` minus five
minutes (providers.md 2.5).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta

import msgspec

from adapters.connectors.api import ProviderApi
from adapters.connectors.cursors import decode_cursor, encode_cursor
from adapters.connectors.zendesk import normalise
from adapters.connectors.zendesk.records import (
    EventPage,
    OrganizationPage,
    TicketPage,
    UserPage,
)
from application.sync.ports import KnownRecords, ReadPlan, SourceReader
from domain.sync.page import SyncPage

STREAMS = ("organizations", "users", "tickets", "ticket_events")
EXPORT_PAGE = 1000
RESTART_OVERLAP = timedelta(minutes=5)
RECENT = timedelta(minutes=2)  # Zendesk refuses a start_time within the last minute


class TicketCursor(msgspec.Struct, frozen=True, kw_only=True):
    after_cursor: str | None = None
    start_time: int  # where the export (re)starts without a cursor
    updated_at: int  # the newest ticket change stored: the fallback when the cursor expires


class EventCursor(msgspec.Struct, frozen=True, kw_only=True):
    start_time: int


class ZendeskReader(SourceReader):
    def __init__(self, plan: ReadPlan, api: ProviderApi) -> None:
        self._plan, self._api = plan, api

    async def streams(self) -> Sequence[str]:
        return STREAMS

    async def read(self, stream: str, cursor: bytes | None) -> AsyncIterator[SyncPage]:
        source = await self._source()
        if stream == "organizations":
            pages = self._listing(source, "organizations")
        elif stream == "users":
            pages = self._listing(source, "users")
        elif stream == "tickets":
            pages = self._tickets(source, cursor)
        else:
            pages = self._events(source, cursor)
        async for page in pages:
            yield page

    async def _source(self) -> normalise.Source:
        base = await self._api.base()
        connection = self._plan.connection
        return normalise.Source(
            scope=str(connection.id),
            account=connection.subdomain or connection.external_account or str(connection.id),
            web_base=base.removesuffix("/api/v2"),
        )

    async def _listing(self, source: normalise.Source, kind: str) -> AsyncIterator[SyncPage]:
        url = f"{await self._api.base()}/{kind}.json"
        params = {"page[size]": "100"}
        while True:
            answer = await self._api.get(url, params=params)
            if kind == "users":
                users = answer.decode(UserPage)
                batch, meta, fetched = (
                    normalise.users(source, users.users),
                    users.meta,
                    len(users.users),
                )
            else:
                orgs = answer.decode(OrganizationPage)
                batch, meta = normalise.organizations(source, orgs.organizations), orgs.meta
                fetched = len(orgs.organizations)
            yield SyncPage(batch=batch, fetched=fetched)
            if not meta.has_more or not meta.after_cursor:
                return
            params = {"page[size]": "100", "page[after]": meta.after_cursor}

    def _since(self) -> int:
        """The backfill's start, but never within the export's last minutes by Zendesk's own
        clock (it refuses a start_time that recent; our clock may run ahead of it)."""
        latest = self._api.provider_now() - RECENT
        return int(min(self._plan.since, latest).timestamp())

    async def _tickets(
        self, source: normalise.Source, raw: bytes | None
    ) -> AsyncIterator[SyncPage]:
        url = f"{await self._api.base()}/incremental/tickets/cursor.json"
        since = self._since()
        cursor = decode_cursor(raw, TicketCursor) or TicketCursor(
            start_time=since, updated_at=since
        )
        while True:
            params = {"per_page": str(EXPORT_PAGE)}
            if cursor.after_cursor:
                params["cursor"] = cursor.after_cursor
            else:
                params["start_time"] = str(cursor.start_time)
            answer = await self._api.get(
                url, params=params, expect=(400,) if cursor.after_cursor else ()
            )
            if answer.status == 400:  # the cursor expired: restart a little before the last change
                restart = datetime.fromtimestamp(cursor.updated_at, UTC) - RESTART_OVERLAP
                cursor = TicketCursor(
                    start_time=int(restart.timestamp()), updated_at=cursor.updated_at
                )
                continue
            page = answer.decode(TicketPage)
            newest = max((int(t.updated_at.timestamp()) for t in page.tickets), default=0)
            cursor = TicketCursor(
                after_cursor=page.after_cursor or cursor.after_cursor,
                start_time=cursor.start_time,
                updated_at=max(cursor.updated_at, newest),
            )
            batch, removals = normalise.tickets(source, page.tickets)
            yield SyncPage(
                batch=batch,
                removals=removals,
                cursor=encode_cursor(cursor),
                position=datetime.fromtimestamp(cursor.updated_at, UTC),
                fetched=len(page.tickets),
            )
            if page.end_of_stream:
                return

    async def _events(self, source: normalise.Source, raw: bytes | None) -> AsyncIterator[SyncPage]:
        url = f"{await self._api.base()}/incremental/ticket_events.json"
        since = self._since()
        cursor = decode_cursor(raw, EventCursor) or EventCursor(start_time=since)
        while True:
            params = {"start_time": str(cursor.start_time), "per_page": str(EXPORT_PAGE)}
            page = (await self._api.get(url, params=params)).decode(EventPage)
            end = page.end_time if page.end_time is not None else cursor.start_time
            if not page.end_of_stream and end <= cursor.start_time:
                end = cursor.start_time + 1  # a full page within one second: move on
            cursor = EventCursor(start_time=max(end, cursor.start_time))
            yield SyncPage(
                batch=normalise.events(source, page.ticket_events),
                cursor=encode_cursor(cursor),
                position=datetime.fromtimestamp(cursor.start_time, UTC),
                fetched=len(page.ticket_events),
            )
            if page.end_of_stream:
                return


def build(plan: ReadPlan, api: ProviderApi, known: KnownRecords) -> SourceReader:
    return ZendeskReader(plan, api)
