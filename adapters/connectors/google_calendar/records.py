"""The fields Atlas keeps of Calendar's answers: everything else is never even decoded.

These structs are the connector's allow-list. An event's ``summary``, ``description``,
``location``, ``attachments``, ``conferenceData``, ``hangoutLink`` and display names do not
appear here, so no code path can store them. A cancelled (deleted) event is guaranteed to have
only its ``id``: every other field has a default.
"""

from __future__ import annotations

from datetime import date, datetime

import msgspec


class When(msgspec.Struct, frozen=True, rename="camel"):
    date_time: datetime | None = None  # a timed event
    day: date | None = msgspec.field(default=None, name="date")  # an all-day event
    time_zone: str | None = None


class Someone(msgspec.Struct, frozen=True):
    email: str | None = None
    is_self: bool = msgspec.field(default=False, name="self")


class Attendee(msgspec.Struct, frozen=True, rename="camel"):
    email: str | None = None
    response_status: str | None = None
    organizer: bool = False
    resource: bool = False  # a room or a piece of equipment, not a person
    optional: bool = False
    is_self: bool = msgspec.field(default=False, name="self")


class Event(msgspec.Struct, frozen=True, rename="camel"):
    id: str
    status: str = "confirmed"  # confirmed, tentative or cancelled (deleted)
    html_link: str | None = None
    created: datetime | None = None
    updated: datetime | None = None
    start: When | None = None
    end: When | None = None
    organizer: Someone | None = None
    creator: Someone | None = None
    attendees: list[Attendee] = []
    recurring_event_id: str | None = None
    sequence: int = 0
    event_type: str = "default"


class EventPage(msgspec.Struct, frozen=True, rename="camel"):
    items: list[Event] = []
    next_page_token: str | None = None
    next_sync_token: str | None = None  # only on the last page
