"""The HubSpot CRM as of the sandbox clock with the overlay applied (``sandbox.mutations``).

A deleted record is archived: search, batch read and associations no longer see it, and the
``archived=true`` listing does. An appended stage change joins the deal's (or ticket's)
history and moves ``hs_lastmodifieddate``; a touched record only moves its modified date.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from adapters.sandbox.mutations import RecordKind
from adapters.sandbox.providers.hubspot import records
from adapters.sandbox.providers.hubspot.records import HubRecord, modified_property
from adapters.sandbox.sandbox import Sandbox

KINDS: dict[str, RecordKind] = {
    "contacts": "person",
    "companies": "account",
    "deals": "deal",
    "tickets": "ticket",
    "meetings": "meeting",
    "emails": "email",
}


@dataclass(frozen=True)
class Archived:
    record: HubRecord
    at: datetime


@dataclass(frozen=True)
class View:
    live: tuple[HubRecord, ...]
    archived: tuple[Archived, ...]

    def archived_ids(self) -> set[str]:
        return {a.record.id for a in self.archived}


def view(sandbox: Sandbox, object_type: str) -> View:
    now = sandbox.clock.now()
    seeded = records.records(sandbox.dataset, object_type, now)
    kind = KINDS[object_type]
    changed = sandbox.mutations.changed_keys(kind)
    if not changed:
        return View(live=seeded, archived=())
    live: list[HubRecord] = []
    archived: list[Archived] = []
    for record in seeded:
        key = records.key_of(object_type, record.id)
        if key is None or key not in changed:
            live.append(record)
            continue
        current = _current(sandbox, object_type, key, record, now)
        deleted = sandbox.mutations.deleted_at(kind, key, now)
        if deleted is None:
            live.append(current)
        else:
            archived.append(Archived(record=current, at=deleted))
    return View(live=tuple(live), archived=tuple(archived))


def _current(
    sandbox: Sandbox, object_type: str, key: int, record: HubRecord, now: datetime
) -> HubRecord:
    """The record with its appended changes, modified when it was last touched or changed."""
    dataset, mutations, kind = sandbox.dataset, sandbox.mutations, KINDS[object_type]
    rebuilt: HubRecord | None = record
    if object_type == "deals":
        deal = dataset.deals[key]
        rebuilt = records.deal_record(deal, mutations.history(kind, key, deal.stages), now)
    elif object_type == "tickets":
        ticket = dataset.tickets[key]
        rebuilt = records.ticket_record(ticket, mutations.history(kind, key, ticket.statuses), now)
    base = rebuilt or record
    modified = mutations.modified_at(kind, key, base.updated, now)
    properties = {**base.properties, modified_property(object_type): modified}
    return replace(base, properties=properties, updated=modified)
