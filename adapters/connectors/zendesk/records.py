"""The fields Atlas keeps of Zendesk's records: everything else is never even decoded.

These structs are the connector's allow-list. A ticket's ``subject``, ``raw_subject`` and
``description``, a comment's body, a user's ``name`` (kept only as an entity name) or notes do
not appear here, so no code path can store them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec


class Via(msgspec.Struct, frozen=True):
    channel: str | None = None


class Ticket(msgspec.Struct, frozen=True):
    id: int
    status: str
    created_at: datetime
    updated_at: datetime
    priority: str | None = None
    type: str | None = None
    requester_id: int | None = None
    submitter_id: int | None = None
    assignee_id: int | None = None
    organization_id: int | None = None
    group_id: int | None = None
    tags: list[str] = []
    via: Via | None = None


class TicketPage(msgspec.Struct, frozen=True):
    tickets: list[Ticket]
    after_cursor: str | None = None
    end_of_stream: bool = True


# A changed field's value: text mostly, a list for tags, an object for an SLA field
# (Zendesk's ticket audit events reference); only status and assignee values are ever read.
Value = str | int | list[str] | dict[str, Any] | None


class ChildEvent(msgspec.Struct, frozen=True):
    """One change of a ticket event. Zendesk's export guide names the changed field by its own
    key (``"status": "open"``, ``previous_value`` beside it); an audit-style event names it in
    ``field_name`` with ``value``. Both are read."""

    id: int
    field_name: str | None = None
    event_type: str | None = None
    status: str | None = None
    assignee_id: int | str | None = None
    value: Value = None
    previous_value: Value = None

    def changed_field(self) -> str | None:
        if self.field_name:
            return self.field_name
        if self.status is not None:
            return "status"
        return "assignee_id" if self.assignee_id is not None else None


class TicketEvent(msgspec.Struct, frozen=True):
    id: int
    ticket_id: int
    timestamp: int
    updater_id: int | None = None
    child_events: list[ChildEvent] = []


class EventPage(msgspec.Struct, frozen=True):
    ticket_events: list[TicketEvent]
    end_time: int | None = None
    end_of_stream: bool = True


class User(msgspec.Struct, frozen=True):
    id: int
    name: str | None = None
    email: str | None = None
    role: str | None = None
    organization_id: int | None = None
    active: bool = True


class Organization(msgspec.Struct, frozen=True):
    id: int
    name: str | None = None
    domain_names: list[str] = []


class Meta(msgspec.Struct, frozen=True):
    has_more: bool = False
    after_cursor: str | None = None


class UserPage(msgspec.Struct, frozen=True):
    users: list[User]
    meta: Meta = Meta()


class OrganizationPage(msgspec.Struct, frozen=True):
    organizations: list[Organization]
    meta: Meta = Meta()
