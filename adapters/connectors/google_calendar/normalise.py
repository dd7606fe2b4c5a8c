"""Calendar events into graph records: pure functions over the allow-listed structs.

An event is a ``meeting`` entity without a name (its status, times, organizer and attendee
counts as attributes, its ``htmlLink`` as url) with two activities: ``Meeting scheduled`` at
its creation, done by its creator, and ``Meeting held`` at its start, done by its organizer,
once that start is not after the provider's clock at read time (a later pass, or the
``started`` stream, adds it when the start has passed). Both link the meeting, the organizer
and the attendees (qualifiers ``organizer``, ``attendee``; rooms are not people) and their
companies by domain; links carry no attributes, so responses are counted on the activity and
the calendar owner's own answer is its ``response``. A cancelled event is a deletion: the
meeting goes, and its activities with it. Focus time, out-of-office and working-location
entries are not meetings.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time

import msgspec

from adapters.connectors.google.participants import Participants, address
from adapters.connectors.google_calendar.records import Attendee, Event, When
from domain.graph.model import (
    ActivityRecord,
    EntityAttribute,
    EntityRecord,
    GraphBatch,
    Link,
    Removal,
    SourceRef,
)

PROVIDER = "google_calendar"
SEARCH = "https://calendar.google.com/calendar/r/search?q="
SCHEDULED, HELD = "Meeting scheduled", "Meeting held"
EVENT_PREFIX = "event:"
RESPONSES = {  # responseStatus -> the attribute counting it
    "accepted": "accepted_count",
    "declined": "declined_count",
    "tentative": "tentative_count",
    "needsAction": "needs_action_count",
}

Attributes = dict[str, str | int | float | bool | None]


class Calendar(msgspec.Struct, frozen=True, kw_only=True):
    """What the normaliser knows of the connection: its scope and the calendar's owner."""

    scope: str
    owner: str | None  # the primary calendar's id: its owner's address

    @property
    def participants(self) -> Participants:
        domain = self.owner.rpartition("@")[2] if self.owner else None
        return Participants(provider=PROVIDER, scope=self.scope, own_domain=domain, search=SEARCH)

    def event_ref(self, event_id: str, activity: str | None = None) -> SourceRef:
        suffix = f":{activity}" if activity else ""
        return self.participants.ref(f"{EVENT_PREFIX}{event_id}{suffix}")


class Window(msgspec.Struct, frozen=True, kw_only=True):
    since: datetime  # meetings that ended before the backfill are left out
    now: datetime  # the provider's clock: a meeting has been held once it started by then


def events(
    calendar: Calendar, items: Iterable[Event], window: Window
) -> tuple[GraphBatch, tuple[Removal, ...]]:
    entities: dict[SourceRef, EntityRecord] = {}
    activities: list[ActivityRecord] = []
    removals: list[Removal] = []
    for event in items:
        if event.status == "cancelled":
            removals.append(Removal(ref=calendar.event_ref(event.id), kind="entity"))
            continue
        start, end = moment(event.start), moment(event.end)
        if event.event_type != "default" or start is None or (end or start) < window.since:
            continue
        mentioned, links = _mentions(calendar, event)
        for entity in (_meeting(calendar, event, start, end), *mentioned):
            entities.setdefault(entity.ref, entity)
        activities += _activities(calendar, event, start, links, window)
        if start > window.now and event.sequence > 0:
            # Moved into the future: a "held" of its earlier time is no longer true.
            removals.append(Removal(ref=calendar.event_ref(event.id, "held"), kind="activity"))
    batch = GraphBatch(entities=tuple(entities.values()), activities=tuple(activities))
    return batch, tuple(removals)


def moment(when: When | None) -> datetime | None:
    """A start or end as an instant; an all-day date as its midnight, UTC."""
    if when is None:
        return None
    if when.date_time is not None:
        at = when.date_time
        return instant(at if at.tzinfo else at.replace(tzinfo=UTC))
    return datetime.combine(when.day, time(), UTC) if when.day else None


