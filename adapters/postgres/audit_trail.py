"""The audit trail read back: one tenant's chain at a time, in a transaction bound to it.

Nothing here reads across tenants: ``audit_tenants()`` (migration 0013) lists tenant ids, and
each chain is read under that tenant's row security, as the app role or the owner.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.postgres.graph_db import GraphDb
from adapters.postgres.uow import PostgresUnitOfWork
from application.compliance.ports import AuditChains, AuditFilter, ChainHead
from application.shared.scope import Scope
from domain.compliance.audit import GENESIS, AuditRecord, Seal
from domain.shared.ids import TenantId

_decode_details = msgspec.json.Decoder(dict[str, str]).decode
_COLUMNS = (
    "tenant_id, seq, at, actor_type, actor_id, actor_salt, actor_seal, action, target_type, "
    "target_id, target_salt, target_seal, outcome, request_id, address, address_salt, "
    "address_seal, details::text AS details, prev_hash, hash"
)
_LINKS = f"""
SELECT {_COLUMNS} FROM atlas.audit_events
WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"""  # noqa: S608 - constants only
_NEWEST = f"""
SELECT {_COLUMNS} FROM atlas.audit_events
WHERE tenant_id = $1 AND ($2::bigint IS NULL OR seq < $2)
  AND ($3::text IS NULL OR action = $3) AND ($4::text IS NULL OR actor_id = $4)
  AND ($5::text IS NULL OR target_type = $5) AND ($6::text IS NULL OR target_id = $6)
  AND ($7::text IS NULL OR outcome = $7)
  AND ($8::timestamptz IS NULL OR at >= $8) AND ($9::timestamptz IS NULL OR at < $9)
ORDER BY seq DESC LIMIT $10"""  # noqa: S608 - constants only


def stored(row: Any) -> AuditRecord:
    return AuditRecord(
        tenant_id=row["tenant_id"],
        seq=row["seq"],
        at=row["at"],
        actor_type=row["actor_type"],
        actor=_seal(row, "actor_id", "actor"),
        action=row["action"],
        target_type=row["target_type"],
        target=_seal(row, "target_id", "target"),
        outcome=row["outcome"],
        request_id=row["request_id"],
        address=_seal(row, "address", "address"),
        details=_decode_details(row["details"]),
        prev_hash=bytes(row["prev_hash"]),
        hash=bytes(row["hash"]),
    )


def _seal(row: Any, value: str, name: str) -> Seal:
    salt = row[f"{name}_salt"]
    return Seal(row[value], None if salt is None else bytes(salt), bytes(row[f"{name}_seal"]))


class PostgresAuditChains(AuditChains):
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def _fetch(self, tenant: TenantId | None, query: str, *args: Any) -> list[Any]:
        scope = Scope(tenant_id=tenant, user_id=None)
        async with PostgresUnitOfWork(self._sessions, scope) as uow:
            return await GraphDb(uow.session, tenant).fetch(query, *args)

    async def tenants(self) -> Sequence[TenantId]:
        # Across tenants by design (the verifier visits every chain): ids only, a definer function.
        rows = await self._fetch(None, "SELECT tenant_id FROM atlas.audit_tenants()")
        return [TenantId(r["tenant_id"]) for r in rows]

    async def head(self, tenant: TenantId) -> ChainHead:
        rows = await self._fetch(
            tenant,
            "SELECT last_seq, last_hash FROM atlas.audit_heads WHERE tenant_id = $1",
            tenant,
        )
        if not rows:
            return ChainHead(tenant_id=tenant, last_seq=0, last_hash=GENESIS)
        return ChainHead(
            tenant_id=tenant, last_seq=rows[0]["last_seq"], last_hash=bytes(rows[0]["last_hash"])
        )

    async def links(self, tenant: TenantId, after_seq: int, limit: int) -> Sequence[AuditRecord]:
        return [stored(r) for r in await self._fetch(tenant, _LINKS, tenant, after_seq, limit)]

    async def newest_first(
        self, tenant: TenantId, where: AuditFilter, before_seq: int | None, limit: int
    ) -> Sequence[AuditRecord]:
        rows = await self._fetch(
            tenant, _NEWEST, tenant, before_seq, where.action, where.actor_id, where.target_type,
            where.target_id, where.outcome, where.since, where.until, limit,
        )  # fmt: skip
        return [stored(r) for r in rows]
