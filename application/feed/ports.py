"""What the feed needs from storage: the member's view of the outbox, and the fan-out's."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable
from uuid import UUID

import msgspec

from application.shared.actor import Actor
from domain.feed.events import PublishedEvent
from domain.shared.ids import TenantId


class FeedPosition(msgspec.Struct, frozen=True, kw_only=True):
    latest: int  # the newest event this member may see (or the floor when none is kept)
    head: int  # the tenant's newest event, whoever may see it
    floor: int  # every event up to this one was pruned


@runtime_checkable  # handed to HTTP handlers as a dependency, which checks its type
class MemberFeed(Protocol):
    """The outbox as one member sees it: their tenant, their private events, their role's."""

    async def position(self, actor: Actor) -> FeedPosition: ...

    async def after(self, actor: Actor, seq: int, limit: int) -> Sequence[PublishedEvent]:
        """The member's events numbered above ``seq``, in order, at most ``limit``."""
        ...

    async def import_news(self, actor: Actor, import_id: UUID) -> PublishedEvent | None:
        """The newest ``import.progress`` or ``import.finished`` of one import: how it stands,
        whichever API process runs it."""
        ...


class TenantFeed(Protocol):
    """The fan-out's view: every event of one tenant, each socket then keeps what it may see."""

    async def heads(self, tenants: Sequence[TenantId]) -> dict[TenantId, int]: ...

    async def after(self, tenant: TenantId, seq: int, limit: int) -> Sequence[PublishedEvent]: ...


class FeedRetention(Protocol):
    async def prune(self, before: datetime, keep: int) -> int:
        """Remove events older than ``before`` beyond each tenant's newest ``keep``."""
        ...
