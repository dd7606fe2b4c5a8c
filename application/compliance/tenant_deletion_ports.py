"""Ports the tenant deletion use cases need: the tenant's standing, the purge, its census."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

import msgspec

from application.shared.ports import UnitOfWork
from domain.compliance.tenant_deletion import PendingDeletion, PurgeReport, TenantStanding
from domain.shared.ids import TenantId, UserId


class TenantDeletionRecords(Protocol):
    """The scope's own tenant: its deletion state, and the record that outlives it."""

    async def standing(self, *, lock: bool = False) -> TenantStanding | None: ...

    async def request(self, tenant_id: TenantId, pending: PendingDeletion) -> None:
        """The tenant becomes pending (read-only from the next transaction on), recorded."""

    async def restore(self, tenant_id: TenantId, *, at: datetime, by: UserId) -> None: ...

    async def purge(
        self, tenant_id: TenantId, *, at: datetime, revocations: dict[str, int]
    ) -> PurgeReport | None:
        """Every row of the tenant goes (its jobs too), in this transaction; the record stays
        with what was removed. None: purged already. ``TenantNotDue`` when the database's
        clock says the grace has not ended."""


class TenantDeletionUnitOfWork(UnitOfWork, Protocol):
    deletions: TenantDeletionRecords


class ConnectionOwner(msgspec.Struct, frozen=True, kw_only=True):
    user_id: UserId
    connection_id: UUID


class PurgeCensus(Protocol):
    """Across tenants, ids only: who is due, and whose connections to give back."""

    async def due(self, now: datetime, limit: int) -> list[TenantId]:
        """Tenants past ``purge_after`` by ``now`` and by the database's clock."""

    async def connections(self, tenant_id: TenantId) -> list[ConnectionOwner]:
        """Every connection of a tenant pending deletion, whoever's it is."""