def instant(at: datetime | None) -> datetime | None:
    """``at``, if it is an instant that UTC can hold: RFC 3339 allows year 1 at +23:59 or
    year 9999 at -23:59, which no datetime holds in UTC. Such a time is read as absent."""
    if at is None:
        return None
    try:
        at.astimezone(UTC)
    except OverflowError:
        return None
    return at


def _utc_iso(at: datetime | None) -> str | None:
    held = instant(at)
    return held.astimezone(UTC).isoformat() if held is not None else None


def _people(event: Event) -> tuple[str | None, dict[str, Attendee]]:
    """The organizer's address, and the attendees who are people, by address."""
    organizer = address(event.organizer.email) if event.organizer else None
    guests: dict[str, Attendee] = {}
    for attendee in event.attendees:
        email = address(attendee.email)
        if email is not None and not attendee.resource:
            guests.setdefault(email, attendee)
    return organizer, guests


def _mentions(calendar: Calendar, event: Event) -> tuple[list[EntityRecord], list[Link]]:
    people = calendar.participants
    organizer, guests = _people(event)
    links = [Link(object=calendar.event_ref(event.id), qualifier="meeting")]
    emails: dict[str, str] = {organizer: "organizer"} if organizer else {}
    for email in guests:
        emails.setdefault(email, "attendee")
    mentioned: list[EntityRecord] = []
    domains: dict[str, None] = {}
    for email, qualifier in emails.items():
        mentioned.append(people.person(email))
        links.append(Link(object=people.person_ref(email), qualifier=qualifier))
        domain = people.company_domain(email)
        if domain is not None:
            domains.setdefault(domain)
    for domain in domains:
        mentioned.append(people.company(domain))
        links.append(Link(object=people.company_ref(domain), qualifier="company"))
    return mentioned, links


def _meeting(
    calendar: Calendar, event: Event, start: datetime, end: datetime | None
) -> EntityRecord:
    organizer, guests = _people(event)
    values: Attributes = {
        "status": event.status,
        "start": start.isoformat(),
        "end": end.isoformat() if end else None,
        "all_day": event.start is not None and event.start.date_time is None,
        "organizer": organizer,
        "attendee_count": len(guests),
        "recurring_event_id": event.recurring_event_id,
        "created_at": _utc_iso(event.created),
        "updated_at": _utc_iso(event.updated),
    }
    return EntityRecord(
        ref=calendar.event_ref(event.id),
        type="meeting",
        attributes=tuple(
            EntityAttribute(name=name, value=value)
            for name, value in values.items()
            if value is not None
        ),
        url=event.html_link,
    )


def _activities(
    calendar: Calendar, event: Event, start: datetime, links: list[Link], window: Window
) -> list[ActivityRecord]:
    people = calendar.participants
    organizer, guests = _people(event)
    creator = address(event.creator.email) if event.creator else None
    found: list[ActivityRecord] = []
    created = instant(event.created)
    if created is not None:
        by = creator or organizer
        found.append(
            ActivityRecord(
                ref=calendar.event_ref(event.id, "scheduled"),
                type=SCHEDULED,
                occurred_at=created,
                actor=people.person_ref(by) if by else None,
                attributes={"status": event.status, "attendee_count": len(guests)},
                links=tuple(links),
                url=event.html_link,
            )
        )
    if start <= window.now:
        found.append(
            ActivityRecord(
                ref=calendar.event_ref(event.id, "held"),
                type=HELD,
                occurred_at=start,
                actor=people.person_ref(organizer) if organizer else None,
                attributes=_responses(list(guests.values())),
                links=tuple(links),
                url=event.html_link,
            )
        )
    return found


def _responses(guests: list[Attendee]) -> Attributes:
    counts: Attributes = {
        name: sum(1 for g in guests if g.response_status == status)
        for status, name in RESPONSES.items()
    }
    counts["attendee_count"] = len(guests)
    own = next((g.response_status for g in guests if g.is_self), None)
    return {**counts, "response": own} if own else counts
