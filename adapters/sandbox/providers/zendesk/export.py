"""Zendesk incremental exports: cursor-based tickets, one-minute lag; and the listings.

The tickets come from the seeded company's index of ticket versions (``ticket_versions``), so
a page costs O(page) however many tickets there are. The overlay (``sandbox.mutations``) is laid
over it per request: tickets it changed, touched or deleted are left out of the index walk and
exported from their overlaid state instead, so a deletion shows up as ``status: deleted``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from litestar import Request

from adapters.sandbox.mutations import Mutations
from adapters.sandbox.providers.zendesk.records import (
    TicketState,
    organization,
    ticket,
    ticket_state,
    user,
)
from adapters.sandbox.reply import ProviderError, Reply
from adapters.sandbox.sandbox import Sandbox
from adapters.sandbox.seed.dataset import Dataset

AnyRequest = Request[Any, Any, Any]
LAG = timedelta(minutes=1)  # changes from the last minute are not exported yet
PAGE = 1000
Position = tuple[datetime, int]  # (updated, ticket key): where the ticket stream stopped


def bad(error: str, description: str, status: int = 400) -> ProviderError:
    return ProviderError(Reply(status=status, body={"error": error, "description": description}))


def start_time(request: AnyRequest, now: datetime) -> datetime:
    raw = request.query_params.get("start_time", "")
    if not raw.isdigit():
        raise bad("InvalidValue", "start_time is required and must be a Unix time in seconds")
    start = datetime.fromtimestamp(int(raw), UTC)
    if start > now - LAG:
        raise bad("InvalidValue", "Too recent start_time. Use a start_time older than one minute.")
    return start


def per_page(request: AnyRequest) -> int:
    raw = request.query_params.get("per_page", "")
    return min(PAGE, max(1, int(raw))) if raw.isdigit() else PAGE


def ticket_cursor_export(sandbox: Sandbox, request: AnyRequest, base: str) -> Reply:
    now = sandbox.clock.now()
    horizon = now - LAG
    cursor = request.query_params.get("cursor")
    if cursor:
        status, position = sandbox.cursors.resolve("zendesk", "tickets", cursor)
        if status != "ok":
            raise bad("InvalidPaginationParameter", "cursor is invalid or has expired")
    else:
        position = (start_time(request, now) - timedelta(microseconds=1), -1)
    size = per_page(request)
    rows = _seeded_rows(sandbox.dataset, sandbox.mutations, position, horizon, size + 1)
    rows += _overlaid_rows(sandbox.dataset, sandbox.mutations, position, horizon)
    rows.sort(key=lambda r: (r[0], r[1]))
    page = rows[:size]
    # The cursor remembers where the stream stopped, so a later call picks up newer changes.
    last = (page[-1][0], page[-1][1]) if page else position
    after = sandbox.cursors.issue("zendesk", "tickets", last)
    tickets = sandbox.dataset.tickets
    body = {
        "tickets": [ticket(sandbox.dataset, tickets[key], state, base) for _, key, state in page],
        "after_url": f"{base}/incremental/tickets/cursor.json?cursor={after}",
        "after_cursor": after,
        "before_url": None,
        "before_cursor": None,
        "end_of_stream": len(rows) <= size,
    }
    return Reply(status=200, body=body)


Row = tuple[datetime, int, TicketState]


def _seeded_rows(
    d: Dataset, mutations: Mutations, position: Position, horizon: datetime, most: int
) -> list[Row]:
    """Up to ``most`` tickets the overlay leaves alone, after ``position``, each at its latest
    seeded version by ``horizon``: the index walked from the cursor, one page and one more."""
    changed = mutations.changed_keys("ticket")
    versions, rows = d.ticket_versions, list[Row]()
    for i in range(bisect_right(versions, position, key=lambda v: (v.at, v.ticket)), len(versions)):
        version = versions[i]
        if version.at > horizon or len(rows) == most:
            break
        current = version.until is None or version.until > horizon
        if current and version.ticket not in changed:
            state = ticket_state(mutations, d.tickets[version.ticket], horizon)
            if state is not None:  # always: the version is at or before the horizon
                rows.append((version.at, version.ticket, state))
    return rows


def _overlaid_rows(
    d: Dataset, mutations: Mutations, position: Position, horizon: datetime
) -> list[Row]:
    """The tickets the overlay changed, touched or deleted, as they are now, after ``position``."""
    rows = []
    for key in mutations.changed_keys("ticket"):
        if not 0 <= key < len(d.tickets):
            continue  # a key the control API was given that names no ticket
        state = ticket_state(mutations, d.tickets[key], horizon)
        if state is not None and (state.updated, key) > position:
            rows.append((state.updated, key, state))
    return rows


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
            raise bad("InvalidPaginationParameter", "cursor is invalid or has expired")
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
