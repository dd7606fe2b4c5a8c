"""Calendar's normaliser keeps an allow-list of metadata: never a title, description or place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from adapters.connectors.api import ApiResponse
from adapters.connectors.google_calendar import normalise
from adapters.connectors.google_calendar.records import Event

CALENDAR = normalise.Calendar(scope="conn-2", owner="maya@northwind.example")
START = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
AFTER = normalise.Window(since=START - timedelta(days=30), now=START + timedelta(hours=2))
BEFORE = normalise.Window(since=START - timedelta(days=30), now=START - timedelta(hours=2))


def _event(**overrides: Any) -> Event:
    """An event as ``events.list`` answers, content fields included."""
    body: dict[str, Any] = {
        "kind": "calendar#event",
        "id": "ev1",
        "status": "confirmed",
        "htmlLink": "https://www.google.com/calendar/event?eid=ZXYx",
        "created": "2026-01-01T09:00:00.000Z",
        "updated": "2026-01-02T09:00:00.000Z",
        "summary": "SECRET-SUMMARY: the merger",
        "description": "SECRET-DESCRIPTION agenda",
        "location": "SECRET-LOCATION boardroom",
        "hangoutLink": "https://meet.google.com/SECRET-MEET",
        "attachments": [{"fileUrl": "https://drive/SECRET-FILE", "title": "SECRET-TITLE"}],
        "conferenceData": {"notes": "SECRET-NOTES"},
        "creator": {"email": "Ada@initech.example", "displayName": "SECRET-NAME"},
        "organizer": {"email": "ada@initech.example"},
        "start": {"dateTime": "2026-01-05T11:00:00+01:00", "timeZone": "Europe/Paris"},
        "end": {"dateTime": "2026-01-05T11:30:00+01:00"},
        "attendees": [
            {"email": "ada@initech.example", "organizer": True, "responseStatus": "accepted"},
            {"email": "maya@northwind.example", "self": True, "responseStatus": "tentative"},
            {"email": "bob@gmail.com", "responseStatus": "declined", "comment": "SECRET-COMMENT"},
            {"email": "room-1@resource.calendar.google.com", "resource": True},
        ],
        "eventType": "default",
    }
    body.update(overrides)
    return ApiResponse(status=200, headers={}, content=msgspec.json.encode(body)).decode(Event)


def test_an_event_keeps_its_metadata_and_nothing_of_its_content() -> None:
    batch, removals = normalise.events(CALENDAR, [_event()], AFTER)

    assert "SECRET" not in msgspec.json.encode(batch).decode()
    assert removals == ()
    (meeting,) = [e for e in batch.entities if e.type == "meeting"]
    assert (meeting.name, meeting.url) == (None, "https://www.google.com/calendar/event?eid=ZXYx")
    assert {a.name: a.value for a in meeting.attributes} == {
        "status": "confirmed",
        "start": "2026-01-05T11:00:00+01:00",
        "end": "2026-01-05T11:30:00+01:00",
        "all_day": False,
        "organizer": "ada@initech.example",
        "attendee_count": 3,  # the room is not a person
        "created_at": "2026-01-01T09:00:00+00:00",
        "updated_at": "2026-01-02T09:00:00+00:00",
    }
    assert not {"summary", "description", "location", "attachments"} & set(Event.__struct_fields__)


def test_a_held_meeting_links_its_people_and_counts_their_answers() -> None:
    batch, _ = normalise.events(CALENDAR, [_event()], AFTER)

    scheduled, held = batch.activities
    assert (scheduled.type, scheduled.occurred_at) == (
        "Meeting scheduled",
        START - timedelta(days=4, hours=1),
    )
    assert (held.type, held.occurred_at) == ("Meeting held", START)
    assert held.actor is not None
    assert held.actor.source_id == "email:ada@initech.example"
    assert [(link.object.source_id, link.qualifier) for link in held.links] == [
        ("event:ev1", "meeting"),
        ("email:ada@initech.example", "organizer"),
        ("email:maya@northwind.example", "attendee"),
        ("email:bob@gmail.com", "attendee"),
        ("domain:initech.example", "company"),
    ]
    assert held.attributes == {
        "accepted_count": 1,
        "declined_count": 1,
        "tentative_count": 1,
        "needs_action_count": 0,
        "attendee_count": 3,
        "response": "tentative",  # the calendar owner's own answer
    }


def test_a_meeting_not_started_yet_is_scheduled_only() -> None:
    batch, removals = normalise.events(CALENDAR, [_event()], BEFORE)

    assert [a.type for a in batch.activities] == ["Meeting scheduled"]
    assert removals == ()


def test_a_meeting_moved_into_the_future_loses_its_held() -> None:
    batch, removals = normalise.events(CALENDAR, [_event(sequence=1)], BEFORE)

    assert [a.type for a in batch.activities] == ["Meeting scheduled"]
    assert [(r.ref.source_id, r.kind) for r in removals] == [("event:ev1:held", "activity")]


def test_a_cancelled_event_is_a_deletion_of_the_meeting_and_its_history() -> None:
    batch, removals = normalise.events(CALENDAR, [_event(status="cancelled")], AFTER)

    assert batch.entities == batch.activities == ()
    assert [(r.ref.source_id, r.kind, r.with_history) for r in removals] == [
        ("event:ev1", "entity", True)
    ]


def test_what_is_not_a_meeting_or_ended_before_the_backfill_is_left_out() -> None:
    focus = _event(id="f", eventType="focusTime")
    old = _event(
        id="o", start={"dateTime": "2025-01-05T10:00:00Z"}, end={"dateTime": "2025-01-05T11:00:00Z"}
    )
    all_day = _event(id="d", start={"date": "2026-01-06"}, end={"date": "2026-01-07"})

    batch, _ = normalise.events(CALENDAR, [focus, old, all_day], AFTER)

    (meeting,) = [e for e in batch.entities if e.type == "meeting"]
    attributes = {a.name: a.value for a in meeting.attributes}
    assert meeting.ref.source_id == "event:d"
    assert (attributes["start"], attributes["all_day"]) == ("2026-01-06T00:00:00+00:00", True)
