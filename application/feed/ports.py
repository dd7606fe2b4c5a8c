"""What the feed needs from storage: the member's view of the outbox, and the fan-out's."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

import msgspec

from application.shared.actor import Actor
from domain.feed.events import PublishedEvent
from domain.shared.ids import TenantId


class FeedPosition(msgspec.Struct, frozen=True, kw_only=True):
    latest: int  # the newest event this member may see (or the floor when none is kept)
    head: int  # the tenant's newest event, whoever may see it
    floor: int  # every event up to this one was pruned


class MemberFeed(Protocol):
    """The outbox as one member sees it: their tenant, their private events, their role's."""

    async def position(self, actor: Actor) -> FeedPosition: ...

    async def after(self, actor: Actor, seq: int, limit: int) -> Sequence[PublishedEvent]:
        """The member's events numbered above ``seq``, in order, at most ``limit``."""
        ...


class TenantFeed(Protocol):
    """The fan-out's view: every event of one tenant, each socket then keeps what it may see."""

    async def heads(self, tenants: Sequence[TenantId]) -> dict[TenantId, int]: ...

    async def after(self, tenant: TenantId, seq: int, limit: int) -> Sequence[PublishedEvent]: ...


class FeedRetention(Protocol):
    async def prune(self, before: datetime, keep: int) -> int:
        """Remove events older than ``before`` beyond each tenant's newest ``keep``."""
        ...
