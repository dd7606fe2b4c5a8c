"""Deals moving through stages, support tickets changing status, engineering issues."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime

from adapters.sandbox.seed.canary import Canaries
from adapters.sandbox.seed.issue_history import with_history
from adapters.sandbox.seed.model import Account, Change, Deal, Issue, Person, Ticket
from adapters.sandbox.seed.scale import scaled
from adapters.sandbox.seed.timeline import Timeline
from adapters.sandbox.seed.words import DEAL_KINDS, ISSUE_TOPICS, TICKET_TOPICS

OPEN_STAGES = ("prospecting", "qualification", "proposal", "negotiation")
KEY_ACCOUNTS = 4  # the first accounts: shared Slack channels, the RevOps lead on every thread


def build_deals(
    rng: random.Random,
    timeline: Timeline,
    accounts: list[Account],
    people: list[Person],
    *,
    scale: float = 1,
) -> list[Deal]:
    contacts = _contacts_by_account(people)
    deals = []
    for key in range(scaled(90, scale)):
        account = accounts[key % KEY_ACCOUNTS] if key < 3 * KEY_ACCOUNTS else rng.choice(accounts)
        created = timeline.working(rng, timeline.day(rng, margin=10))
        stages = _stage_walk(rng, timeline, created, account.owner)
        closing = stages[-1] if stages[-1].value.startswith("closed") else None
        deals.append(
            Deal(
                key=key,
                account=account.key,
                name=f"{account.name} - {rng.choice(DEAL_KINDS)}",
                amount=rng.randrange(8, 240) * 1000,
                owner=account.owner,
                contacts=tuple(
                    rng.sample(contacts[account.key], k=min(2, len(contacts[account.key])))
                ),
                created=created,
                close_date=closing.at
                if closing
                else timeline.later(rng, created, 24 * 45, 24 * 90),
                stages=stages,
            )
        )
    return deals


def describe_deals(seed: int, deals: list[Deal]) -> tuple[list[Deal], list[str]]:
    """Every deal with a description carrying its canary. The canaries come from a generator
    of their own, so adding descriptions left the rest of the seeded company as it was."""
    canaries = Canaries(random.Random(f"deal-description:{seed}"))
    described = [
        replace(d, description=canaries.mark("deal-description", f"Notes on {d.name}"))
        for d in deals
    ]
    return described, canaries.values


def _stage_walk(
    rng: random.Random, timeline: Timeline, created: datetime, owner: int
) -> tuple[Change, ...]:
    changes = [Change(OPEN_STAGES[0], created, owner)]
    at = created
    for stage in (*OPEN_STAGES[1:], "closed"):
        at = timeline.working(rng, timeline.later(rng, at, 24 * 2, 24 * 18))
        if not timeline.within(at):
            break
        if stage == "closed" or rng.random() < 0.12:
            won = stage == "closed" and rng.random() < 0.6
            changes.append(Change("closed_won" if won else "closed_lost", at, owner))
            break
        changes.append(Change(stage, at, owner))
    return tuple(changes)


def build_tickets(
    rng: random.Random,
    timeline: Timeline,
    people: list[Person],
    canaries: Canaries,
    *,
    scale: float = 1,
) -> list[Ticket]:
    support = [p.key for p in people if p.team == "support"]
    externals = [p for p in people if not p.internal]
    tickets = []
    for key in range(scaled(160, scale)):
        requester = rng.choice(externals)
        created = timeline.working(rng, timeline.day(rng))
        assignee = rng.choice(support)
        topic = rng.choice(TICKET_TOPICS)
        tickets.append(
            Ticket(
                key=key,
                account=requester.account or 0,
                requester=requester.key,
                assignee=assignee,
                subject=canaries.mark("ticket-subject", f"{topic} for {requester.name}"),
                description=canaries.mark("ticket-description", f"Steps to reproduce: {topic}."),
                priority=rng.choice(("low", "normal", "normal", "high", "urgent")),
                channel=rng.choice(("email", "web", "api")),
                tags=tuple(
                    sorted({topic.split()[0].lower(), rng.choice(("billing", "sso", "sync"))})
                ),
                created=created,
                statuses=_ticket_walk(rng, timeline, created, requester.key, assignee),
                issue=None,
            )
        )
    return tickets


def _ticket_walk(
    rng: random.Random, timeline: Timeline, created: datetime, requester: int, agent: int
) -> tuple[Change, ...]:
    steps = [("open", 0.1, 8)]
    if rng.random() < 0.5:
        steps += [("pending", 2, 30), ("open", 4, 72)]
    steps += [("solved", 4, 120), ("closed", 96, 100)]
    changes, at = [Change("new", created, requester)], created
    for status, lo, hi in steps:
        at = timeline.later(rng, at, lo, hi)
        if not timeline.within(at):
            break
        changes.append(Change(status, at, agent))
    return tuple(changes)


def build_issues(
    rng: random.Random,
    timeline: Timeline,
    people: list[Person],
    tickets: list[Ticket],
    canaries: Canaries,
    *,
    scale: float = 1,
) -> tuple[list[Issue], list[Ticket]]:
    """Engineering issues, some escalated from tickets (which then point at their issue)."""
    engineers = [p.key for p in people if p.team == "engineering"]
    drafts: list[tuple[datetime, int, int | None, str]] = []
    escalated = [t for t in tickets if rng.random() < 0.25]
    for escalation in escalated:
        at = timeline.later(rng, escalation.created, 1, 30)
        if timeline.within(at):
            drafts.append((at, escalation.assignee, escalation.key, "Bug"))
    for _ in range(scaled(70, scale)):
        at = timeline.working(rng, timeline.day(rng))
        drafts.append((at, rng.choice(engineers), None, rng.choice(("Task", "Story", "Bug"))))
    drafts.sort(key=lambda d: (d[0], d[1]))
    issues, links = [], {}
    for number, (created, reporter, ticket, kind) in enumerate(drafts, start=1):
        assignee = rng.choice(engineers)
        topic = rng.choice(ISSUE_TOPICS)
        seeded = Issue(
            key=number - 1,
            project="ENG",
            number=number,
            summary=canaries.mark("issue-summary", topic),
            description=canaries.mark("issue-description", f"Context and acceptance: {topic}."),
            kind=kind,
            priority=rng.choice(("Low", "Medium", "Medium", "High", "Highest")),
            reporter=reporter,
            assignee=assignee,
            created=created,
            statuses=_issue_walk(rng, timeline, created, assignee),
            labels=("customer",) if ticket is not None else (),
            ticket=ticket,
        )
        issues.append(with_history(seeded, timeline, engineers, canaries))
        if ticket is not None:
            links[ticket] = number - 1
    linked = [_with_issue(t, links.get(t.key)) for t in tickets]
    return issues, linked


def _issue_walk(
    rng: random.Random, timeline: Timeline, created: datetime, assignee: int
) -> tuple[Change, ...]:
    changes, at = [Change("To Do", created, assignee)], created
    for status in ("In Progress", "In Review", "Done"):
        at = timeline.later(rng, at, 6, 24 * 9)
        if not timeline.within(at):
            break
        changes.append(Change(status, at, assignee))
    return tuple(changes)


def _with_issue(ticket: Ticket, issue: int | None) -> Ticket:
    if issue is None:
        return ticket
    return Ticket(**{**ticket.__dict__, "issue": issue})


def _contacts_by_account(people: list[Person]) -> dict[int, list[int]]:
    by_account: dict[int, list[int]] = {}
    for person in people:
        if person.account is not None:
            by_account.setdefault(person.account, []).append(person.key)
    return by_account
