"""Retention of the feed's outbox: a week of events or each tenant's newest 10,000, whichever
keeps more. A client resuming from further back is told to resync; run by the worker's
scheduler (PgQueuer), whichever worker's turn it is."""

from __future__ import annotations

from datetime import timedelta
from typing import final

from application.feed.ports import FeedRetention
from application.shared.ports import Clock

KEEP_FOR = timedelta(days=7)
KEEP_EVENTS = 10_000


@final
class PruneFeed:
    def __init__(self, retention: FeedRetention, clock: Clock) -> None:
        self._retention, self._clock = retention, clock

    async def execute(self) -> int:
        """How many events went."""
        return await self._retention.prune(self._clock.now() - KEEP_FOR, KEEP_EVENTS)
