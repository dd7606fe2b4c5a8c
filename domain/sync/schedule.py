"""When a connection syncs next, how far its first run reaches back, and who runs it now."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import msgspec

from domain.shared.ids import TenantId, UserId
from domain.sync.errors import InvalidBackfill

DEFAULT_BACKFILL_DAYS = 90
MAX_BACKFILL_DAYS = 730
DEFAULT_INTERVAL_SECONDS = 900
MIN_INTERVAL_SECONDS = 300


def check_backfill(days: int) -> int:
    if isinstance(days, bool) or not 1 <= days <= MAX_BACKFILL_DAYS:
        raise InvalidBackfill()
    return days


class SyncSchedule(msgspec.Struct, frozen=True, kw_only=True):
    """One per connection. ``fence`` grows each time a worker starts (or takes over) a run:
    every page it writes checks it, so a worker that lost its run can no longer write."""

    tenant_id: TenantId
    user_id: UserId
    connection_id: UUID
    backfill_days: int = DEFAULT_BACKFILL_DAYS
    next_run_at: datetime | None = None  # None: due now
    last_run_id: UUID | None = None
    last_success_at: datetime | None = None
    fence: int = 0

    def backfill_since(self, now: datetime) -> datetime:
        return now - timedelta(days=self.backfill_days)

    def after_run(
        self, run_id: UUID, at: datetime, interval_seconds: int, *, ok: bool
    ) -> SyncSchedule:
        return msgspec.structs.replace(
            self,
            last_run_id=run_id,
            last_success_at=at if ok else self.last_success_at,
            next_run_at=at + timedelta(seconds=interval_seconds),
        )
