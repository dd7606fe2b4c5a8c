"""One person's Gmail mailbox built from the seeded emails: messages, labels, history ids.

The seeded mailbox is built once per owner; the overlay's deletions (``sandbox.mutations``) are
laid over it per request (``with_deletions``). Gmail numbers history records in the order the
changes happen, so seeded records are ``STRIDE`` apart and a deletion made through the overlay
takes the next free id after the last seeded record at or before its moment: a change made at
the very instant a client read the mailbox still comes after the ``historyId`` it was given.
"""

from __future__ import annotations

import bisect
import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from adapters.sandbox.mutations import Mutations
from adapters.sandbox.providers.ids import hex_id
from adapters.sandbox.seed.dataset import Dataset
from adapters.sandbox.seed.model import Email

HISTORY_BASE = 4_000_000
STRIDE = 1000  # room for overlay changes between two seeded history records
RETENTION = timedelta(days=7)  # history is kept at least a week; older positions 404
HIDDEN = ("TRASH", "SPAM")  # messages.list leaves these out unless includeSpamTrash=true


@dataclass(frozen=True)
class Event:
    """One history record: its id, when it happened, what happened to which message."""

    id: int
    at: datetime
    kind: str  # messageAdded, labelAdded, labelRemoved, messageDeleted
    message: str
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Mailbox:
    owner: int
    emails: dict[str, Email]  # message id -> email
    threads: dict[str, str]  # message id -> thread id
    events: tuple[Event, ...]  # by id
    by_key: dict[int, str]  # email key -> message id

    def labels(self, message: str, now: datetime) -> tuple[str, ...]:
        email = self.emails[message]
        if email.sender == self.owner:
            labels: tuple[str, ...] = ("SENT",)
        else:
            unread = () if email.read_at is not None and email.read_at <= now else ("UNREAD",)
            labels = ("INBOX", "IMPORTANT", *unread, "CATEGORY_PERSONAL")
        # Trashing a message adds TRASH (a labelAdded record); the message stays readable.
        trashed = email.trashed_at is not None and email.trashed_at <= now
        return (*labels, "TRASH") if trashed else labels

    def deleted(self, now: datetime) -> set[str]:
        """Messages deleted for good (not trashed) by ``now``: gone from every call."""
        return {e.message for e in self.events if e.kind == "messageDeleted" and e.at <= now}

    def present(self, message: str, now: datetime) -> bool:
        email = self.emails.get(message)
        return email is not None and email.sent <= now and message not in self.deleted(now)

    def visible(self, now: datetime, *, include_trash: bool = False) -> list[str]:
        """Messages listed at ``now``, newest first, as Gmail lists them."""
        gone = self.deleted(now)
        ids = [
            m
            for m, e in self.emails.items()
            if e.sent <= now
            and m not in gone
            and (include_trash or not set(self.labels(m, now)) & set(HIDDEN))
        ]
        return sorted(ids, key=lambda m: (self.emails[m].sent, m), reverse=True)

    def history_id(self, now: datetime) -> int:
        past = [e.id for e in self.events if e.at <= now]
        return max(past, default=HISTORY_BASE)

    def message_history_id(self, message: str, now: datetime) -> int:
        past = [e.id for e in self.events if e.message == message and e.at <= now]
        return max(past, default=HISTORY_BASE)

    def oldest_valid(self, now: datetime) -> int:
        """The smallest startHistoryId still answered; anything older gets 404."""
        older = [e.id for e in self.events if e.at < now - RETENTION]
        return max(older, default=HISTORY_BASE)

    def with_deletions(self, mutations: Mutations, now: datetime) -> Mailbox:
        """This mailbox with the overlay's deletions of its emails (up to ``now``) in its history.

        Deletions are numbered in the order they were made; a deleted message has no history
        after its deletion."""
        done = [
            (self.by_key[key], at)
            for key, at in mutations.deletions("email")
            if key in self.by_key and at <= now
        ]
        if not done:
            return self
        seeded = self.events
        moments = [e.at for e in seeded]
        taken: dict[int, int] = {}
        extra: dict[str, Event] = {}
        for message, at in done:
            before = bisect.bisect_right(moments, at)
            base = seeded[before - 1].id if before else HISTORY_BASE
            taken[base] = taken.get(base, 0) + 1
            extra[message] = Event(base + taken[base], at, "messageDeleted", message, ())
        kept = [e for e in seeded if e.message not in extra or e.id < extra[e.message].id]
        events = tuple(sorted((*kept, *extra.values()), key=lambda e: e.id))
        return dataclasses.replace(self, events=events)


@lru_cache(maxsize=16)
def mailbox(dataset: Dataset, owner: int) -> Mailbox:
    emails: dict[str, Email] = {}
    threads: dict[str, str] = {}
    by_key: dict[int, str] = {}
    raw: list[tuple[datetime, int, str, str, tuple[str, ...]]] = []
    for email in dataset.emails:
        if owner not in (email.sender, *email.to, *email.cc):
            continue
        message = hex_id("gmail", owner * 1_000_000 + email.key)
        emails[message], by_key[email.key] = email, message
        threads[message] = hex_id("gmail", owner * 1_000_000 + email.thread)
        raw.append((email.sent, 0, "messageAdded", message, ()))
        if email.read_at is not None and email.sender != owner:
            raw.append((email.read_at, 1, "labelRemoved", message, ("UNREAD",)))
        if email.trashed_at is not None:
            raw.append((email.trashed_at, 2, "labelAdded", message, ("TRASH",)))
    raw.sort(key=lambda r: (r[0], r[1], r[3]))
    events = tuple(
        Event(id=HISTORY_BASE + STRIDE * (i + 1), at=at, kind=kind, message=m, labels=labels)
        for i, (at, _, kind, m, labels) in enumerate(raw)
    )
    return Mailbox(owner=owner, emails=emails, threads=threads, events=events, by_key=by_key)
