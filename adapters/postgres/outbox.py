"""The feed's outbox on PostgreSQL: announcements written at commit.

``PostgresEventOutbox`` lives in every unit of work. Announcements wait in memory until
``commit()``; then one statement moves the tenant's head by their number (the row lock that
keeps numbers gapless and commits in order is held only from there to the commit), inserts them
and queues ``NOTIFY atlas_feed '<tenant>:<seq>'``, which PostgreSQL delivers at commit.
"""

from __future__ import annotations

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.postgres.graph_db import GraphDb
from domain.feed.events import MAX_DATA_BYTES, FeedEvent, pending_with
from domain.shared.errors import ScopeViolation
from domain.shared.ids import TenantId

FEED_CHANNEL = "atlas_feed"
SESSIONS_CHANNEL = "atlas_sessions"

_encode = msgspec.json.Encoder().encode

_WRITE = """
WITH head AS (
    INSERT INTO atlas.tenant_event_heads AS h (tenant_id, last_seq) VALUES ($1, $2)
    ON CONFLICT (tenant_id) DO UPDATE SET last_seq = h.last_seq + EXCLUDED.last_seq
    RETURNING h.last_seq
), written AS (
    INSERT INTO atlas.tenant_events
        (tenant_id, seq, kind, visibility, private_to, data, created_at)
    SELECT $1, head.last_seq - $2 + e.n, e.kind, e.visibility, e.private_to, e.data::jsonb,
           clock_timestamp()
    FROM head, unnest($3::text[], $4::text[], $5::uuid[], $6::text[])
        WITH ORDINALITY AS e(kind, visibility, private_to, data, n)
    RETURNING seq
)
SELECT pg_catalog.pg_notify($7, $1::text || ':' || head.last_seq::text),
       (SELECT count(*) FROM written)
FROM head
"""


class PostgresEventOutbox:
    def __init__(self, session: AsyncSession, tenant_id: TenantId | None) -> None:
        self._session, self._tenant_id = session, tenant_id
        self.pending: list[FeedEvent] = []

    def announce(self, event: FeedEvent) -> None:
        if len(_encode(event.data)) > MAX_DATA_BYTES:
            raise ValueError(f"a {event.kind} event carries too much data")
        pending_with(self.pending, event)

    async def flush(self) -> None:
        """Write what was announced; called by the unit of work just before it commits."""
        if not self.pending:
            return
        if self._tenant_id is None:
            raise ScopeViolation()  # an event always belongs to a tenant
        events, self.pending = self.pending, []
        await GraphDb(self._session, self._tenant_id).fetch(
            _WRITE,
            self._tenant_id,
            len(events),
            [e.kind.value for e in events],
            [e.audience.value for e in events],
            [e.private_to for e in events],
            [_encode(e.data).decode() for e in events],
            FEED_CHANNEL,
        )

    def discard(self) -> None:
        self.pending = []
