"""PostgreSQL side of tenant deletion: the pending state on ``tenants``, the record in
``tenant_deletions``, the purge through ``atlas.purge_tenant`` and its census (migration 0015).

The purge is one transaction in the tenant's own scope: the tenant's queued jobs go, then
``SELECT atlas.purge_tenant(:tenant)`` (which sets ``atlas.purging_tenant`` and deletes every
row, the tenant row last, its trigger having the last word), then the record is written.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.postgres.errors import execute
from adapters.postgres.jobs_schema import JOBS_SCHEMA
from adapters.postgres.scoped import own_tenant
from adapters.postgres.uow import PostgresUnitOfWork
from application.compliance.tenant_deletion_ports import (
    ConnectionOwner,
    PurgeCensus,
    TenantDeletionRecords,
    TenantDeletionUnitOfWork,
)
from application.shared.scope import Scope
from domain.compliance.tenant_deletion import PendingDeletion, PurgeReport, TenantStanding
from domain.shared.ids import TenantId, UserId, new_id

_STANDING = """SELECT tenant_id, name, deletion_requested_at, deletion_requested_by, purge_after
    FROM atlas.tenants WHERE tenant_id = :tenant"""
_REQUEST = text(
    """UPDATE atlas.tenants SET deletion_requested_at = :at, deletion_requested_by = :by,
        purge_after = :purge_after WHERE tenant_id = :tenant AND deletion_requested_at IS NULL"""
)
_RECORD = text(
    """INSERT INTO atlas.tenant_deletions
        (deletion_id, deleted_tenant_id, requested_at, requested_by, purge_after)
    VALUES (:id, :tenant, :at, :by, :purge_after)"""
)
_RESTORE = (
    text(
        """UPDATE atlas.tenants SET deletion_requested_at = NULL, deletion_requested_by = NULL,
            purge_after = NULL WHERE tenant_id = :tenant"""
    ),
    text(
        """UPDATE atlas.tenant_deletions SET restored_at = :at, restored_by = :by
        WHERE deleted_tenant_id = :tenant AND restored_at IS NULL AND purged_at IS NULL"""
    ),
)
# Jobs carry ids only; a job of this tenant names it in its payload.
_JOBS = text(
    f"DELETE FROM {JOBS_SCHEMA}.pgqueuer "  # noqa: S608 - a constant schema name
    "WHERE payload IS NOT NULL AND position(convert_to(:tenant, 'UTF8') IN payload) > 0"
)
_PURGE = text("SELECT atlas.purge_tenant(:tenant)")
# The request the purge ends, or (if it was made by hand) one written from the tenant row.
_PURGED = text(
    """INSERT INTO atlas.tenant_deletions AS d (deletion_id, deleted_tenant_id, requested_at,
        requested_by, purge_after, purged_at, rows_removed, revocations)
    VALUES (:id, :tenant, :requested_at, :by, :purge_after, :at,
            CAST(:rows AS jsonb), CAST(:revocations AS jsonb))
    ON CONFLICT (deleted_tenant_id) WHERE restored_at IS NULL DO UPDATE
    SET purged_at = excluded.purged_at, rows_removed = excluded.rows_removed,
        revocations = excluded.revocations
    WHERE d.purged_at IS NULL"""
)
_COUNTS = msgspec.json.Decoder(dict[str, int])


def _counts(removed: Any) -> dict[str, int]:
    """``purge_tenant``'s jsonb, however the driver hands it over (text, or decoded)."""
    if removed is None:
        return {}
    raw = removed.encode() if isinstance(removed, str) else msgspec.json.encode(removed)
    return _COUNTS.decode(raw)


def _pending(row: Any) -> PendingDeletion | None:
    if row.purge_after is None:
        return None
    return PendingDeletion(
        requested_at=row.deletion_requested_at,
        requested_by=UserId(row.deletion_requested_by),
        purge_after=row.purge_after,
    )


class PostgresTenantDeletionRecords(TenantDeletionRecords):
    def __init__(self, session: AsyncSession, tenant_id: TenantId | None) -> None:
        self._session, self._tenant_id = session, tenant_id

    async def standing(self, *, lock: bool = False) -> TenantStanding | None:
        query = text(_STANDING + (" FOR UPDATE" if lock else ""))
        row = (await execute(self._session, query, {"tenant": self._tenant_id})).one_or_none()
        if row is None:
            return None
        return TenantStanding(
            tenant_id=TenantId(row.tenant_id), name=row.name, pending=_pending(row)
        )

    async def request(self, tenant_id: TenantId, pending: PendingDeletion) -> None:
        own_tenant(self._session, tenant_id)  # the statements name it: it must be the scope's
        params = {
            "id": new_id(),
            "tenant": tenant_id,
            "at": pending.requested_at,
            "by": pending.requested_by,
            "purge_after": pending.purge_after,
        }
        await execute(self._session, _REQUEST, params)
        await execute(self._session, _RECORD, params)

    async def restore(self, tenant_id: TenantId, *, at: datetime, by: UserId) -> None:
        own_tenant(self._session, tenant_id)
        for statement in _RESTORE:
            await execute(self._session, statement, {"tenant": tenant_id, "at": at, "by": by})

    async def purge(
        self, tenant_id: TenantId, *, at: datetime, revocations: dict[str, int]
    ) -> PurgeReport | None:
        own_tenant(self._session, tenant_id)
        standing = await self.standing(lock=True)
        if standing is None or standing.pending is None:
            return None  # gone already (or never pending: the purge_tenant guard would say so)
        # The job queue has no tenant column (PgQueuer's table): this tenant's jobs by payload.
        await execute(self._session, _JOBS, {"tenant": str(tenant_id)})
        removed = (await execute(self._session, _PURGE, {"tenant": tenant_id})).scalar_one()
        report = PurgeReport(
            tenant_id=tenant_id,
            purged_at=at,
            rows_removed=_counts(removed),
            revocations=revocations,
        )
        pending = standing.pending
        await execute(
            self._session,
            _PURGED,
            {
                "id": new_id(),
                "tenant": tenant_id,
                "requested_at": pending.requested_at,
                "by": pending.requested_by,
                "purge_after": pending.purge_after,
                "at": at,
                "rows": msgspec.json.encode(report.rows_removed).decode(),
                "revocations": msgspec.json.encode(revocations).decode(),
            },
        )
        return report


class PostgresTenantDeletionUnitOfWork(PostgresUnitOfWork, TenantDeletionUnitOfWork):
    def _attach(self, session: AsyncSession) -> None:
        self.deletions = PostgresTenantDeletionRecords(session, self.scope.tenant_id)


class PostgresPurgeCensus(PurgeCensus):
    """Through the narrow definer functions of migration 0015: ids only."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def due(self, now: datetime, limit: int) -> list[TenantId]:
        query = text("SELECT tenant_id FROM atlas.tenants_due_for_purge(:now, :limit)")
        async with PostgresUnitOfWork(self._sessions, Scope.ANONYMOUS) as uow:
            rows = await execute(uow.session, query, {"now": now, "limit": limit})
            return [TenantId(row.tenant_id) for row in rows]

    async def connections(self, tenant_id: TenantId) -> list[ConnectionOwner]:
        query = text("SELECT user_id, connection_id FROM atlas.tenant_purge_connections()")
        scope = Scope(tenant_id=tenant_id, user_id=None)
        async with PostgresUnitOfWork(self._sessions, scope) as uow:
            rows = await execute(uow.session, query)
            return [
                ConnectionOwner(
                    user_id=UserId(row.user_id), connection_id=UUID(str(row.connection_id))
                )
                for row in rows
            ]
