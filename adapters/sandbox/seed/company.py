"""The company's people, its customer accounts and their contacts."""

from __future__ import annotations

import random
from datetime import timedelta

from adapters.sandbox.seed.model import Account, Person
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


def build_people(rng: random.Random, timeline: Timeline) -> tuple[list[Person], list[Account]]:
    names = _name_pool(rng)
    people = _internal(rng, names)
    accounts: list[Account] = []
    sales = [p for p in people if p.team == "sales" and p.title == "Account Executive"]
    for index, (name, domain, industry) in enumerate(CUSTOMERS):
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
            first, last = names.pop()
            people.append(
                Person(
                    key=len(people),
                    first=first,
                    last=last,
                    email=f"{first}.{last}@{domain}".lower(),
                    title=rng.choice(CONTACT_TITLES),
                    team="external",
                    account=index,
                    timezone=rng.choice(TIMEZONES),
                )
            )
    return people, accounts


def _name_pool(rng: random.Random) -> list[tuple[str, str]]:
    pool = [(f, last) for f in FIRST for last in LAST if (f, last) != REVOPS_LEAD[:2]]
    rng.shuffle(pool)
    return pool


def _internal(rng: random.Random, names: list[tuple[str, str]]) -> list[Person]:
    first, last, title = REVOPS_LEAD
    people = [_employee(0, first, last, team="leadership", title=title, tz="Europe/Amsterdam")]
    for team, titles in TEAMS:
        size = TEAM_SIZES[team] - (1 if team == "leadership" else 0)
        for index in range(size):
            first, last = names.pop()
            pool = titles[1:] if team == "leadership" else titles
            title = pool[index % len(pool)]
            tz = rng.choice(TIMEZONES)
            people.append(_employee(len(people), first, last, team=team, title=title, tz=tz))
    return people


def _employee(key: int, first: str, last: str, *, team: str, title: str, tz: str) -> Person:
    return Person(
        key=key,
        first=first,
        last=last,
        email=f"{first}.{last}@{DOMAIN}".lower(),
        title=title,
        team=team,
        account=None,
        timezone=tz,
    )
