"""The seeded company as plain records; each provider module renders them in its own shapes.

Everything that changes over time carries its history (``Change``), and providers show the
state as of the sandbox clock, so moving the clock forward makes new work appear.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Person:
    key: int
    first: str
    last: str
    email: str
    title: str
    team: str  # sales, success, support, engineering, leadership, or external
    account: int | None  # the customer account an external contact works for
    timezone: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def internal(self) -> bool:
        return self.account is None


@dataclass(frozen=True)
class Account:
    key: int
    name: str
    domain: str
    industry: str
    owner: int
    created: datetime
    employees: int


@dataclass(frozen=True)
class Change:
    """A stage or status taking effect at a moment, made by a person."""

    value: str
    at: datetime
    by: int


@dataclass(frozen=True)
class Deal:
    key: int
    account: int
    name: str
    amount: int
    owner: int
    contacts: tuple[int, ...]
    created: datetime
    close_date: datetime
    stages: tuple[Change, ...]  # stages[0] is the stage it was created in
    description: str = ""  # the seller's notes: content (a canary), never stored by Atlas


@dataclass(frozen=True)
class Ticket:
    key: int
    account: int
    requester: int
    assignee: int
    subject: str
    description: str
    priority: str
    channel: str
    tags: tuple[str, ...]
    created: datetime
    statuses: tuple[Change, ...]
    issue: int | None  # the engineering issue it was escalated to
    # Hand-overs to another agent: Change.value is the new assignee's person key.
    reassignments: tuple[Change, ...] = ()

    def assignee_at(self, now: datetime) -> int:
        current = self.assignee
        for change in self.reassignments:
            if change.at <= now:
                current = int(change.value)
        return current


@dataclass(frozen=True)
class Assignment:
    """An issue handed to a person (``to``) at a moment, by a person."""

    to: int
    at: datetime
    by: int


@dataclass(frozen=True)
class Edit:
    """A content field's earlier value, replaced by the current one at a moment."""

    field: str  # "summary"
    before: str
    at: datetime
    by: int


@dataclass(frozen=True)
class Issue:
    key: int
    project: str
    number: int
    summary: str
    description: str
    kind: str
    priority: str
    reporter: int
    assignee: int
    created: datetime
    statuses: tuple[Change, ...]
    labels: tuple[str, ...]
    ticket: int | None
    assignments: tuple[Assignment, ...] = ()  # handed on after creation (``assignee`` first)
    edits: tuple[Edit, ...] = ()  # content rewritten after creation (changelog items)


@dataclass(frozen=True)
class Email:
    key: int
    thread: int  # key of the first message of the thread
    sender: int
    to: tuple[int, ...]
    cc: tuple[int, ...]
    subject: str
    snippet: str
    sent: datetime
    account: int | None
    deal: int | None
    read_at: datetime | None  # when the UNREAD label went away
    trashed_at: datetime | None


@dataclass(frozen=True)
class Meeting:
    key: int
    organizer: int
    attendees: tuple[tuple[int, str], ...]  # (person, responseStatus)
    start: datetime
    end: datetime
    summary: str
    description: str
    created: datetime
    account: int | None
    deal: int | None
    moved_at: datetime | None  # rescheduled: from then on it runs at (start, end)
    original_start: datetime | None
    cancelled_at: datetime | None


@dataclass(frozen=True)
class Channel:
    key: int
    name: str
    private: bool
    members: tuple[int, ...]
    created: datetime
    purpose: str
    account: int | None  # a channel shared with a customer
    topic: str = ""


@dataclass(frozen=True)
class Message:
    key: int
    channel: int
    ts: datetime
    user: int
    text: str
    parent: int | None  # key of the thread's parent message


def state_at(changes: tuple[Change, ...], now: datetime) -> Change | None:
    """The change in effect at ``now`` (None before the first)."""
    current = None
    for change in changes:
        if change.at > now:
            break
        current = change
    return current


def history_until(changes: tuple[Change, ...], now: datetime) -> tuple[Change, ...]:
    return tuple(c for c in changes if c.at <= now)
