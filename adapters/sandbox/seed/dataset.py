"""The seeded company, built once from a seed, with the lookups every provider view needs."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from adapters.sandbox.seed.canary import Canaries
from adapters.sandbox.seed.chat import build_channels, build_messages, with_canaries
from adapters.sandbox.seed.company import build_people
from adapters.sandbox.seed.correspondence import (
    build_emails,
    build_meetings,
    build_simultaneous,
)
from adapters.sandbox.seed.handovers import with_handovers
from adapters.sandbox.seed.indexes import Indexes
from adapters.sandbox.seed.model import (
    Account,
    Channel,
    Deal,
    Email,
    Issue,
    Meeting,
    Message,
    Person,
    Ticket,
)
from adapters.sandbox.seed.timeline import Timeline
from adapters.sandbox.seed.words import COMPANY, DOMAIN
from adapters.sandbox.seed.work import build_deals, build_issues, build_tickets, describe_deals


# eq=False: identity hashing, so per-dataset caches never hash thousands of records.
@dataclass(frozen=True, eq=False)
class Dataset(Indexes):
    seed: int
    start: datetime
    end: datetime
    company: str
    domain: str
    people: tuple[Person, ...]
    accounts: tuple[Account, ...]
    deals: tuple[Deal, ...]
    tickets: tuple[Ticket, ...]
    issues: tuple[Issue, ...]
    emails: tuple[Email, ...]
    meetings: tuple[Meeting, ...]
    channels: tuple[Channel, ...]
    messages: tuple[Message, ...]
    bulk_contacts: int  # HubSpot-only contacts, all modified within one hour
    bulk_modified: datetime
    canaries: tuple[str, ...]
    scale: float = 1  # how many times the standard company (seed/scale.py)

    @classmethod
    def generate(
        cls,
        *,
        seed: int,
        start: datetime,
        days: int,
        hubspot_bulk_contacts: int = 0,
        scale: float = 1,
    ) -> Dataset:
        rng = random.Random(seed)
        timeline = Timeline(start=start, end=start + timedelta(days=days))
        canaries = Canaries(rng)
        people, accounts = build_people(rng, timeline, scale=scale)
        deals = build_deals(rng, timeline, accounts, people, scale=scale)
        tickets = build_tickets(rng, timeline, people, canaries, scale=scale)
        issues, tickets = build_issues(rng, timeline, people, tickets, canaries, scale=scale)
        tickets = with_handovers(tickets, people, seed)
        emails = build_emails(
            rng,
            timeline,
            people=people,
            deals=deals,
            tickets=tickets,
            canaries=canaries,
            scale=scale,
        )
        meetings = build_meetings(rng, timeline, people, deals, canaries)
        channels = build_channels(timeline, people, accounts, scale=scale)
        messages = build_messages(
            rng,
            timeline,
            channels=channels,
            deals=deals,
            tickets=tickets,
            issues=issues,
            canaries=canaries,
            scale=scale,
        )
        # Last, so the records above stay what they were before these were added.
        emails += build_simultaneous(
            rng, timeline, people, canaries, first_key=len(emails), scale=scale
        )
        emails.sort(key=lambda e: (e.sent, e.key))
        deals, deal_canaries = describe_deals(seed, deals)
        channels = with_canaries(channels, canaries)
        return cls(
            seed=seed,
            start=timeline.start,
            end=timeline.end,
            company=COMPANY,
            domain=DOMAIN,
            people=tuple(people),
            accounts=tuple(accounts),
            deals=tuple(deals),
            tickets=tuple(tickets),
            issues=tuple(issues),
            emails=tuple(emails),
            meetings=tuple(meetings),
            channels=tuple(channels),
            messages=tuple(messages),
            bulk_contacts=hubspot_bulk_contacts,
            bulk_modified=timeline.start + timedelta(days=20, hours=14),
            canaries=(*canaries.values, *deal_canaries),
            scale=scale,
        )

    @property
    def revops_lead(self) -> Person:
        return self.people[0]

    @cached_property
    def _by_email(self) -> dict[str, Person]:
        return {p.email: p for p in self.people}

    def person(self, email: str) -> Person | None:
        return self._by_email.get(email.strip().lower())

    def signed_in(self, login_hint: str | None) -> str:
        """Who is signed in at the provider: the hinted employee, else the RevOps lead."""
        person = self.person(login_hint) if login_hint else None
        return person.email if person is not None and person.internal else self.revops_lead.email

    @cached_property
    def internal_people(self) -> tuple[Person, ...]:
        return tuple(p for p in self.people if p.internal)

    @cached_property
    def slack_members(self) -> tuple[Person, ...]:
        """Employees, plus customer contacts invited as guests to shared channels."""
        guests = {k for c in self.channels if c.account is not None for k in c.members}
        return tuple(p for p in self.people if p.internal or p.key in guests)

    @cached_property
    def emails_by_key(self) -> dict[int, Email]:
        return {e.key: e for e in self.emails}

    @cached_property
    def meetings_by_key(self) -> dict[int, Meeting]:
        return {m.key: m for m in self.meetings}

    @cached_property
    def messages_by_key(self) -> dict[int, Message]:
        return {m.key: m for m in self.messages}

    def contacts_of(self, account: int) -> tuple[Person, ...]:
        return self.contacts_by_account.get(account, ())
