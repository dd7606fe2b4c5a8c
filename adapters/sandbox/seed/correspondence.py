"""Email threads and meetings about the deals and tickets, among the same people."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from adapters.sandbox.seed.canary import Canaries
from adapters.sandbox.seed.model import Deal, Email, Meeting, Person, Ticket
from adapters.sandbox.seed.scale import scaled
from adapters.sandbox.seed.timeline import Timeline
from adapters.sandbox.seed.words import INTERNAL_TOPICS, TEAM_SIZES
from adapters.sandbox.seed.work import KEY_ACCOUNTS

REVOPS = 0  # the RevOps lead's person key


class _Mail:
    def __init__(self, rng: random.Random, timeline: Timeline, canaries: Canaries) -> None:
        self.rng, self.timeline, self.canaries = rng, timeline, canaries
        self.emails: list[Email] = []

    def thread(
        self,
        at: datetime,
        parties: tuple[int, tuple[int, ...], tuple[int, ...]],
        topic: str,
        *,
        account: int | None = None,
        deal: int | None = None,
        replies: int = 2,
    ) -> None:
        sender, to, cc = parties
        subject = self.canaries.mark("email-subject", topic)
        thread, author, readers = len(self.emails), sender, to
        for index in range(replies + 1):
            if not self.timeline.within(at):
                return
            self.emails.append(
                Email(
                    key=len(self.emails),
                    thread=thread,
                    sender=author,
                    to=readers,
                    cc=cc,
                    subject=subject if index == 0 else f"Re: {subject}",
                    snippet=self.canaries.mark("email-snippet", f"Following up on {topic}"),
                    sent=at,
                    account=account,
                    deal=deal,
                    read_at=None
                    if self.rng.random() < 0.1
                    else self.timeline.later(self.rng, at, 0.2, 30),
                    trashed_at=self.timeline.later(self.rng, at, 24, 24 * 6)
                    if self.rng.random() < 0.03
                    else None,
                )
            )
            author, readers = readers[0], (author,)
            at = self.timeline.later(self.rng, at, 1, 40)


def build_emails(
    rng: random.Random,
    timeline: Timeline,
    *,
    people: list[Person],
    deals: list[Deal],
    tickets: list[Ticket],
    canaries: Canaries,
    scale: float = 1,
) -> list[Email]:
    mail = _Mail(rng, timeline, canaries)
    for deal in deals:
        cc = (REVOPS,) if deal.account < KEY_ACCOUNTS or rng.random() < 0.3 else ()
        for change in deal.stages:
            at = timeline.later(rng, change.at, 0.5, 30)
            topic = f"{deal.name}: {change.value.replace('_', ' ')}"
            parties = (deal.owner, deal.contacts, cc)
            mail.thread(
                at, parties, topic, account=deal.account, deal=deal.key, replies=rng.randint(1, 3)
            )
    engineers = [p.key for p in people if p.team == "engineering"]
    for ticket in tickets:
        if ticket.issue is not None:
            at = timeline.later(rng, ticket.created, 0.5, 20)
            parties = (
                ticket.assignee,
                (rng.choice(engineers),),
                (REVOPS,) if rng.random() < 0.2 else (),
            )
            mail.thread(at, parties, f"Escalation #{ticket.key + 1001}", account=ticket.account)
    internal = [p.key for p in people if p.internal]
    for _ in range(scaled(80, scale)):
        sender, reader = rng.sample(internal, 2)
        at = timeline.working(rng, timeline.day(rng))
        mail.thread(
            at,
            (sender, (reader, REVOPS) if reader != REVOPS else (reader,), ()),
            rng.choice(INTERNAL_TOPICS),
            replies=rng.randint(0, 2),
        )
    return sorted(mail.emails, key=lambda e: (e.sent, e.key))


def build_simultaneous(
    rng: random.Random,
    timeline: Timeline,
    people: list[Person],
    canaries: Canaries,
    *,
    first_key: int,
    scale: float = 1,
) -> list[Email]:
    """Every few days, three one-message threads reach the RevOps lead's mailbox in the same
    second (one she sends, two she receives): equal timestamps every sync must keep apart.
    The last of the three goes to the trash two days later (so a trashing is always ahead).
    A bigger company sends her that many trios per slot, each in a second of its own, so the
    share of equal timestamps in her mailbox stays what it is in the standard company."""
    colleagues = [p.key for p in people if p.internal and p.key != REVOPS]
    contacts = [p for p in people if not p.internal]
    emails: list[Email] = []
    day = timeline.start + timedelta(days=2)
    while day < timeline.end:
        for _ in range(scaled(1, scale)):
            at = timeline.working(rng, day)
            outside, inside = rng.choice(contacts), rng.choice(colleagues)
            parties = (
                (REVOPS, outside.key, outside.account),
                (inside, REVOPS, None),
                (rng.choice(contacts).key, REVOPS, None),
            )
            for index, (sender, reader, account) in enumerate(parties):
                emails.append(
                    _one_message(
                        rng,
                        timeline,
                        canaries,
                        key=first_key + len(emails),
                        parties=(sender, reader),
                        account=account if account is not None else people[sender].account,
                        at=at,
                        trashed=index == 2,
                    )
                )
        day += timedelta(days=4)
    return [e for e in emails if timeline.within(e.sent)]


def _one_message(
    rng: random.Random,
    timeline: Timeline,
    canaries: Canaries,
    *,
    key: int,
    parties: tuple[int, int],
    account: int | None,
    at: datetime,
    trashed: bool,
) -> Email:
    topic = rng.choice(INTERNAL_TOPICS)
    return Email(
        key=key,
        thread=key,
        sender=parties[0],
        to=(parties[1],),
        cc=(),
        subject=canaries.mark("email-subject", topic),
        snippet=canaries.mark("email-snippet", f"Quick note on {topic}"),
        sent=at,
        account=account,
        deal=None,
        read_at=timeline.later(rng, at, 0.2, 8),
        trashed_at=at + timedelta(days=2) if trashed else None,
    )


def build_meetings(
    rng: random.Random,
    timeline: Timeline,
    people: list[Person],
    deals: list[Deal],
    canaries: Canaries,
) -> list[Meeting]:
    meetings: list[Meeting] = []
    engineers = [p.key for p in people if p.title == "Sales Engineer"]
    for deal in deals:
        for change in deal.stages[1:]:
            if change.value.startswith("closed"):
                continue
            guests = [deal.owner, *deal.contacts]
            if deal.account < KEY_ACCOUNTS or rng.random() < 0.25:
                guests.append(REVOPS)
            if change.value == "proposal":
                guests.append(rng.choice(engineers))
            title = f"{change.value.title()} call: {deal.name}"
            meetings.append(
                _meeting(
                    rng,
                    timeline,
                    canaries,
                    key=len(meetings),
                    created=change.at,
                    organizer=deal.owner,
                    guests=guests,
                    title=title,
                    deal=deal,
                )
            )
    meetings += _weekly_reviews(rng, timeline, canaries, people, first_key=len(meetings))
    return [m for m in meetings if timeline.within(m.created)]


def _weekly_reviews(
    rng: random.Random,
    timeline: Timeline,
    canaries: Canaries,
    people: list[Person],
    *,
    first_key: int,
) -> list[Meeting]:
    """The RevOps lead's Monday review with each sales team of the standard company's size."""
    sales = [p.key for p in people if p.team == "sales"]
    size = TEAM_SIZES["sales"]
    teams = [sales[i : i + size] for i in range(0, len(sales), size)]
    reviews: list[Meeting] = []
    monday = timeline.start - timedelta(days=timeline.start.weekday())
    while monday < timeline.end:
        start = monday.replace(hour=9)
        for number, team in enumerate(teams, start=1):
            reviews.append(
                _meeting(
                    rng,
                    timeline,
                    canaries,
                    key=first_key + len(reviews),
                    created=start - timedelta(days=7),
                    organizer=REVOPS,
                    guests=[REVOPS, *team],
                    title="Weekly pipeline review" + (f" (team {number})" if number > 1 else ""),
                    deal=None,
                    start=start,
                )
            )
        monday += timedelta(days=7)
    return reviews


def _meeting(
    rng: random.Random,
    timeline: Timeline,
    canaries: Canaries,
    *,
    key: int,
    created: datetime,
    organizer: int,
    guests: list[int],
    title: str,
    deal: Deal | None,
    start: datetime | None = None,
) -> Meeting:
    begins = start or timeline.working(rng, created + timedelta(days=rng.randint(1, 6)))
    length = timedelta(minutes=rng.choice((30, 45, 60)))
    moved = rng.random() < 0.1
    cancelled = not moved and rng.random() < 0.07
    new_start = begins + timedelta(days=rng.randint(1, 3)) if moved else begins
    responses = ("accepted", "accepted", "tentative", "needsAction", "declined")
    return Meeting(
        key=key,
        organizer=organizer,
        attendees=tuple(
            (g, "accepted" if g == organizer else rng.choice(responses))
            for g in dict.fromkeys(guests)
        ),
        start=new_start,
        end=new_start + length,
        summary=canaries.mark("event-summary", title),
        description=canaries.mark("event-description", f"Agenda for {title}"),
        created=created,
        account=deal.account if deal else None,
        deal=deal.key if deal else None,
        moved_at=created + timedelta(hours=20) if moved else None,
        original_start=begins if moved else None,
        cancelled_at=created + timedelta(hours=30) if cancelled else None,
    )
