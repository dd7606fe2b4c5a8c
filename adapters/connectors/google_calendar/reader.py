"""Google Calendar, read incrementally: the primary calendar's events by sync token.

Two streams. ``events``: a full sync (``singleEvents=true&showDeleted=true&maxResults=2500``)
runs to its last page, which alone carries ``nextSyncToken``; the token is stored with that
page (earlier pages keep the stored cursor and are read again after a crash). Later runs send
``syncToken`` with the same non-filter parameters (never ``timeMin`` and the like, which the
token refuses). A 410 means the token expired: the calendar's state is rebuilt by a full sync
whose last page also removes the meetings Atlas holds that the full listing no longer has
(events deleted and purged during the gap). Reconciling rather than wiping first keeps every
meeting that still exists in place. Cancelled events are deletions.

``started``: a meeting's start passing changes nothing in the event, so no sync token
reports it. This stream lists the events that started since it last ran (``timeMin`` /
``timeMax``, a window ``[until - 1 h, provider now)``; on its first run from the backfill) and
adds their ``Meeting held``. Its cursor is the window's end.

The calendar owner's address is what its events mark ``self`` (the organiser, the creator or an
attendee): read from the events themselves, so the connector needs only
``calendar.events.readonly`` and never lists the person's other calendars (``calendarList``
would need ``calendar.readonly``). Each cursor keeps it, for runs whose changes name nobody.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta

import msgspec

from adapters.connectors.api import ProviderApi
from adapters.connectors.cursors import decode_cursor, encode_cursor
from adapters.connectors.google.participants import address
from adapters.connectors.google_calendar import normalise
from adapters.connectors.google_calendar.normalise import EVENT_PREFIX, Calendar, Window
from adapters.connectors.google_calendar.records import Event, EventPage
from application.sync.ports import KnownRecords, ReadPlan, SourceReader
from domain.graph.model import Removal
from domain.sync.errors import SourceRefused
from domain.sync.page import SyncPage

STREAMS = ("events", "started")
PAGE_SIZE = 2500  # the most events.list gives per page
SYNC_PARAMS = (("singleEvents", "true"), ("showDeleted", "true"))
STARTED_OVERLAP = timedelta(hours=1)


class SyncCursor(msgspec.Struct, frozen=True, kw_only=True):
    sync_token: str
    owner: str | None = None


class StartedCursor(msgspec.Struct, frozen=True, kw_only=True):
    until: datetime  # meetings that started before this have their "held"
    owner: str | None = None


class CalendarReader(SourceReader):
    def __init__(self, plan: ReadPlan, api: ProviderApi, known: KnownRecords) -> None:
        self._plan, self._api, self._known = plan, api, known
        self._calendar: Calendar | None = None

    async def streams(self) -> Sequence[str]:
        return STREAMS

    async def read(self, stream: str, cursor: bytes | None) -> AsyncIterator[SyncPage]:
        if stream == "events":
            pages = self._events(decode_cursor(cursor, SyncCursor))
        else:
            pages = self._started(decode_cursor(cursor, StartedCursor))
        async for page in pages:
            yield page

    def _owned(self, known: str | None, items: Sequence[Event] = ()) -> Calendar:
        """The calendar as known so far: its owner from a cursor, or from these events."""
        owner = self._calendar.owner if self._calendar else None
        owner = owner or known or owner_of(items)
        if self._calendar is None or self._calendar.owner != owner:
            self._calendar = Calendar(scope=str(self._plan.connection.id), owner=owner)
        return self._calendar

    async def _events(self, stored: SyncCursor | None) -> AsyncIterator[SyncPage]:
        url = f"{await self._api.base()}/calendars/primary/events"
        sync_token, page_token = stored.sync_token if stored else None, None
        seen: set[str] = set()
        while True:
            params = [*SYNC_PARAMS, ("maxResults", str(PAGE_SIZE))]
            params += [("syncToken", sync_token)] if sync_token else []
            params += [("pageToken", page_token)] if page_token else []
            answer = await self._api.get(url, params=params, expect=(410,))
            if answer.status == 410:
                if sync_token is None:
                    raise SourceRefused("http_410")  # gone without a token: nothing to restart
                sync_token, page_token, seen = None, None, set()  # full sync, then reconcile
                continue
            page = answer.decode(EventPage)
            calendar = self._owned(stored.owner if stored else None, page.items)
            seen.update(event.id for event in page.items)
            window = Window(since=self._plan.since, now=self._api.provider_now())
            batch, removals = normalise.events(calendar, page.items, window)
            page_token = page.next_page_token
            if page_token is None and sync_token is None:
                removals += await self._vanished(calendar, seen)
            done = page_token is None and page.next_sync_token is not None
            yield SyncPage(
                batch=batch,
                removals=removals,
                cursor=encode_cursor(
                    SyncCursor(sync_token=page.next_sync_token or "", owner=calendar.owner)
                )
                if done
                else None,
                position=window.now if done else None,
                fetched=len(page.items),
            )
            if page_token is None:
                return

    async def _vanished(self, calendar: Calendar, seen: set[str]) -> tuple[Removal, ...]:
        """Meetings Atlas holds that a full listing (deleted events included) no longer has."""
        held = await self._known.entity_ids("meeting")
        return tuple(
            Removal(ref=calendar.event_ref(source_id.removeprefix(EVENT_PREFIX)), kind="entity")
            for source_id in sorted(held)
            if source_id.removeprefix(EVENT_PREFIX) not in seen
        )

    async def _started(self, stored: StartedCursor | None) -> AsyncIterator[SyncPage]:
        url = f"{await self._api.base()}/calendars/primary/events"
        since = stored.until - STARTED_OVERLAP if stored else self._plan.since
        until = self._api.provider_now()
        window = Window(since=self._plan.since, now=until)
        page_token: str | None = None
        while True:
            params = [("singleEvents", "true"), ("maxResults", str(PAGE_SIZE))]
            params += [("timeMin", _rfc3339(since)), ("timeMax", _rfc3339(until))]
            params += [("pageToken", page_token)] if page_token else []
            page = (await self._api.get(url, params=params)).decode(EventPage)
            calendar = self._owned(stored.owner if stored else None, page.items)
            batch, removals = normalise.events(calendar, page.items, window)
            page_token = page.next_page_token
            yield SyncPage(
                batch=batch,
                removals=removals,
                cursor=None
                if page_token
                else encode_cursor(StartedCursor(until=until, owner=calendar.owner)),
                position=None if page_token else until,
                fetched=len(page.items),
            )
            if page_token is None:
                return


def owner_of(items: Sequence[Event]) -> str | None:
    """The address the calendar's own events call ``self``."""
    for event in items:
        people = [event.organizer, event.creator, *event.attendees]
        for person in people:
            if person is not None and person.is_self and person.email:
                return address(person.email)
    return None


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build(plan: ReadPlan, api: ProviderApi, known: KnownRecords) -> SourceReader:
    return CalendarReader(plan, api, known)
