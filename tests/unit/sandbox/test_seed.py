"""The seeded company: deterministic from its seed, consistent, and full of canaries."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import UTC, datetime

from adapters.sandbox.seed.dataset import Dataset
from adapters.sandbox.seed.model import state_at

START = datetime(2025, 9, 1, tzinfo=UTC)


def _fingerprint(d: Dataset) -> str:
    parts = (
        d.people,
        d.accounts,
        d.deals,
        d.tickets,
        d.issues,
        d.emails,
        d.meetings,
        d.channels,
        d.messages,
        d.canaries,
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def test_the_same_seed_gives_the_same_company() -> None:
    first = Dataset.generate(seed=7, start=START, days=150)
    second = Dataset.generate(seed=7, start=START, days=150)
    other = Dataset.generate(seed=8, start=START, days=150)

    assert _fingerprint(first) == _fingerprint(second)
    assert _fingerprint(first) != _fingerprint(other)


def test_the_company_spans_months_of_linked_work() -> None:
    sut = Dataset.generate(seed=2026, start=START, days=150)

    assert len(sut.deals) >= 50
    assert len(sut.emails) >= 500
    assert len(sut.messages) >= 500
    assert all(d.stages == tuple(sorted(d.stages, key=lambda c: c.at)) for d in sut.deals)
    assert all(sut.people[c].account == d.account for d in sut.deals for c in d.contacts)
    assert all(START <= e.sent <= sut.end for e in sut.emails)
    assert any(t.issue is not None and sut.issues[t.issue].ticket == t.key for t in sut.tickets)
    spread = {c.value for d in sut.deals if (c := state_at(d.stages, sut.end)) is not None}
    assert {"closed_won", "closed_lost"} <= spread


def test_every_person_is_unique_by_email_and_internal_people_share_the_domain() -> None:
    sut = Dataset.generate(seed=2026, start=START, days=150)

    emails = [p.email for p in sut.people]
    assert len(set(emails)) == len(emails)
    assert all(p.email.endswith("@northwind.example") for p in sut.people if p.internal)
    assert all(
        p.email.endswith("@" + sut.accounts[p.account].domain)
        for p in sut.people
        if p.account is not None
    )


def test_every_content_field_carries_its_own_canary() -> None:
    sut = Dataset.generate(seed=2026, start=START, days=150)
    fields = [
        *(e.subject for e in sut.emails),
        *(e.snippet for e in sut.emails),
        *(m.summary for m in sut.meetings),
        *(m.description for m in sut.meetings),
        *(t.subject for t in sut.tickets),
        *(t.description for t in sut.tickets),
        *(i.summary for i in sut.issues),
        *(i.description for i in sut.issues),
        *(m.text for m in sut.messages),
        *(d.description for d in sut.deals),
        *(c.purpose for c in sut.channels),
        *(c.topic for c in sut.channels),
    ]

    assert all("[ATLAS-CANARY-" in f for f in fields)
    assert len(set(sut.canaries)) == len(sut.canaries)
    assert all(c.startswith("ATLAS-CANARY-") for c in sut.canaries)


def test_chat_has_bursts_of_messages_within_one_second() -> None:
    sut = Dataset.generate(seed=2026, start=START, days=150)

    per_second = Counter((m.channel, int(m.ts.timestamp())) for m in sut.messages)
    stamps = [(m.channel, m.ts) for m in sut.messages]

    assert sum(1 for n in per_second.values() if n >= 5) >= 4
    assert len(set(stamps)) == len(stamps)  # a ts is still unique inside its channel
