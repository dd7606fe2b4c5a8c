"""Google Calendar API v3: event lists with page tokens, sync tokens, 410 and cancelled events."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from litestar import Request, Response, Router, get
from litestar.params import FromPath

from adapters.sandbox.bearer import authorized
from adapters.sandbox.providers.google.profile import (
    CALENDAR_EVENTS_READONLY,
    CALENDAR_READONLY,
    GoogleProfile,
    google_error,
)
from adapters.sandbox.providers.ids import calendar_event_id
from adapters.sandbox.reply import ProviderError, Reply
from adapters.sandbox.sandbox import Sandbox
from adapters.sandbox.seed.dataset import Dataset
from adapters.sandbox.seed.model import Meeting

AnyRequest = Request[Any, Any, Any]
NOT_WITH_SYNC = ("timeMin", "timeMax", "updatedMin", "q", "orderBy", "iCalUID")


@dataclass(frozen=True)
class _Listing:
    since: datetime | None  # None: a full sync
    snapshot: datetime
    show_deleted: bool
    ids: tuple[int, ...]


def _fail(status: int, message: str, reason: str) -> ProviderError:
    body = {
        "error": {
            "errors": [{"domain": "global", "reason": reason, "message": message}],
            "code": status,
            "message": message,
        }
    }
    return ProviderError(Reply(status=status, body=body))


def calendar_router(sandbox: Sandbox, profile: GoogleProfile) -> Router:
    @get("/calendars/{calendar_id:str}/events")
    async def events(request: AnyRequest, calendar_id: FromPath[str]) -> Response[bytes]:
        family = authorized(sandbox, profile, request, CALENDAR_READONLY, CALENDAR_EVENTS_READONLY)
        if calendar_id not in ("primary", family.subject):
            raise ProviderError(google_error(404, "Not Found", "notFound", "NOT_FOUND"))
        person = sandbox.dataset.person(family.subject)
        assert person is not None  # noqa: S101 - subjects are seeded people
        listing, offset = _listing(sandbox, request, person.key)
        return _page(sandbox, request, listing, offset, family.subject).to_response()

    @get("/users/me/calendarList")
    async def calendar_list(request: AnyRequest) -> Response[bytes]:
        family = authorized(sandbox, profile, request, CALENDAR_READONLY)
        person = sandbox.dataset.person(family.subject)
        entry = {
            "kind": "calendar#calendarListEntry",
            "id": family.subject,
            "summary": family.subject,
            "timeZone": person.timezone if person else "UTC",
            "accessRole": "owner",
            "primary": True,
        }
        return Reply(
            status=200, body={"kind": "calendar#calendarList", "items": [entry]}
        ).to_response()

    return Router(
        path="/calendar/v3", route_handlers=[events, calendar_list], include_in_schema=False
    )


def _resolve(sandbox: Sandbox, kind: str, token: str, name: str) -> Any:
    status, payload = sandbox.cursors.resolve("google", kind, token)
    if status == "expired":
        message = "Sync token is no longer valid, a full sync is required."
        raise _fail(410, message, "fullSyncRequired")
    if status != "ok":
        raise _fail(400, f"Invalid {name} value.", "invalid")
    return payload


def _listing(sandbox: Sandbox, request: AnyRequest, person: int) -> tuple[_Listing, int]:
    params = request.query_params
    page_token = params.get("pageToken")
    if page_token:
        listing, offset = _resolve(sandbox, "calendar-page", page_token, "page token")
        return listing, offset
    now = sandbox.clock.now()
    sync_token = params.get("syncToken")
    if sync_token:
        if any(name in params for name in NOT_WITH_SYNC):
            raise _fail(400, "Some of the parameters cannot be combined with syncToken.", "invalid")
        since = _resolve(sandbox, "calendar-sync", sync_token, "sync token")
        changed = [m for m in _mine(sandbox.dataset, person) if since < _updated(m, now) <= now]
        return _Listing(
            since=since, snapshot=now, show_deleted=True, ids=tuple(m.key for m in changed)
        ), 0
    if params.get("orderBy") == "startTime" and params.get("singleEvents") != "true":
        raise _fail(
            400, "The requested ordering is not available for the particular query.", "invalid"
        )
    show_deleted = params.get("showDeleted") == "true"
    mine = [
        m
        for m in _mine(sandbox.dataset, person)
        if m.created <= now and (show_deleted or not _cancelled(m, now))
    ]
    mine = [m for m in mine if _in_window(m, now, params.get("timeMin"), params.get("timeMax"))]
    mine.sort(key=lambda m: (_timing(m, now)[0], m.key))
    return _Listing(
        since=None, snapshot=now, show_deleted=show_deleted, ids=tuple(m.key for m in mine)
    ), 0


def _page(
    sandbox: Sandbox, request: AnyRequest, listing: _Listing, offset: int, owner: str
) -> Reply:
    raw = request.query_params.get("maxResults", "250")
    size = min(2500, max(1, int(raw))) if raw.isdigit() else 250
    chunk = listing.ids[offset : offset + size]
    meetings = sandbox.dataset.meetings_by_key
    body: dict[str, Any] = {
        "kind": "calendar#events",
        "etag": f'"{int(listing.snapshot.timestamp() * 1000)}"',
        "summary": owner,
        "updated": _iso(listing.snapshot),
        "timeZone": "UTC",
        "accessRole": "owner",
        "defaultReminders": [],
        "items": [_event(sandbox.dataset, meetings[k], listing.snapshot, owner) for k in chunk],
    }
    if offset + size < len(listing.ids):
        body["nextPageToken"] = sandbox.cursors.issue(
            "google", "calendar-page", (listing, offset + size)
        )
    else:
        # Only the last page carries the sync token, and it remembers the listing's moment.
        body["nextSyncToken"] = sandbox.cursors.issue("google", "calendar-sync", listing.snapshot)
    return Reply(status=200, body=body)


def _mine(dataset: Dataset, person: int) -> list[Meeting]:
    return [
        m
        for m in dataset.meetings
        if person == m.organizer or any(p == person for p, _ in m.attendees)
    ]


def _cancelled(m: Meeting, now: datetime) -> bool:
    return m.cancelled_at is not None and m.cancelled_at <= now


def _timing(m: Meeting, now: datetime) -> tuple[datetime, datetime]:
    if m.moved_at is not None and m.moved_at > now and m.original_start is not None:
        return m.original_start, m.original_start + (m.end - m.start)
    return m.start, m.end


def _updated(m: Meeting, now: datetime) -> datetime:
    moments = [m.created, *(t for t in (m.moved_at, m.cancelled_at) if t is not None and t <= now)]
    return max(moments)


def _in_window(m: Meeting, now: datetime, time_min: str | None, time_max: str | None) -> bool:
    start, end = _timing(m, now)
    if time_min and end <= _parse(time_min):
        return False
    return not (time_max and start >= _parse(time_max))


def _parse(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        raise _fail(400, "Bad Request", "badRequest") from None


def _iso(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def _event(dataset: Dataset, m: Meeting, now: datetime, owner: str) -> dict[str, Any]:
    event_id = calendar_event_id(m.key)
    updated = _updated(m, now)
    base = {
        "kind": "calendar#event",
        "etag": f'"{int(updated.timestamp() * 1000)}"',
        "id": event_id,
    }
    if _cancelled(m, now):
        return {**base, "status": "cancelled", "updated": _iso(updated)}
    start, end = _timing(m, now)
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
        "created": _iso(m.created),
        "updated": _iso(updated),
        "summary": m.summary,
        "description": m.description,
        "creator": {"email": organizer},
        "organizer": {"email": organizer},
        "start": {"dateTime": start.strftime("%Y-%m-%dT%H:%M:%SZ"), "timeZone": "UTC"},
        "end": {"dateTime": end.strftime("%Y-%m-%dT%H:%M:%SZ"), "timeZone": "UTC"},
        "iCalUID": f"{event_id}@google.com",
        "sequence": 1 if m.moved_at and m.moved_at <= now else 0,
        "attendees": attendees,
        "eventType": "default",
    }
