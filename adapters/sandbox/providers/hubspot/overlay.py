"""The HubSpot CRM as of the sandbox clock with the overlay applied (``sandbox.mutations``).

A deleted record is archived: search, batch read and associations no longer see it, and the
``archived=true`` listing does. An appended stage change joins the deal's (or ticket's)
history and moves ``hs_lastmodifieddate``; a touched record only moves its modified date.

The seeded tables are cached per dataset and seeded moment (``records.records``); the overlay
is laid over them here, never inside them. The overlaid view is cached too, because search,
listing and batch read remember their results per table (by identity): it is keyed on the
overlay's version and on which of its moments have passed, so a change through the control
API (or the clock passing a deletion's moment) builds a new view, and a sync that changes
nothing keeps reading the same one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache

from adapters.sandbox.mutations import Mutations, RecordKind
from adapters.sandbox.providers.hubspot import records
from adapters.sandbox.providers.hubspot.records import HubRecord, modified_property
from adapters.sandbox.providers.tables import SameTable, settled
from adapters.sandbox.sandbox import Sandbox
from adapters.sandbox.seed.dataset import Dataset

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
    now, dataset, mutations = sandbox.clock.now(), sandbox.dataset, sandbox.mutations
    kind = KINDS[object_type]
    version = mutations.version  # read first: a change made meanwhile only means a rebuild
    if not mutations.changed_keys(kind):
        return View(live=records.records(dataset, object_type, now), archived=())
    # As of the latest seeded or overlay moment passed, the view is what it is at ``now``.
    moment = max(
        records.settled_at(dataset, object_type, now), settled(mutations.moments(kind), now)
    )
    return _overlaid(dataset, object_type, SameTable(mutations), version, moment)


@lru_cache(maxsize=32)
def _overlaid(
    dataset: Dataset, object_type: str, overlay: SameTable, version: int, now: datetime
) -> View:
    # ``version`` is part of the key only: it changes whenever the overlay does.
    mutations: Mutations = overlay.table
    kind = KINDS[object_type]
    changed = mutations.changed_keys(kind)
    live: list[HubRecord] = []
    archived: list[Archived] = []
    for record in records.records(dataset, object_type, now):
        key = records.key_of(object_type, record.id)
        if key is None or key not in changed:
            live.append(record)
            continue
        current = _current(dataset, mutations, object_type, record, now)
        deleted = mutations.deleted_at(kind, key, now)
        if deleted is None:
            live.append(current)
        else:
            archived.append(Archived(record=current, at=deleted))
    return View(live=tuple(live), archived=tuple(archived))


def _current(
    dataset: Dataset, mutations: Mutations, object_type: str, record: HubRecord, now: datetime
) -> HubRecord:
    """The record with its appended changes, modified when it was last touched or changed."""
    kind, key = KINDS[object_type], records.key_of(object_type, record.id)
    assert key is not None  # noqa: S101 - only records with a seeded key are overlaid
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
