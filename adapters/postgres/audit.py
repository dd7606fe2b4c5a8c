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
from domain.compliance.audit import GENESIS, AuditEntry, AuditRecord, Seal

_encode = msgspec.json.Encoder().encode

_LOCK_HEAD = """
INSERT INTO atlas.audit_heads AS h (tenant_id, last_seq, last_hash) VALUES ($1, 0, $2)
ON CONFLICT (tenant_id) DO UPDATE SET last_seq = h.last_seq
RETURNING h.last_seq, h.last_hash, clock_timestamp() AS at
"""

_APPEND = """
WITH written AS (
    INSERT INTO atlas.audit_events
        (tenant_id, seq, at, actor_type, actor_id, actor_salt, actor_seal, action, target_type,
         target_id, target_salt, target_seal, outcome, request_id, address, address_salt,
         address_seal, details, prev_hash, hash)
    SELECT $1, e.seq, $2, e.actor_type, e.actor_id, e.actor_salt, e.actor_seal, e.action,
           e.target_type, e.target_id, e.target_salt, e.target_seal, e.outcome, e.request_id,
           e.address, e.address_salt, e.address_seal, e.details::jsonb, e.prev_hash, e.hash
    FROM unnest($3::bigint[], $4::text[], $5::text[], $6::bytea[], $7::bytea[], $8::text[],
                $9::text[], $10::text[], $11::bytea[], $12::bytea[], $13::text[], $14::text[],
                $15::text[], $16::bytea[], $17::bytea[], $18::text[], $19::bytea[],
                $20::bytea[])
        AS e(seq, actor_type, actor_id, actor_salt, actor_seal, action, target_type,
             target_id, target_salt, target_seal, outcome, request_id, address, address_salt,
             address_seal, details, prev_hash, hash)
    RETURNING 1
)
UPDATE atlas.audit_heads SET last_seq = $21, last_hash = $22
WHERE tenant_id = $1 AND (SELECT count(*) FROM written) = cardinality($3::bigint[])
"""


def _columns(links: list[AuditRecord]) -> list[list[object]]:
    """The links as the statement's arrays, in its parameter order from ``$3``."""
    columns: list[list[object]] = []
    for link in links:
        row = (
            link.seq, link.actor_type, *_sealed(link.actor), link.action, link.target_type,
            *_sealed(link.target), link.outcome, link.request_id, *_sealed(link.address),
            _encode(link.details).decode(), link.prev_hash, link.hash,
        )  # fmt: skip
        if not columns:
            columns = [[] for _ in row]
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    return columns


def _sealed(seal: Seal) -> tuple[str, bytes | None, bytes]:
    return seal.value, seal.salt, seal.digest


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
            _APPEND, db.tenant_id, head["at"], *_columns(links), links[-1].seq, links[-1].hash
        )

    def discard(self) -> None:
        self.pending = []
