"""The Zendesk normaliser keeps its allow-list: a ticket's subject, description and comments
never reach a graph record, because they are never even decoded."""

from __future__ import annotations

import msgspec

from adapters.connectors.zendesk import normalise
from adapters.connectors.zendesk.records import EventPage, TicketPage

SOURCE = normalise.Source(scope="conn-1", account="acme", web_base="https://acme.zendesk.com")
SECRET = "SUBJECT-THAT-MUST-NOT-BE-STORED"

TICKETS = {
    "tickets": [
        {
            "id": 1234,
            "status": "open",
            "subject": SECRET,
            "raw_subject": SECRET,
            "description": SECRET,
            "comment": {"body": SECRET},
            "created_at": "2026-01-10T10:00:00Z",
            "updated_at": "2026-01-11T10:00:00Z",
            "requester_id": 7,
            "assignee_id": 8,
            "organization_id": 9,
            "tags": ["sso"],
            "via": {"channel": "email", "source": {"from": {"name": SECRET}}},
        },
        {"id": 99, "status": "deleted", "subject": SECRET,
         "created_at": "2026-01-10T10:00:00Z", "updated_at": "2026-01-12T10:00:00Z"},
    ],
    "end_of_stream": True,
}  # fmt: skip


def test_a_ticket_keeps_only_metadata_and_a_deleted_one_is_a_removal() -> None:
    page = msgspec.json.decode(msgspec.json.encode(TICKETS), type=TicketPage)

    batch, removals = normalise.tickets(SOURCE, page.tickets)

    assert SECRET not in msgspec.json.encode([batch, removals]).decode()
    (ticket,) = [e for e in batch.entities if e.type == "ticket"]
    assert ticket.name == "Ticket #1234"
    assert {a.name for a in ticket.attributes} >= {"status", "channel", "tags"}
    assert [r.ref.source_id for r in removals] == ["ticket:99"]
    assert {r.qualifier for r in batch.relationships} == {"requester", "assignee", "organization"}
    mentions = [e for e in batch.entities if e.type != "ticket"]
    assert all(e.reference for e in mentions)


def test_status_and_assignee_changes_become_activities_of_their_ticket() -> None:
    events = {
        "ticket_events": [
            {"id": 5, "ticket_id": 1234, "timestamp": 1768039200, "updater_id": 8,
             "child_events": [
                 {"id": 50, "field_name": "status", "event_type": "Change", "status": "pending",
                  "previous_value": "open", "body": SECRET},
                 {"id": 51, "field_name": "assignee_id", "event_type": "Change", "value": "12",
                  "previous_value": "8"},
                 {"id": 52, "event_type": "Comment", "body": SECRET, "html_body": SECRET},
             ]},
        ],
        "end_of_stream": True,
    }  # fmt: skip
    page = msgspec.json.decode(msgspec.json.encode(events), type=EventPage)

    batch = normalise.events(SOURCE, page.ticket_events)

    assert SECRET not in msgspec.json.encode(batch).decode()
    assert [a.type for a in batch.activities] == ["Ticket pending", "Ticket assigned"]
    assigned = batch.activities[1]
    assert [o.object.source_id for o in assigned.links] == ["ticket:1234", "user:12"]
    assert all(a.actor is not None and a.actor.source_id == "user:8" for a in batch.activities)
