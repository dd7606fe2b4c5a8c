"""Zendesk incremental exports: cursor-based tickets, time-based ticket events, one-minute lag."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from litestar import Request

from adapters.sandbox.providers.zendesk.records import organization, ticket, user
from adapters.sandbox.reply import ProviderError, Reply
from adapters.sandbox.sandbox import Sandbox
from adapters.sandbox.seed.indexes import Step
from adapters.sandbox.seed.model import Ticket

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
    size = _per_page(request)
    # A ticket is exported at its current status change: walk the changes after the cursor in
    # time order (an index), keeping those still current at the horizon, one more than a page.
    steps, rows = sandbox.dataset.ticket_steps, list[Step]()
    for i in range(bisect_right(steps, position, key=lambda s: (s.at, s.ticket)), len(steps)):
        step = steps[i]
        if step.at > horizon or len(rows) > size:
            break
        if step.until is None or step.until > horizon:
            rows.append(step)
    page = rows[:size]
    # The cursor remembers where the stream stopped, so a later call picks up newer changes.
    last = (page[-1].at, page[-1].ticket) if page else position
    after = sandbox.cursors.issue("zendesk", "tickets", last)
    body = {
        "tickets": [
            ticket(sandbox.dataset, sandbox.dataset.tickets[s.ticket], horizon, base) for s in page
        ],
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
    size = _per_page(request)
    # Status changes in export order are an index: bisect to ``start``, read one past a page.
    steps, events = sandbox.dataset.ticket_steps, list[Step]()
    for i in range(bisect_left(steps, start, key=lambda s: s.at), len(steps)):
        if steps[i].at > horizon or len(events) > size:
            break
        events.append(steps[i])
    page = events[:size]
    end_time = int(page[-1].at.timestamp()) if page else int(start.timestamp())
    body: dict[str, Any] = {
        "ticket_events": [_event(sandbox.dataset.tickets[s.ticket], s.position) for s in page],
        "count": len(page),
        "end_of_stream": len(events) <= size,
        "end_time": end_time,
        "next_page": f"{base}/incremental/ticket_events.json?start_time={end_time}",
    }
    return Reply(status=200, body=body)


def _event(t: Ticket, index: int) -> dict[str, Any]:
    change = t.statuses[index]
    previous = t.statuses[index - 1].value if index else None
    event_id = 9_000_000_000 + t.key * 100 + index
    child = {
        "id": event_id * 10,
        "via": "Web form",
        "via_reference_id": None,
        "status": change.value,
        "event_type": "Change" if previous else "Create",
        "previous_value": previous,
        "field_name": "status",
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
    items: Sequence[Any],
    render: Callable[[Any], dict[str, Any]],
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
    chunk = [render(item) for item in items[offset : offset + size]]
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
    items = sandbox.dataset.people
    render = partial(user, base=base)  # only the page is rendered
    return _listing(sandbox, request, "users", items, render, base=base, path="users.json")


def organizations(sandbox: Sandbox, request: AnyRequest, base: str) -> Reply:
    items, render = sandbox.dataset.accounts, partial(organization, base=base)
    path = "organizations.json"
    return _listing(sandbox, request, "organizations", items, render, base=base, path=path)
