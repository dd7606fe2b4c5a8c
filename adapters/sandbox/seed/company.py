"""The company's people, its customer accounts and their contacts."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

from adapters.sandbox.seed.model import Account, Person
from adapters.sandbox.seed.scale import scaled
from adapters.sandbox.seed.timeline import Timeline
from adapters.sandbox.seed.words import (
    CONTACT_TITLES,
    CUSTOMERS,
    DOMAIN,
    FIRST,
    LAST,
    TEAM_SIZES,
    TEAMS,
    TIMEZONES,
)

# The person who signs in to every provider unless a login_hint names someone else.
REVOPS_LEAD = ("Maya", "Okafor", "Head of Revenue Operations")


class _Names:
    """Distinct (first, last) pairs in shuffled order, each with its unique email handle.

    When a large company uses up the pairs, another shuffled round starts whose handles carry
    the round's number (``liam.jensen2``), so every address stays unique.
    """

    def __init__(self, rng: random.Random) -> None:
        self._rng, self._round = rng, 1
        self._pool = self._shuffled()

    def _shuffled(self) -> list[tuple[str, str]]:
        pool = [(f, last) for f in FIRST for last in LAST if (f, last) != REVOPS_LEAD[:2]]
        self._rng.shuffle(pool)
        return pool

    def pop(self) -> tuple[str, str, str]:
        if not self._pool:
            self._round, self._pool = self._round + 1, self._shuffled()
        first, last = self._pool.pop()
        number = str(self._round) if self._round > 1 else ""
        return first, last, f"{first}.{last}{number}".lower()


def build_people(
    rng: random.Random, timeline: Timeline, *, scale: float = 1
) -> tuple[list[Person], list[Account]]:
    names = _Names(rng)
    people = _internal(rng, names, scale)
    accounts: list[Account] = []
    sales = [p for p in people if p.team == "sales" and p.title == "Account Executive"]
    for index, (name, domain, industry) in enumerate(customers(scaled(len(CUSTOMERS), scale))):
        created = timeline.start - timedelta(days=rng.randrange(30, 400))
        owner = sales[index % len(sales)].key
        account = Account(
            key=index,
            name=name,
            domain=domain,
            industry=industry,
            owner=owner,
            created=created.replace(hour=10),
            employees=rng.choice((40, 120, 300, 800, 2500, 9000)),
        )
        accounts.append(account)
        for _ in range(rng.randint(2, 4)):
            first, last, handle = names.pop()
            people.append(
                Person(
                    key=len(people),
                    first=first,
                    last=last,
                    email=f"{handle}@{domain}",
                    title=rng.choice(CONTACT_TITLES),
                    team="external",
                    account=index,
                    timezone=rng.choice(TIMEZONES),
                )
            )
    return people, accounts


def customers(count: int) -> Iterator[tuple[str, str, str]]:
    """``(name, domain, industry)``: the named customers, then numbered variants of them.

    ``globex.example`` is followed by ``globex-2.example``, ``globex-3.example``...: still
    reserved ``.example`` domains (never a public mail domain), distinct because the stems are.
    """
    for index in range(count):
        name, domain, industry = CUSTOMERS[index % len(CUSTOMERS)]
        number = index // len(CUSTOMERS) + 1
        if number == 1:
            yield name, domain, industry
        else:
            stem = domain.removesuffix(".example")
            yield f"{name} {number}", f"{stem}-{number}.example", industry


def _internal(rng: random.Random, names: _Names, scale: float) -> list[Person]:
    first, last, title = REVOPS_LEAD
    people = [_employee(0, first, last, team="leadership", title=title, tz="Europe/Amsterdam")]
    for team, titles in TEAMS:
        # A bigger company has bigger teams, not more executives.
        size = TEAM_SIZES[team] - 1 if team == "leadership" else scaled(TEAM_SIZES[team], scale)
        for index in range(size):
            first, last, handle = names.pop()
            pool = titles[1:] if team == "leadership" else titles
            title = pool[index % len(pool)]
            tz = rng.choice(TIMEZONES)
            people.append(
                _employee(len(people), first, last, team=team, title=title, tz=tz, handle=handle)
            )
    return people


def _employee(
    key: int, first: str, last: str, *, team: str, title: str, tz: str, handle: str = ""
) -> Person:
    return Person(
        key=key,
        first=first,
        last=last,
        email=f"{handle or f'{first}.{last}'.lower()}@{DOMAIN}",
        title=title,
        team=team,
        account=None,
        timezone=tz,
    )
