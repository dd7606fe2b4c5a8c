"""Lookups over the seeded company, built once per dataset, so provider views page in O(page).

A sync pages through a large company thousands of times; a view that scans every record on
each call makes the whole sync quadratic. Each index here is computed on first use, cached on
the (immutable) dataset and read-only. They cover the seeded records only: changes made later
through the control API (``Mutations``) are for the views to lay over them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cached_property
from types import MappingProxyType
from typing import NamedTuple, TypeVar

from adapters.sandbox.seed.model import Channel, Deal, Message, Person, Ticket

K = TypeVar("K")
V = TypeVar("V")


class Version(NamedTuple):
    """A ticket as it was changed at one moment (a status change or a hand-over), and when
    its next change replaced that version."""

    at: datetime
    ticket: int
    until: datetime | None  # the ticket's next change, None if this is the last


class TicketChange(NamedTuple):
    """One status change or hand-over of one ticket; ``position`` is in the ticket's statuses
    or, for a hand-over, in its reassignments. Status changes sort before hand-overs."""

    at: datetime
    ticket: int
    handover: bool
    position: int


class Indexes:
    """Mixed into ``Dataset``; the annotations name the fields the indexes are built from."""

    people: tuple[Person, ...]
    deals: tuple[Deal, ...]
    tickets: tuple[Ticket, ...]
    channels: tuple[Channel, ...]
    messages: tuple[Message, ...]

    @cached_property
    def contacts_by_account(self) -> Mapping[int, tuple[Person, ...]]:
        by_account: dict[int, list[Person]] = {}
        for person in self.people:
            if person.account is not None:
                by_account.setdefault(person.account, []).append(person)
        return _frozen(by_account)

    @cached_property
    def deals_by_account(self) -> Mapping[int, tuple[int, ...]]:
        by_account: dict[int, list[int]] = {}
        for deal in self.deals:
            by_account.setdefault(deal.account, []).append(deal.key)
        return _frozen(by_account)

    @cached_property
    def deals_by_contact(self) -> Mapping[int, tuple[int, ...]]:
        by_contact: dict[int, list[int]] = {}
        for deal in self.deals:
            for contact in deal.contacts:
                by_contact.setdefault(contact, []).append(deal.key)
        return _frozen(by_contact)

    @cached_property
    def threads_by_channel(self) -> Mapping[int, tuple[Message, ...]]:
        """Each channel's top-level messages, oldest first (``ts`` is unique in a channel)."""
        by_channel: dict[int, list[Message]] = {c.key: [] for c in self.channels}
        for message in self.messages:  # already in (ts, key) order
            if message.parent is None:
                by_channel[message.channel].append(message)
        return _frozen(by_channel)

    @cached_property
    def replies_by_parent(self) -> Mapping[int, tuple[Message, ...]]:
        """Each thread's replies, oldest first."""
        by_parent: dict[int, list[Message]] = {}
        for message in self.messages:
            if message.parent is not None:
                by_parent.setdefault(message.parent, []).append(message)
        return _frozen(by_parent)

    @cached_property
    def ticket_versions(self) -> tuple[Version, ...]:
        """Every seeded version of every ticket in (time, ticket) order: a ticket is exported
        at its latest version, so Zendesk's ticket export walks this from its cursor."""
        versions = []
        for t in self.tickets:
            moments = sorted({c.at for c in (*t.statuses, *t.reassignments)})
            versions += [
                Version(at, t.key, moments[i + 1] if i + 1 < len(moments) else None)
                for i, at in enumerate(moments)
            ]
        return tuple(sorted(versions))

    @cached_property
    def ticket_changes(self) -> tuple[TicketChange, ...]:
        """Every seeded status change and hand-over in (time, ticket) order, the order of
        Zendesk's ticket event export."""
        changes = [
            TicketChange(change.at, t.key, handover, i)
            for t in self.tickets
            for handover, history in ((False, t.statuses), (True, t.reassignments))
            for i, change in enumerate(history)
        ]
        return tuple(sorted(changes))


def _frozen(groups: dict[K, list[V]]) -> Mapping[K, tuple[V, ...]]:
    return MappingProxyType({k: tuple(v) for k, v in groups.items()})
