"""The audit trail's writer on PostgreSQL: links appended to the tenant's chain at commit.

``PostgresAuditRecorder`` lives in every unit of work, like the feed's outbox. Entries wait in
memory until ``commit()``; then one statement takes the tenant's head row lock (an upsert, so a
tenant's first event needs no setup) and reads the transaction's clock, the links are hashed
here, and a second statement inserts them and moves the head. The lock is held from there to
the commit, so a tenant's appends are serialised and its chain never forks.
"""

from __future__ import annotations

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.postgres.graph_db import GraphDb
from application.shared.auditing import chained, draft
from application.shared.scope import Scope
from domain.compliance.audit import GENESIS, AuditEntry, AuditRecord

_encode = msgspec.json.Encoder().encode

_LOCK_HEAD = """
INSERT INTO atlas.audit_heads AS h (tenant_id, last_seq, last_hash) VALUES ($1, 0, $2)
ON CONFLICT (tenant_id) DO UPDATE SET last_seq = h.last_seq
RETURNING h.last_seq, h.last_hash, clock_timestamp() AS at
"""

_APPEND = """
WITH written AS (
    INSERT INTO atlas.audit_events
        (tenant_id, seq, at, actor_type, actor_id, action, target_type, target_id, outcome,
         request_id, address, details, prev_hash, hash)
    SELECT $1, e.seq, $2, e.actor_type, e.actor_id, e.action, e.target_type, e.target_id,
           e.outcome, e.request_id, e.address, e.details::jsonb, e.prev_hash, e.hash
    FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                $9::text[], $10::text[], $11::text[], $12::text[], $13::bytea[], $14::bytea[])
        AS e(seq, actor_type, actor_id, action, target_type, target_id, outcome, request_id,
             address, details, prev_hash, hash)
    RETURNING 1
)
UPDATE atlas.audit_heads SET last_seq = $15, last_hash = $16
WHERE tenant_id = $1 AND (SELECT count(*) FROM written) = cardinality($3::bigint[])
"""


class PostgresAuditRecorder:
    def __init__(self, session: AsyncSession, scope: Scope) -> None:
        self._session, self._scope = session, scope
        self.pending: list[AuditRecord] = []

    def record(self, entry: AuditEntry) -> None:
        self.pending.append(draft(entry, self._scope))

    async def flush(self) -> None:
        """Append what was recorded; called by the unit of work just before it commits."""
        if not self.pending:
            return
        drafts, self.pending = self.pending, []
        db = GraphDb(self._session, self._scope.tenant_id)
        (head,) = await db.fetch(_LOCK_HEAD, db.tenant_id, GENESIS)
        links = chained(drafts, last_seq=head["last_seq"], last_hash=head["last_hash"],
                        at=head["at"])  # fmt: skip
        await db.execute(
            _APPEND,
            db.tenant_id,
            head["at"],
            [r.seq for r in links],
            [r.actor_type for r in links],
            [r.actor_id for r in links],
            [r.action for r in links],
            [r.target_type for r in links],
            [r.target_id for r in links],
            [r.outcome for r in links],
            [r.request_id for r in links],
            [r.address for r in links],
            [_encode(r.details).decode() for r in links],
            [r.prev_hash for r in links],
            [r.hash for r in links],
            links[-1].seq,
            links[-1].hash,
        )

    def discard(self) -> None:
        self.pending = []
