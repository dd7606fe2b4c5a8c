"""The seeded company as HubSpot CRM objects, as of a moment, with stage history and links."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from adapters.sandbox.providers.tables import AFTER, settled
from adapters.sandbox.seed.dataset import Dataset
from adapters.sandbox.seed.model import Change, Deal, Ticket, history_until, state_at

BASES = {
    "contacts": 1_001,
    "companies": 9_100_000_000,
    "deals": 14_000_000_000,
    "tickets": 2_100_000_000,
    "meetings": 31_000_000_000,
    "emails": 32_000_000_000,
}
BULK_BASE = 500_000
OWNER_BASE = 70_000_000
DEAL_STAGES = {
    "prospecting": "appointmentscheduled",
    "qualification": "qualifiedtobuy",
    "proposal": "presentationscheduled",
    "negotiation": "contractsent",
    "closed_won": "closedwon",
    "closed_lost": "closedlost",
}
TICKET_STAGES = {"new": "1", "open": "3", "pending": "2", "hold": "3", "solved": "4", "closed": "4"}
# The property that says "last modified": contacts are the odd one out.
MODIFIED = {"contacts": "lastmodifieddate"}


def modified_property(object_type: str) -> str:
    return MODIFIED.get(object_type, "hs_lastmodifieddate")


@dataclass(frozen=True)
class HubRecord:
    id: str
    properties: dict[str, Any]
    created: datetime
    updated: datetime
    history: dict[str, list[tuple[str, datetime, int]]] = field(default_factory=dict)


def owner_id(person: int) -> str:
    return str(OWNER_BASE + person)


def object_id(object_type: str, key: int) -> str:
    return str(BASES[object_type] + key)


def key_of(object_type: str, value: str) -> int | None:
    if not value.isdigit():
        return None
    key = int(value) - BASES[object_type]
    return key if 0 <= key < 10**8 else None


def records(dataset: Dataset, object_type: str, now: datetime) -> tuple[HubRecord, ...]:
    """The seeded objects of one type as of ``now``, built once per change rather than per
    call. The overlay is not in here: ``overlay.view`` lays it over this table."""
    return _records_at(dataset, object_type, settled_at(dataset, object_type, now))


def settled_at(dataset: Dataset, object_type: str, now: datetime) -> datetime:
    """The latest moment by ``now`` at which a seeded object of the type appeared or changed."""
    return settled(_moments(dataset, object_type), now)


@lru_cache(maxsize=32)
def _records_at(dataset: Dataset, object_type: str, now: datetime) -> tuple[HubRecord, ...]:
    build = _BUILDERS[object_type]
    return tuple(r for r in build(dataset, now) if r.created <= now and r.updated <= now)


@lru_cache(maxsize=32)
def _moments(dataset: Dataset, object_type: str) -> tuple[datetime, ...]:
    """Every moment a record of the type appears or changes, in order."""
    every = _BUILDERS[object_type](dataset, AFTER)
    stamps = {t for r in every for t in (r.created, r.updated)}
    stamps |= {at for r in every for changes in r.history.values() for _, at, _ in changes}
    return tuple(sorted(stamps))


def _record(
    object_type: str, key: int, created: datetime, updated: datetime, **props: Any
) -> HubRecord:
    props["hs_object_id"] = str(BASES[object_type] + key)
    props["createdate"] = created
    props[modified_property(object_type)] = updated
    return HubRecord(id=props["hs_object_id"], properties=props, created=created, updated=updated)


def _companies(d: Dataset, now: datetime) -> list[HubRecord]:
    return [
        _record(
            "companies",
            a.key,
            a.created,
            a.created,
            name=a.name,
            domain=a.domain,
            industry=a.industry,
            numberofemployees=str(a.employees),
            hubspot_owner_id=owner_id(a.owner),
        )
        for a in d.accounts
    ]


def _contacts(d: Dataset, now: datetime) -> list[HubRecord]:
    out = []
    for p in d.people:
        if p.account is None:
            continue
        created = d.accounts[p.account].created + timedelta(days=1 + p.key % 20)
        company = object_id("companies", p.account)
        out.append(
            _record(
                "contacts",
                p.key,
                created,
                created,
                email=p.email,
                firstname=p.first,
                lastname=p.last,
                jobtitle=p.title,
                associatedcompanyid=company,
                hubspot_owner_id=owner_id(d.accounts[p.account].owner),
            )
        )
    for n in range(d.bulk_contacts):
        # A list import: thousands of contacts modified within one hour (the 10,000 cap trap).
        at = d.bulk_modified + timedelta(milliseconds=300 * n)
        out.append(
            _record(
                "contacts",
                BULK_BASE + n,
                at,
                at,
                email=f"lead{n}@prospects.example",
                firstname="Lead",
                lastname=str(n),
            )
        )
    return out


def _deals(d: Dataset, now: datetime) -> list[HubRecord]:
    return [r for deal in d.deals if (r := deal_record(deal, deal.stages, now)) is not None]


def deal_record(deal: Deal, stages: tuple[Change, ...], now: datetime) -> HubRecord | None:
    """The deal as of ``now`` with ``stages`` as its history (the seeded one, or the overlay's)."""
    current = state_at(stages, now)
    if current is None:
        return None
    record = _record(
        "deals",
        deal.key,
        deal.created,
        current.at,
        dealname=deal.name,
        dealstage=deal_stage(current.value),
        pipeline="default",
        amount=str(deal.amount),
        closedate=deal.close_date,
        description=deal.description,
        hubspot_owner_id=owner_id(deal.owner),
    )
    record.history["dealstage"] = [
        (deal_stage(c.value), c.at, c.by) for c in history_until(stages, now)
    ]
    return record


def deal_stage(value: str) -> str:
    """The pipeline stage id of a seeded stage; an overlay change may name a stage id itself."""
    return DEAL_STAGES.get(value, value)


def _tickets(d: Dataset, now: datetime) -> list[HubRecord]:
    return [r for t in d.tickets if (r := ticket_record(t, t.statuses, now)) is not None]


def ticket_record(t: Ticket, statuses: tuple[Change, ...], now: datetime) -> HubRecord | None:
    current = state_at(statuses, now)
    if current is None:
        return None
    record = _record(
        "tickets",
        t.key,
        t.created,
        current.at,
        subject=t.subject,
        content=t.description,
        hs_pipeline="0",
        hs_pipeline_stage=TICKET_STAGES.get(current.value, current.value),
        hs_ticket_priority=t.priority.upper(),
        hubspot_owner_id=owner_id(t.assignee),
    )
    record.history["hs_pipeline_stage"] = [
        (TICKET_STAGES.get(c.value, c.value), c.at, c.by) for c in history_until(statuses, now)
    ]
    return record


def _meetings(d: Dataset, now: datetime) -> list[HubRecord]:
    return [
        _record(
            "meetings",
            m.key,
            m.created,
            m.created,
            hs_timestamp=m.start,
            hs_meeting_title=m.summary,
            hs_meeting_body=m.description,
            hs_meeting_start_time=m.start,
            hs_meeting_end_time=m.end,
            hs_meeting_outcome="CANCELED" if m.cancelled_at else "SCHEDULED",
            hubspot_owner_id=owner_id(m.organizer),
        )
        for m in d.meetings
        if m.deal is not None
    ]


def _emails(d: Dataset, now: datetime) -> list[HubRecord]:
    out = []
    for e in d.emails:
        if e.deal is None:
            continue
        sender = d.people[e.sender]
        direction = "EMAIL" if sender.internal else "INCOMING_EMAIL"
        owner = e.sender if sender.internal else d.deals[e.deal].owner
        out.append(
            _record(
                "emails",
                e.key,
                e.sent,
                e.sent,
                hs_timestamp=e.sent,
                hs_email_subject=e.subject,
                hs_email_text=e.snippet,
                hs_email_direction=direction,
                hubspot_owner_id=owner_id(owner),
            )
        )
    return out


_BUILDERS: dict[str, Callable[[Dataset, datetime], list[HubRecord]]] = {
    "contacts": _contacts,
    "companies": _companies,
    "deals": _deals,
    "tickets": _tickets,
    "meetings": _meetings,
    "emails": _emails,
}
