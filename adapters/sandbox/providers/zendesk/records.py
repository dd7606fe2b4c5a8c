"""Seeded tickets, people and accounts in Zendesk's JSON shapes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adapters.sandbox.mutations import Mutations
from adapters.sandbox.seed.dataset import Dataset
from adapters.sandbox.seed.model import Account, Person, Ticket, state_at

TICKET_BASE = 1001
USER_BASE = 380_000_000
ORG_BASE = 360_000_000


def _z(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class TicketState:
    """A ticket as of a moment, with the changes made through the sandbox's overlay."""

    status: str  # "deleted" once deleted
    updated: datetime
    assignee: int


def ticket_state(mutations: Mutations, t: Ticket, at: datetime) -> TicketState | None:
    """None before the ticket exists."""
    history = mutations.history("ticket", t.key, t.statuses)
    current = state_at(history, at)
    if current is None:
        return None
    deleted = mutations.deleted_at("ticket", t.key, at)
    seeded = max([current.at, *(c.at for c in t.reassignments if c.at <= at)])
    return TicketState(
        status="deleted" if deleted is not None else current.value,
        updated=mutations.modified_at("ticket", t.key, seeded, at),
        assignee=t.assignee_at(at),
    )


def ticket(dataset: Dataset, t: Ticket, state: TicketState, base: str) -> dict[str, Any]:
    ticket_id = TICKET_BASE + t.key
    return {
        "url": f"{base}/tickets/{ticket_id}.json",
        "id": ticket_id,
        "external_id": None,
        "via": {"channel": t.channel},
        "created_at": _z(t.created),
        "updated_at": _z(state.updated),
        "generated_timestamp": int(state.updated.timestamp()),
        "type": "incident" if t.issue is not None else "question",
        "subject": t.subject,
        "raw_subject": t.subject,
        "description": t.description,
        "priority": t.priority,
        "status": state.status,
        "requester_id": USER_BASE + t.requester,
        "submitter_id": USER_BASE + t.requester,
        "assignee_id": USER_BASE + state.assignee,
        "organization_id": ORG_BASE + t.account,
        "group_id": 20_000_001,
        "collaborator_ids": [],
        "tags": list(t.tags),
        "is_public": True,
    }


def user(p: Person, base: str) -> dict[str, Any]:
    return {
        "id": USER_BASE + p.key,
        "url": f"{base}/users/{USER_BASE + p.key}.json",
        "name": p.name,
        "email": p.email,
        "role": "agent" if p.internal else "end-user",
        "organization_id": ORG_BASE + p.account if p.account is not None else None,
        "time_zone": p.timezone,
        "active": True,
    }


def organization(a: Account, base: str) -> dict[str, Any]:
    return {
        "id": ORG_BASE + a.key,
        "url": f"{base}/organizations/{ORG_BASE + a.key}.json",
        "name": a.name,
        "domain_names": [a.domain],
        "created_at": _z(a.created),
        "updated_at": _z(a.created),
    }
