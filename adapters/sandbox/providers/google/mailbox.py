"""One person's Gmail mailbox built from the seeded emails: messages, labels, history ids."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property, lru_cache

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

    def present(self, message: str, now: datetime) -> bool:
        """``message in visible(now)``, without listing the mailbox."""
        email = self.emails.get(message)
        if email is None or email.sent > now:
            return False
        return email.trashed_at is None or email.trashed_at > now

    # Events are in time order and their ids grow with time, so the lookups below bisect.
    def history_id(self, now: datetime) -> int:
        past = bisect_right(self.events, now, key=_at)
        return self.events[past - 1].id if past else HISTORY_BASE

    def message_history_id(self, message: str, now: datetime) -> int:
        past = [e.id for e in self._by_message.get(message, ()) if e.at <= now]
        return past[-1] if past else HISTORY_BASE

    def oldest_valid(self, now: datetime) -> int:
        """The smallest startHistoryId still answered; anything older gets 404."""
        older = bisect_left(self.events, now - RETENTION, key=_at)
        return self.events[older - 1].id if older else HISTORY_BASE

    def after(self, history_id: int) -> int:
        """The position of the first event later than ``history_id``."""
        return bisect_right(self.events, history_id, key=_id)

    def page(
        self, position: int, until: int, kinds: set[str], size: int
    ) -> tuple[list[Event], int | None]:
        """Up to ``size`` events of ``kinds`` from ``position`` on with ids up to ``until``,
        and the position the next page starts at (None when there is no more)."""
        found: list[Event] = []
        for index in range(position, len(self.events)):
            event = self.events[index]
            if event.id > until:
                break
            if event.kind in kinds:
                if len(found) == size:
                    return found, index
                found.append(event)
        return found, None

    @cached_property
    def _by_message(self) -> dict[str, tuple[Event, ...]]:
        by_message: dict[str, list[Event]] = {}
        for event in self.events:
            by_message.setdefault(event.message, []).append(event)
        return {m: tuple(events) for m, events in by_message.items()}


def _at(event: Event) -> datetime:
    return event.at


def _id(event: Event) -> int:
    return event.id


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
