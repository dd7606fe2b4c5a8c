"""Rate-limit counters in PostgreSQL, shared by every API process (fixed windows).

Subjects (email addresses, IP addresses, user ids) are never stored: the bucket is an
HMAC-SHA256 of rule and subject under a server key, so the table says nothing to someone who
reads it. One upsert per attempt decides atomically, whatever the number of processes.
The table is deployment-wide by design (a login is throttled before any tenant is known): it
has no tenant column, and no statement here names one.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.postgres.engine import SCOPE_KEY
from adapters.postgres.identity_statements import run
from application.identity.ports import RateLimit, RateLimiter
from application.shared.ports import Clock
from application.shared.scope import Scope

_HIT = text(
    """
    INSERT INTO atlas.rate_limits AS r (bucket, window_start, hits)
    VALUES (:bucket, :now, 1)
    ON CONFLICT (bucket) DO UPDATE SET
        window_start = CASE WHEN r.window_start + :window <= :now
                            THEN :now ELSE r.window_start END,
        hits = CASE WHEN r.window_start + :window <= :now THEN 1 ELSE r.hits + 1 END
    RETURNING window_start, hits
    """
)
# hits stays positive (a CHECK): the last refunded attempt removes the bucket instead.
_REFUND = text(
    """
    WITH emptied AS (
        DELETE FROM atlas.rate_limits WHERE bucket = :bucket AND hits <= 1 RETURNING bucket
    )
    UPDATE atlas.rate_limits SET hits = hits - 1 WHERE bucket = :bucket AND hits > 1
    """
)
_PEEK = text("SELECT window_start, hits FROM atlas.rate_limits WHERE bucket = :bucket")
_PURGE = text("DELETE FROM atlas.rate_limits WHERE window_start < :before")
PURGE_EVERY = 1000  # attempts per process between sweeps of long-expired windows
KEEP = timedelta(days=1)  # longer than any rule's window


class PostgresRateLimiter(RateLimiter):
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], key: bytes, clock: Clock
    ) -> None:
        self._sessions, self._key, self._clock = sessions, key, clock
        self._since_purge = 0

    def bucket(self, rule: RateLimit, subject: str) -> bytes:
        message = f"{rule.name}\x00{subject}".encode()
        return hmac.new(self._key, message, hashlib.sha256).digest()

    async def attempt(self, rule: RateLimit, subject: str) -> int | None:
        now = self._clock.now()
        params = {"bucket": self.bucket(rule, subject), "now": now, "window": rule.window}
        # A global table: no tenant row is read or written, so the anonymous scope is right.
        async with self._sessions(info={SCOPE_KEY: Scope.ANONYMOUS}) as session:
            row = (await run(session, _HIT, params)).one()
            self._since_purge += 1
            if self._since_purge >= PURGE_EVERY:
                self._since_purge = 0
                await run(session, _PURGE, {"before": now - KEEP})
            await session.commit()
        return _wait(rule, row.window_start, row.hits, now)

    async def refund(self, rule: RateLimit, subject: str) -> None:
        async with self._sessions(info={SCOPE_KEY: Scope.ANONYMOUS}) as session:
            await run(session, _REFUND, {"bucket": self.bucket(rule, subject)})
            await session.commit()

    async def exceeded(self, rule: RateLimit, subject: str) -> int | None:
        now = self._clock.now()
        async with self._sessions(info={SCOPE_KEY: Scope.ANONYMOUS}) as session:
            row = (await run(session, _PEEK, {"bucket": self.bucket(rule, subject)})).one_or_none()
        if row is None or row.window_start + rule.window <= now:
            return None
        return _wait(rule, row.window_start, row.hits + 1, now)


def _wait(rule: RateLimit, window_start: datetime, hits: int, now: datetime) -> int | None:
    if hits <= rule.limit:
        return None
    return max(1, math.ceil((window_start + rule.window - now).total_seconds()))
