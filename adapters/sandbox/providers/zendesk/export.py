"""Zendesk incremental exports: cursor-based tickets, time-based ticket events, one-minute lag."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Request

from adapters.sandbox.providers.zendesk.records import (
    USER_BASE,
    organization,
    ticket,
    ticket_state,
    user,
)
from adapters.sandbox.reply import ProviderError, Reply
from adapters.sandbox.sandbox import Sandbox

AnyRequest = Request[Any, Any, Any]
LAG = timedelta(minutes=1)  # changes from the last minute are not exported yet
PAGE = 1000


def _bad(error: str, description: str, status: int = 400) -> ProviderError:
    return ProviderError(Reply(status=status, body={"error": error, "description": description}))


def _start_time(request: AnyRequest, now: datetime) -> datetime:
    raw = request.query_params.get("start_time", "")
    if not raw.isdigit():
        raise _bad("InvalidValue", "start_time is required and must be a Unix time in seconds")
    start = datetime.fromtimestamp(int(raw), UTC)
    if start > now - LAG:
        raise _bad("InvalidValue", "Too recent start_time. Use a start_time older than one minute.")
    return start


def _per_page(request: AnyRequest) -> int:
    raw = request.query_params.get("per_page", "")
    return min(PAGE, max(1, int(raw))) if raw.isdigit() else PAGE


def ticket_cursor_export(sandbox: Sandbox, request: AnyRequest, base: str) -> Reply:
    now = sandbox.clock.now()
    horizon = now - LAG
    cursor = request.query_params.get("cursor")
    if cursor:
        status, position = sandbox.cursors.resolve("zendesk", "tickets", cursor)
        if status != "ok":
            raise _bad("InvalidPaginationParameter", "cursor is invalid or has expired")
    else:
        position = (_start_time(request, now) - timedelta(microseconds=1), -1)
    rows = []
    for t in sandbox.dataset.tickets:
        state = ticket_state(sandbox.mutations, t, horizon)
        if state is not None and (state.updated, t.key) > position:
            rows.append((state.updated, t.key, t, state))
    rows.sort(key=lambda r: (r[0], r[1]))
    size = _per_page(request)
    page = rows[:size]
    # The cursor remembers where the stream stopped, so a later call picks up newer changes.
    last = (page[-1][0], page[-1][1]) if page else position
    after = sandbox.cursors.issue("zendesk", "tickets", last)
    body = {
        "tickets": [ticket(sandbox.dataset, t, state, base) for _, _, t, state in page],
        "after_url": f"{base}/incremental/tickets/cursor.json?cursor={after}",
        "after_cursor": after,
        "before_url": None,
        "before_cursor": None,
        "end_of_stream": len(rows) <= size,
    }
    return Reply(status=200, body=body)


def ticket_events(sandbox: Sandbox, request: AnyRequest, base: str) -> Reply:
    now = sandbox.clock.now()
    start = _start_time(request, now)
    horizon = now - LAG
    events = []
    for t in sandbox.dataset.tickets:
        if sandbox.mutations.deleted_at("ticket", t.key, horizon) is not None:
            continue  # a deleted ticket's audits go with it
        # Event ids stay what they were when a change is appended: seeded changes are numbered
        # by their place in the seeded history, appended ones after them.
        numbered = [(c, i) for i, c in enumerate(t.statuses)]
        numbered += [(c, 80 + i) for i, c in enumerate(sandbox.mutations.appended("ticket", t.key))]
        numbered = sorted((n for n in numbered if n[0].at <= horizon), key=lambda n: n[0].at)
        for position, (change, index) in enumerate(numbered):
            if change.at >= start:
                previous = numbered[position - 1][0].value if position else None
                events.append((change, t, previous, index, "status"))
        for index, handover in enumerate(t.reassignments):
            if start <= handover.at <= horizon:
                previous = str(t.assignee if index == 0 else t.reassignments[index - 1].value)
                events.append((handover, t, previous, 50 + index, "assignee_id"))
    events.sort(key=lambda e: (e[0].at, e[1].key, e[3]))
    size = _per_page(request)
    page = events[:size]
    end_time = int(page[-1][0].at.timestamp()) if page else int(start.timestamp())
    body: dict[str, Any] = {
        "ticket_events": [
            _event(t, change, previous, index, field) for change, t, previous, index, field in page
        ],
        "count": len(page),
        "end_of_stream": len(events) <= size,
        "end_time": end_time,
        "next_page": f"{base}/incremental/ticket_events.json?start_time={end_time}",
    }
    return Reply(status=200, body=body)


def _event(t: Any, change: Any, previous: str | None, index: int, field: str) -> dict[str, Any]:
    event_id = 9_000_000_000 + t.key * 100 + index
    child: dict[str, Any] = {
        "id": event_id * 10,
        "via": "Web form",
        "via_reference_id": None,
        "event_type": "Change" if previous else "Create",
        "field_name": field,
    }
    if field == "status":
        child |= {"status": change.value, "previous_value": previous}
    else:  # Zendesk reports ids as strings in a change's value and previous_value
        child |= {
            "value": str(USER_BASE + int(change.value)),
            "previous_value": str(USER_BASE + int(previous)) if previous else None,
        }
    stamp = change.at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "id": event_id,
        "ticket_id": 1001 + t.key,
        "timestamp": int(change.at.timestamp()),
        "created_at": stamp,
        "updater_id": 380_000_000 + change.by,
        "via": "Web form",
        "event_type": "Audit",
        "child_events": [child],
    }


def _listing(
    sandbox: Sandbox,
    request: AnyRequest,
    kind: str,
    items: list[dict[str, Any]],
    *,
    base: str,
    path: str,
) -> Reply:
    size_raw = request.query_params.get("page[size]", "100")
    size = min(100, max(1, int(size_raw))) if size_raw.isdigit() else 100
    offset = 0
    after = request.query_params.get("page[after]")
    if after:
        status, payload = sandbox.cursors.resolve("zendesk", kind, after)
        if status != "ok":
            raise _bad("InvalidPaginationParameter", "cursor is invalid or has expired")
        offset = payload
    chunk = items[offset : offset + size]
    more = offset + size < len(items)
    handle = sandbox.cursors.issue("zendesk", kind, offset + size) if more else None
    links = {
        "prev": None,
        "next": f"{base}/{path}?page[size]={size}&page[after]={handle}" if handle else None,
    }
    return Reply(
        status=200,
        body={
            kind: chunk,
            "meta": {"has_more": more, "after_cursor": handle, "before_cursor": None},
            "links": links,
        },
    )


def users(sandbox: Sandbox, request: AnyRequest, base: str) -> Reply:
    items = [user(p, base) for p in sandbox.dataset.people]
    return _listing(sandbox, request, "users", items, base=base, path="users.json")


def organizations(sandbox: Sandbox, request: AnyRequest, base: str) -> Reply:
    items = [organization(a, base) for a in sandbox.dataset.accounts]
    return _listing(sandbox, request, "organizations", items, base=base, path="organizations.json")
