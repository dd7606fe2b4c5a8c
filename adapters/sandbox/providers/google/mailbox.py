"""One person's Gmail mailbox built from the seeded emails: messages, labels, history ids.

The seeded mailbox is built once per owner, with its history indexed by id (and so by time);
the overlay's deletions (``sandbox.mutations``) are laid over it per request
(``with_deletions``) as a few extra history records and the seeded records they hide, so every
lookup bisects the seeded history and then checks the overlay's handful: O(log n + page).
Gmail numbers history records in the order the changes happen, so seeded records are
``STRIDE`` apart and a deletion made through the overlay takes the next free id after the last
seeded record at or before its moment: a change made at the very instant a client read the
mailbox still comes after the ``historyId`` it was given.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
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
    events: tuple[Event, ...]  # the seeded history, by id (and so by time)
    by_key: dict[int, str]  # email key -> message id
    by_message: dict[str, tuple[Event, ...]]  # message id -> its seeded history
    # The overlay (``with_deletions``): its messageDeleted records by id, and the ids of the
    # seeded records of deleted messages that came after their deletion (gone with them).
    extra: tuple[Event, ...] = ()
    hidden: frozenset[int] = frozenset()

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
        """Messages deleted for good (not trashed) by ``now``: gone from every call. Only the
        overlay deletes for good; the seeded mail is at most trashed."""
        return {e.message for e in self.extra if e.kind == "messageDeleted" and e.at <= now}

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
        return self._latest(bisect_right(self.events, now, key=_at), lambda e: e.at <= now)

    def message_history_id(self, message: str, now: datetime) -> int:
        seeded = self.by_message.get(message, ())
        ids = [e.id for e in seeded if e.at <= now and e.id not in self.hidden]
        ids += [e.id for e in self.extra if e.message == message and e.at <= now]
        return max(ids, default=HISTORY_BASE)

    def oldest_valid(self, now: datetime) -> int:
        """The smallest startHistoryId still answered; anything older gets 404."""
        before = now - RETENTION
        return self._latest(bisect_left(self.events, before, key=_at), lambda e: e.at < before)

    def _latest(self, seeded_end: int, passed: Callable[[Event], bool]) -> int:
        """The largest id among the seeded records before ``seeded_end`` and the overlay's
        that have ``passed``, leaving out hidden ones (few: walked past one by one)."""
        index = seeded_end - 1
        while index >= 0 and self.events[index].id in self.hidden:
            index -= 1
        ids = [e.id for e in self.extra if passed(e)]
        return max([self.events[index].id if index >= 0 else HISTORY_BASE, *ids])

    def page(
        self, after: int, until: int, kinds: set[str], size: int
    ) -> tuple[list[Event], int | None]:
        """Up to ``size`` records of ``kinds`` with ids after ``after`` and up to ``until``,
        and the id the next page starts after (None when there is no more)."""
        found: list[Event] = []
        for event in self._from(after):
            if event.id > until:
                break
            if event.kind in kinds:
                if len(found) == size:
                    return found, found[-1].id
                found.append(event)
        return found, None

    def _from(self, after: int) -> Iterator[Event]:
        """The history after the id ``after`` in id order: the seeded records from a bisection,
        the overlay's merged in, the hidden ones left out."""
        seeded = range(bisect_right(self.events, after, key=_id), len(self.events))
        extra = iter([e for e in self.extra if e.id > after])
        pending = next(extra, None)
        for index in seeded:
            event = self.events[index]
            while pending is not None and pending.id < event.id:
                yield pending
                pending = next(extra, None)
            if event.id not in self.hidden:
                yield event
        while pending is not None:
            yield pending
            pending = next(extra, None)

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
        taken: dict[int, int] = {}
        extra: dict[str, Event] = {}
        for message, at in done:
            before = bisect_right(self.events, at, key=_at)
            base = self.events[before - 1].id if before else HISTORY_BASE
            taken[base] = taken.get(base, 0) + 1
            extra[message] = Event(base + taken[base], at, "messageDeleted", message, ())
        hidden = {e.id for m, gone in extra.items() for e in self.by_message[m] if e.id > gone.id}
        ordered = tuple(sorted(extra.values(), key=_id))
        return dataclasses.replace(self, extra=ordered, hidden=frozenset(hidden))


def _at(event: Event) -> datetime:
    return event.at


def _id(event: Event) -> int:
    return event.id


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
    by_message: dict[str, list[Event]] = {}
    for event in events:
        by_message.setdefault(event.message, []).append(event)
    return Mailbox(
        owner=owner,
        emails=emails,
        threads=threads,
        events=events,
        by_key=by_key,
        by_message={m: tuple(history) for m, history in by_message.items()},
    )
