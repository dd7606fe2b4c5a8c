"""Google Calendar API v3: event lists with page tokens, sync tokens, 410 and cancelled events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from litestar import Request, Response, Router, get
from litestar.params import FromPath

from adapters.sandbox.bearer import authorized
from adapters.sandbox.providers.google import events
from adapters.sandbox.providers.google.events import event as render_event
from adapters.sandbox.providers.google.events import mine
from adapters.sandbox.providers.google.profile import (
    CALENDAR_EVENTS_READONLY,
    CALENDAR_READONLY,
    GoogleProfile,
    google_error,
)
from adapters.sandbox.providers.ids import calendar_event_id
from adapters.sandbox.reply import ProviderError, Reply
from adapters.sandbox.sandbox import Sandbox
from adapters.sandbox.seed.model import Meeting

AnyRequest = Request[Any, Any, Any]
NOT_WITH_SYNC = ("timeMin", "timeMax", "updatedMin", "q", "orderBy", "iCalUID")


@dataclass(frozen=True)
class _Listing:
    snapshot: datetime  # the moment the listing shows (its later pages too)
    ids: tuple[int, ...]


def _fail(status: int, message: str, reason: str, **where: str) -> ProviderError:
    # The Calendar guide's shapes (developers.google.com/calendar/api/guides/errors): no
    # ``status``; Calendar's own reasons come from the "calendar" domain.
    domain = "calendar" if reason == "fullSyncRequired" else "global"
    error = {"domain": domain, "reason": reason, "message": message, **where}
    body = {"error": {"errors": [error], "code": status, "message": message}}
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

    @get("/calendars/{calendar_id:str}/events/{event_id:str}")
    async def one_event(
        request: AnyRequest, calendar_id: FromPath[str], event_id: FromPath[str]
    ) -> Response[bytes]:
        family = authorized(sandbox, profile, request, CALENDAR_READONLY, CALENDAR_EVENTS_READONLY)
        person = sandbox.dataset.person(family.subject)
        now = sandbox.clock.now()
        if calendar_id not in ("primary", family.subject) or person is None:
            raise ProviderError(google_error(404, "Not Found", "notFound", "NOT_FOUND"))
        for meeting in mine(sandbox.dataset, person.key):
            if calendar_event_id(meeting.key) == event_id and meeting.created <= now:
                body = render_event(
                    sandbox.dataset, meeting, now, family.subject, sandbox.mutations
                )
                return Reply(status=200, body=body).to_response()
        raise ProviderError(google_error(404, "Not Found", "notFound", "NOT_FOUND"))

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
        path="/calendar/v3",
        route_handlers=[events, one_event, calendar_list],
        include_in_schema=False,
    )


def _resolve(sandbox: Sandbox, kind: str, token: str, name: str) -> Any:
    status, payload = sandbox.cursors.resolve("google", kind, token)
    if status == "expired":
        message = "Sync token is no longer valid, a full sync is required."
        parameter = "syncToken" if kind == "calendar-sync" else "pageToken"
        raise _fail(410, message, "fullSyncRequired", locationType="parameter", location=parameter)
    if status != "ok":
        raise _fail(400, f"Invalid {name} value.", "invalid")
    return payload


def _listing(sandbox: Sandbox, request: AnyRequest, person: int) -> tuple[_Listing, int]:
    params = request.query_params
    page_token = params.get("pageToken")
    if page_token:
        listing, offset = _resolve(sandbox, "calendar-page", page_token, "page token")
        return listing, offset
    now, mutations = sandbox.clock.now(), sandbox.mutations
    ours = [m for m in events.mine(sandbox.dataset, person) if m.created <= now]
    sync_token = params.get("syncToken")
    if sync_token:
        if any(name in params for name in NOT_WITH_SYNC):
            raise _fail(400, "Some of the parameters cannot be combined with syncToken.", "invalid")
        seen: dict[int, datetime] = _resolve(sandbox, "calendar-sync", sync_token, "sync token")
        # Every event whose state differs from the one the token saw, however close in time
        # the change came to the token: a sync token is a position, not a timestamp.
        changed = [m for m in ours if seen.get(m.key) != events.updated(m, now, mutations)]
        changed.sort(key=lambda m: (events.updated(m, now, mutations), m.key))
        return _Listing(snapshot=now, ids=tuple(m.key for m in changed)), 0
    if params.get("orderBy") == "startTime" and params.get("singleEvents") != "true":
        raise _fail(
            400, "The requested ordering is not available for the particular query.", "invalid"
        )
    show_deleted = params.get("showDeleted") == "true"
    listed = [m for m in ours if show_deleted or not events.cancelled(m, now, mutations)]
    listed = [m for m in listed if _in_window(m, now, params.get("timeMin"), params.get("timeMax"))]
    listed.sort(key=lambda m: (events.timing(m, now)[0], m.key))
    return _Listing(snapshot=now, ids=tuple(m.key for m in listed)), 0


def _page(
    sandbox: Sandbox, request: AnyRequest, listing: _Listing, offset: int, owner: str
) -> Reply:
    raw = request.query_params.get("maxResults", "250")
    size = min(2500, max(1, int(raw))) if raw.isdigit() else 250
    chunk = listing.ids[offset : offset + size]
    dataset, mutations, now = sandbox.dataset, sandbox.mutations, listing.snapshot
    meetings = dataset.meetings_by_key
    body: dict[str, Any] = {
        "kind": "calendar#events",
        "etag": f'"{int(now.timestamp() * 1000)}"',
        "summary": owner,
        "updated": events.iso(now),
        "timeZone": "UTC",
        "accessRole": "owner",
        "defaultReminders": [],
        "items": [events.event(dataset, meetings[k], now, owner, mutations) for k in chunk],
    }
    if offset + size < len(listing.ids):
        body["nextPageToken"] = sandbox.cursors.issue(
            "google", "calendar-page", (listing, offset + size)
        )
    else:
        # Only the last page carries the sync token: what every event looked like at the
        # listing's moment (the next incremental listing returns those that changed since).
        person = dataset.person(owner)
        ours = events.mine(dataset, person.key) if person else []
        seen = {m.key: events.updated(m, now, mutations) for m in ours if m.created <= now}
        body["nextSyncToken"] = sandbox.cursors.issue("google", "calendar-sync", seen)
    return Reply(status=200, body=body)


def _in_window(m: Meeting, now: datetime, time_min: str | None, time_max: str | None) -> bool:
    start, end = events.timing(m, now)
    if time_min and end <= _parse(time_min):
        return False
    return not (time_max and start >= _parse(time_max))


def _parse(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        raise _fail(400, "Bad Request", "badRequest") from None
