"""Zendesk's incremental ticket event export: status changes and hand-overs, by time.

The seeded changes come from the company's index (``ticket_changes``): bisected to
``start_time`` and read one page and one more, so a call costs O(page). Tickets the overlay
(``sandbox.mutations``) changed or deleted are left out of that walk and their events rebuilt
per request: an appended status change joins the ticket's history, and a deleted ticket's
audits go with it.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import datetime
from typing import Any

from adapters.sandbox.mutations import Mutations
from adapters.sandbox.providers.zendesk.export import LAG, AnyRequest, per_page, start_time
from adapters.sandbox.providers.zendesk.records import USER_BASE
from adapters.sandbox.reply import Reply
from adapters.sandbox.sandbox import Sandbox
from adapters.sandbox.seed.dataset import Dataset
from adapters.sandbox.seed.indexes import TicketChange
from adapters.sandbox.seed.model import Change, Ticket

# Event ids are ticket * 100 + index: seeded status changes by their place in the seeded
# history, hand-overs from 50 and changes appended through the overlay from 80, so an id
# stays what it was when a change is appended.
HANDOVERS, APPENDED = 50, 80
# (change, ticket, previous value, index, field): one child event of an audit.
Event = tuple[Change, Ticket, str | None, int, str]


def ticket_events(sandbox: Sandbox, request: AnyRequest, base: str) -> Reply:
    now = sandbox.clock.now()
    start = start_time(request, now)
    horizon = now - LAG
    size = per_page(request)
    events = _seeded(sandbox.dataset, sandbox.mutations, start, horizon, size + 1)
    for key in sandbox.mutations.changed_keys("ticket"):
        if 0 <= key < len(sandbox.dataset.tickets):  # a made-up key names no ticket
            events += _overlaid(sandbox.mutations, sandbox.dataset.tickets[key], start, horizon)
    events.sort(key=lambda e: (e[0].at, e[1].key, e[3]))
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


def _seeded(
    d: Dataset, mutations: Mutations, start: datetime, horizon: datetime, most: int
) -> list[Event]:
    """Up to ``most`` seeded changes from ``start`` to ``horizon`` of tickets the overlay
    leaves alone."""
    changed = mutations.changed_keys("ticket")
    changes, events = d.ticket_changes, list[Event]()
    for i in range(bisect_left(changes, start, key=lambda c: c.at), len(changes)):
        change = changes[i]
        if change.at > horizon or len(events) == most:
            break
        if change.ticket not in changed:
            events.append(_seeded_event(d.tickets[change.ticket], change))
    return events


def _seeded_event(t: Ticket, change: TicketChange) -> Event:
    i = change.position
    if change.handover:
        previous = str(t.assignee if i == 0 else t.reassignments[i - 1].value)
        return t.reassignments[i], t, previous, HANDOVERS + i, "assignee_id"
    return t.statuses[i], t, t.statuses[i - 1].value if i else None, i, "status"


def _overlaid(mutations: Mutations, t: Ticket, start: datetime, horizon: datetime) -> list[Event]:
    """The events of a ticket the overlay changed, from ``start`` to ``horizon``."""
    if mutations.deleted_at("ticket", t.key, horizon) is not None:
        return []  # a deleted ticket's audits go with it
    numbered = [(c, i) for i, c in enumerate(t.statuses)]
    numbered += [(c, APPENDED + i) for i, c in enumerate(mutations.appended("ticket", t.key))]
    numbered = sorted((n for n in numbered if n[0].at <= horizon), key=lambda n: n[0].at)
    events: list[Event] = []
    for position, (change, index) in enumerate(numbered):
        if change.at >= start:
            previous = numbered[position - 1][0].value if position else None
            events.append((change, t, previous, index, "status"))
    for index, handover in enumerate(t.reassignments):
        if start <= handover.at <= horizon:
            previous = str(t.assignee if index == 0 else t.reassignments[index - 1].value)
            events.append((handover, t, previous, HANDOVERS + index, "assignee_id"))
    return events


def _event(
    t: Ticket, change: Change, previous: str | None, index: int, field: str
) -> dict[str, Any]:
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


def audits(mutations: Mutations, t: Ticket, now: datetime) -> list[dict[str, Any]]:
    """The ticket's audits up to ``now``, as ``tickets/{id}/audits`` lists them: its creation
    carries the first comment (the description), as Zendesk's creation audit does.

    An audit is not a ticket event: it has ``author_id``, ``metadata`` and a ``via`` object,
    and its events name their kind in ``type`` with the field's ``value`` (Zendesk's Ticket
    Audits reference), where the incremental export says ``event_type`` and ``via`` as text.
    """
    start = datetime.min.replace(tzinfo=now.tzinfo)
    found = []
    for change, ticket, previous, index, field in _overlaid(mutations, t, start, now):
        event = _event(ticket, change, previous, index, field)
        (child,) = event["child_events"]
        item: dict[str, Any] = {
            "id": child["id"],
            "type": child["event_type"],
            "field_name": field,
            "value": child["status"] if field == "status" else child["value"],
        }
        if child["event_type"] == "Change":
            item["previous_value"] = child["previous_value"]
        events = [item]
        if previous is None and field == "status":
            comment = {"id": event["id"] * 10 + 1, "type": "Comment",
                       "author_id": event["updater_id"], "body": t.description, "public": True,
                       "attachments": [], "audit_id": event["id"]}  # fmt: skip
            events.insert(0, comment)
        found.append({
            "id": event["id"],
            "ticket_id": event["ticket_id"],
            "created_at": event["created_at"],
            "author_id": event["updater_id"],
            "metadata": {"system": {}, "custom": {}},
            "via": {"channel": "web", "source": {"from": {}, "to": {}, "rel": None}},
            "events": events,
        })  # fmt: skip
    return found
