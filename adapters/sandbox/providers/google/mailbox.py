"""One person's Gmail mailbox built from the seeded emails: messages, labels, history ids."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from adapters.sandbox.providers.ids import hex_id
from adapters.sandbox.seed.dataset import Dataset
from adapters.sandbox.seed.model import Email

HISTORY_BASE = 4_000_000
RETENTION = timedelta(days=7)  # history is kept at least a week; older positions 404


@dataclass(frozen=True)
class Event:
    """One history record: its id, when it happened, what happened to which message."""

    id: int
    at: datetime
    kind: str  # messageAdded, labelRemoved, messageDeleted
    message: str
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Mailbox:
    owner: int
    emails: dict[str, Email]  # message id -> email
    threads: dict[str, str]  # message id -> thread id
    events: tuple[Event, ...]

    def labels(self, message: str, now: datetime) -> tuple[str, ...]:
        email = self.emails[message]
        if email.sender == self.owner:
            return ("SENT",)
        unread = () if email.read_at is not None and email.read_at <= now else ("UNREAD",)
        return ("INBOX", "IMPORTANT", *unread, "CATEGORY_PERSONAL")

    def visible(self, now: datetime) -> list[str]:
        """Messages present at ``now``, newest first, as Gmail lists them."""
        gone = {e.message for e in self.events if e.kind == "messageDeleted" and e.at <= now}
        ids = [m for m, e in self.emails.items() if e.sent <= now and m not in gone]
        return sorted(ids, key=lambda m: (self.emails[m].sent, m), reverse=True)

    def history_id(self, now: datetime) -> int:
        past = [e.id for e in self.events if e.at <= now]
        return past[-1] if past else HISTORY_BASE

    def message_history_id(self, message: str, now: datetime) -> int:
        past = [e.id for e in self.events if e.message == message and e.at <= now]
        return past[-1] if past else HISTORY_BASE

    def oldest_valid(self, now: datetime) -> int:
        """The smallest startHistoryId still answered; anything older gets 404."""
        older = [e.id for e in self.events if e.at < now - RETENTION]
        return older[-1] if older else HISTORY_BASE


@lru_cache(maxsize=16)
def mailbox(dataset: Dataset, owner: int) -> Mailbox:
    emails: dict[str, Email] = {}
    threads: dict[str, str] = {}
    raw: list[tuple[datetime, int, str, str, tuple[str, ...]]] = []
    for email in dataset.emails:
        if owner not in (email.sender, *email.to, *email.cc):
            continue
        message = hex_id("gmail", owner * 1_000_000 + email.key)
        emails[message] = email
        threads[message] = hex_id("gmail", owner * 1_000_000 + email.thread)
        raw.append((email.sent, 0, "messageAdded", message, ()))
        if email.read_at is not None and email.sender != owner:
            raw.append((email.read_at, 1, "labelRemoved", message, ("UNREAD",)))
        if email.trashed_at is not None:
            raw.append((email.trashed_at, 2, "messageDeleted", message, ()))
    raw.sort(key=lambda r: (r[0], r[1], r[3]))
    events = tuple(
        Event(id=HISTORY_BASE + 3 * (i + 1), at=at, kind=kind, message=m, labels=labels)
        for i, (at, _, kind, m, labels) in enumerate(raw)
    )
    return Mailbox(owner=owner, emails=emails, threads=threads, events=events)
