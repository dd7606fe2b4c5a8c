"""What the feed tells a member, and who may hear it.

An event is announced by a use case inside the transaction of the change it reports; the
outbox gives it the tenant's next ``seq`` when that transaction commits. Its audience decides
who receives it: every member of the tenant, the owners and admins, or one member (the owner
of an unshared personal source: whatever comes from a mailbox is for its owner alone).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import msgspec

from domain.identity.model import Role
from domain.shared.ids import UserId


class EventKind(enum.StrEnum):
    SYNC_STARTED = "sync.started"
    SYNC_PROGRESS = "sync.progress"
    SYNC_FINISHED = "sync.finished"
    SYNC_FAILED = "sync.failed"
    CONNECTION_STATUS = "connection.status"
    GRAPH_CHANGED = "graph.changed"
    IMPORT_PROGRESS = "import.progress"
    IMPORT_FINISHED = "import.finished"
    MEMBER_CHANGED = "member.changed"
    SECURITY_ALERT = "security.alert"


class Audience(enum.StrEnum):
    MEMBERS = "members"  # everyone in the tenant
    ADMINS = "admins"  # owners and admins
    PRIVATE = "private"  # one member: ``private_to``


# A security alert is never for everyone, whatever the announcing code says.
_ADMINS_ONLY = frozenset({EventKind.SECURITY_ALERT})
MAX_DATA_BYTES = 8192  # an event carries ids, names of types, counts: never content


class FeedEvent(msgspec.Struct, frozen=True, kw_only=True):
    """An announcement, before the outbox numbers it."""

    kind: EventKind
    data: dict[str, Any]
    audience: Audience = Audience.MEMBERS
    private_to: UserId | None = None

    def __post_init__(self) -> None:
        if (self.audience is Audience.PRIVATE) != (self.private_to is not None):
            raise ValueError("a private event names its member, and only a private one does")
        if self.kind in _ADMINS_ONLY and self.audience is not Audience.ADMINS:
            raise ValueError(f"{self.kind} is for owners and admins only")

    @classmethod
    def about_source(
        cls, kind: EventKind, private_to: UserId | None, data: dict[str, Any]
    ) -> FeedEvent:
        """An event about a source: for its owner alone while it is an unshared personal one."""
        if private_to is None:
            return cls(kind=kind, data=data)
        return cls(kind=kind, data=data, audience=Audience.PRIVATE, private_to=private_to)

    @classmethod
    def graph_changed(
        cls, revision: int, object_types: set[str] | None, private_to: UserId | None
    ) -> FeedEvent:
        """``object_types`` None: any type may have changed (a purge, an undone merge)."""
        types = None if object_types is None else sorted(object_types)
        data = {"revision": revision, "object_types": types}
        return cls.about_source(EventKind.GRAPH_CHANGED, private_to, data)

    def absorb(self, later: FeedEvent) -> FeedEvent | None:
        """One ``graph.changed`` per transaction and audience: the later revision, the union
        of the types. None when the two are not the same announcement."""
        if not (
            self.kind is later.kind is EventKind.GRAPH_CHANGED
            and self.audience is later.audience
            and self.private_to == later.private_to
        ):
            return None
        mine, theirs = self.data["object_types"], later.data["object_types"]
        types = None if mine is None or theirs is None else sorted({*mine, *theirs})
        revision = max(self.data["revision"], later.data["revision"])
        data = {"revision": revision, "object_types": types}
        return msgspec.structs.replace(self, data=data)


class PublishedEvent(msgspec.Struct, frozen=True, kw_only=True):
    """An event as the outbox holds it: numbered, timed, with its audience."""

    seq: int
    kind: str
    at: datetime
    data: dict[str, Any]
    audience: Audience
    private_to: UserId | None = None

    def visible_to(self, user_id: UserId, role: Role) -> bool:
        if self.audience is Audience.MEMBERS:
            return True
        if self.audience is Audience.ADMINS:
            return role.manages_members
        return self.private_to == user_id


def pending_with(pending: list[FeedEvent], event: FeedEvent) -> None:
    """Add ``event`` to a transaction's pending announcements, folding repeated graph changes."""
    for index, earlier in enumerate(pending):
        folded = earlier.absorb(event)
        if folded is not None:
            pending[index] = folded
            return
    pending.append(event)
