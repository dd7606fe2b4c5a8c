"""A seeded meeting as one calendar's event at a moment: its times, status, and last change.

The overlay (``sandbox.mutations``) counts too: a deleted meeting is a cancelled event from
the moment of its deletion, and a touched one was updated then (nothing visible changes).
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from adapters.sandbox.mutations import Mutations
from adapters.sandbox.providers.ids import calendar_event_id
from adapters.sandbox.seed.dataset import Dataset
from adapters.sandbox.seed.model import Meeting


def mine(dataset: Dataset, person: int) -> list[Meeting]:
    return [
        m
        for m in dataset.meetings
        if person == m.organizer or any(p == person for p, _ in m.attendees)
    ]


def cancelled(m: Meeting, now: datetime, mutations: Mutations) -> bool:
    if m.cancelled_at is not None and m.cancelled_at <= now:
        return True
    return mutations.deleted_at("meeting", m.key, now) is not None


def timing(m: Meeting, now: datetime) -> tuple[datetime, datetime]:
    if m.moved_at is not None and m.moved_at > now and m.original_start is not None:
        return m.original_start, m.original_start + (m.end - m.start)
    return m.start, m.end


def updated(m: Meeting, now: datetime, mutations: Mutations) -> datetime:
    moments = [m.created, *(t for t in (m.moved_at, m.cancelled_at) if t is not None and t <= now)]
    return mutations.modified_at("meeting", m.key, max(moments), now)


def iso(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def event(
    dataset: Dataset, m: Meeting, now: datetime, owner: str, mutations: Mutations
) -> dict[str, Any]:
    event_id = calendar_event_id(m.key)
    changed = updated(m, now, mutations)
    base = {
        "kind": "calendar#event",
        "etag": f'"{int(changed.timestamp() * 1000)}"',
        "id": event_id,
    }
    if cancelled(m, now, mutations):
        return {**base, "status": "cancelled", "updated": iso(changed)}
    start, end = timing(m, now)
    organizer = dataset.people[m.organizer].email
    eid = base64.urlsafe_b64encode(f"{event_id} {owner}".encode()).decode().rstrip("=")
    attendees = [
        {
            "email": dataset.people[p].email,
            "responseStatus": r,
            **({"organizer": True} if p == m.organizer else {}),
            **({"self": True} if dataset.people[p].email == owner else {}),
        }
        for p, r in m.attendees
    ]
    return {
        **base,
        "status": "confirmed",
        "htmlLink": f"https://www.google.com/calendar/event?eid={eid}",
        "created": iso(m.created),
        "updated": iso(changed),
        "summary": m.summary,
        "description": m.description,
        "creator": {"email": organizer, **({"self": True} if organizer == owner else {})},
        "organizer": {"email": organizer, **({"self": True} if organizer == owner else {})},
        "start": {"dateTime": start.strftime("%Y-%m-%dT%H:%M:%SZ"), "timeZone": "UTC"},
        "end": {"dateTime": end.strftime("%Y-%m-%dT%H:%M:%SZ"), "timeZone": "UTC"},
        "iCalUID": f"{event_id}@google.com",
        "sequence": 1 if m.moved_at and m.moved_at <= now else 0,
        "attendees": attendees,
        "eventType": "default",
    }
