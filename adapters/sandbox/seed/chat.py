"""Chat channels and messages with thread replies, including channels shared with customers."""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime, timedelta

from adapters.sandbox.seed.canary import Canaries
from adapters.sandbox.seed.model import Account, Channel, Deal, Issue, Message, Person, Ticket
from adapters.sandbox.seed.scale import scaled
from adapters.sandbox.seed.timeline import Timeline
from adapters.sandbox.seed.work import KEY_ACCOUNTS

REVOPS = 0
# Days into the period of the bursts: several messages posted within one second of each other
# (Slack ``ts`` values that differ only in their fraction), some still in the future.
BURST_DAYS = (12, 61, 118, -9, -4)
BURST_SIZE = 7


def build_channels(
    timeline: Timeline, people: list[Person], accounts: list[Account], *, scale: float = 1
) -> list[Channel]:
    internal = tuple(p.key for p in people if p.internal)

    def team(*teams: str) -> tuple[int, ...]:
        return tuple(dict.fromkeys((REVOPS, *(p.key for p in people if p.team in teams))))

    opened = timeline.start - timedelta(days=200)
    specs = [
        ("general", False, internal, "Company-wide announcements"),
        ("sales", False, team("sales", "leadership"), "Sales team"),
        ("deals", False, team("sales", "success", "leadership"), "Deal desk"),
        ("support", False, team("support", "engineering", "success"), "Support escalations"),
        ("engineering", False, team("engineering"), "Engineering"),
        ("revops-private", True, team("leadership"), "Revenue operations"),
    ]
    specs += _project_rooms(internal, scaled(len(specs), scale) - len(specs))
    channels = [
        Channel(key=i, name=n, private=p, members=m, created=opened, purpose=d, account=None)
        for i, (n, p, m, d) in enumerate(specs)
    ]
    contacts: dict[int | None, list[int]] = {}
    for person in people:
        contacts.setdefault(person.account, []).append(person.key)
    success = team("success")
    for account in accounts[: scaled(KEY_ACCOUNTS, scale)]:
        guests = tuple(contacts.get(account.key, ()))
        members = (REVOPS, account.owner, *success, *guests)
        channels.append(
            Channel(
                key=len(channels),
                name=f"ext-{account.domain.split('.')[0]}",
                private=True,
                members=tuple(dict.fromkeys(members)),
                created=opened + timedelta(days=30),
                purpose=f"Shared with {account.name}",
                account=account.key,
            )
        )
    return channels


def _project_rooms(
    internal: tuple[int, ...], count: int
) -> list[tuple[str, bool, tuple[int, ...], str]]:
    """A bigger company's extra public rooms, each with a dozen employees and the RevOps lead."""
    rooms = []
    for number in range(1, count + 1):
        first = (number - 1) * 12 % len(internal)
        members = (REVOPS, *(internal[(first + i) % len(internal)] for i in range(12)))
        rooms.append((f"project-{number}", False, tuple(dict.fromkeys(members)), "Project room"))
    return rooms


class _Chat:
    def __init__(self, rng: random.Random, timeline: Timeline, canaries: Canaries) -> None:
        self.rng, self.timeline, self.canaries = rng, timeline, canaries
        self.messages: list[Message] = []

    def post(
        self, channel: Channel, at: datetime, user: int, words: str, repliers: tuple[int, ...]
    ) -> None:
        if not self.timeline.within(at):
            return
        parent = self._add(channel, at, user, words, None)
        for _ in range(self.rng.choice((0, 0, 1, 2, 3))):
            at = self.timeline.later(self.rng, at, 0.05, 6)
            if not self.timeline.within(at):
                return
            self._add(channel, at, self.rng.choice(repliers), f"Re: {words}", parent)

    def add_burst(self, channel: Channel, at: datetime, user: int) -> None:
        self._add(channel, at, user, "Quick reaction", None)

    def _add(
        self, channel: Channel, at: datetime, user: int, words: str, parent: int | None
    ) -> int:
        key = len(self.messages)
        # A distinct microsecond per message keeps every ts unique inside its channel.
        ts = at.replace(microsecond=key % 1_000_000)
        text = self.canaries.mark("message-text", words)
        self.messages.append(
            Message(key=key, channel=channel.key, ts=ts, user=user, text=text, parent=parent)
        )
        return key


def build_messages(
    rng: random.Random,
    timeline: Timeline,
    *,
    channels: list[Channel],
    deals: list[Deal],
    tickets: list[Ticket],
    issues: list[Issue],
    canaries: Canaries,
    scale: float = 1,
) -> list[Message]:
    chat = _Chat(rng, timeline, canaries)
    by_name = {c.name: c for c in channels}
    shared = {c.account: c for c in channels if c.account is not None}
    for deal in deals:
        for change in deal.stages[1:]:
            at = timeline.later(rng, change.at, 0.1, 4)
            words = f"{deal.name} moved to {change.value.replace('_', ' ')}"
            chat.post(
                by_name["deals"], at, deal.owner, words, (REVOPS, *by_name["deals"].members[:6])
            )
            if deal.account in shared and rng.random() < 0.5:
                room = shared[deal.account]
                chat.post(
                    room,
                    timeline.later(rng, at, 1, 20),
                    rng.choice(deal.contacts),
                    f"Question about {deal.name}",
                    (deal.owner, REVOPS),
                )
    for ticket in tickets:
        if ticket.issue is not None:
            issue = issues[ticket.issue]
            words = f"Escalating ticket {ticket.key + 1001} as ENG-{issue.number}"
            chat.post(
                by_name["support"],
                timeline.later(rng, ticket.created, 0.5, 10),
                ticket.assignee,
                words,
                by_name["engineering"].members,
            )
    rooms = [by_name["general"], by_name["engineering"], by_name["sales"]]
    rooms += [c for c in channels if c.name.startswith("project-")]
    for _ in range(scaled(120, scale)):
        room = rng.choice(rooms)
        at = timeline.working(rng, timeline.day(rng))
        chat.post(room, at, rng.choice(room.members), "Quick update", room.members)
    # Last: the messages above stay what they were before the bursts were added.
    _bursts(chat, by_name["general"], scaled(1, scale))
    return sorted(chat.messages, key=lambda m: (m.ts, m.key))


def _bursts(chat: _Chat, room: Channel, per_day: int) -> None:
    """Messages sharing one second: paging and cursors must neither skip nor repeat them.
    A bigger company has ``per_day`` bursts on each burst day (each in a second of its own),
    so the busier #general keeps the standard company's share of them."""
    for offset in BURST_DAYS:
        day = chat.timeline.start + timedelta(days=offset % chat.timeline.days)
        for _ in range(per_day):
            at = chat.timeline.working(chat.rng, day)
            if not chat.timeline.within(at):
                continue
            for _ in range(BURST_SIZE):
                chat.add_burst(room, at, chat.rng.choice(room.members))


def with_canaries(channels: list[Channel], canaries: Canaries) -> list[Channel]:
    """Purposes and topics are content too. Marked after every other record is built, so the
    random stream the rest of the company comes from is the same as before they were."""
    return [
        dataclasses.replace(
            c,
            purpose=canaries.mark("channel-purpose", c.purpose),
            topic=canaries.mark("channel-topic", f"About #{c.name}"),
        )
        for c in channels
    ]
