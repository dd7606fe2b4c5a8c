"""Restore a tenant pending deletion: an owner, re-authenticated, before its grace ends."""

from __future__ import annotations

from collections.abc import Callable
from typing import final

from application.compliance.owner_check import OwnerCheck
from application.compliance.tenant_deletion_ports import TenantDeletionUnitOfWork
from application.shared.actor import Actor
from application.shared.ports import Clock
from application.shared.scope import Scope
from domain.compliance.audit import AuditAction, AuditEntry
from domain.compliance.tenant_deletion import (
    TenantNotPendingDeletion,
    TenantPurgeDue,
    TenantStanding,
)
from domain.identity.errors import TenantNotFound
from domain.shared.secret import Secret


@final
class RestoreTenant:
    def __init__(
        self,
        uow_for: Callable[[Scope], TenantDeletionUnitOfWork],
        owner_check: OwnerCheck,
        clock: Clock,
    ) -> None:
        self._uow_for, self._owner_check, self._clock = uow_for, owner_check, clock

    async def execute(self, actor: Actor, password: Secret[str]) -> TenantStanding:
        await self._owner_check.confirm(actor, password)
        now = self._clock.now()
        # The one write a pending tenant's owner makes to its data: ending the pending state.
        async with self._uow_for(actor.scope.despite_pending_deletion()) as uow:
            standing = await uow.deletions.standing(lock=True)
            if standing is None:
                raise TenantNotFound()
            if standing.pending is None:
                raise TenantNotPendingDeletion()
            if standing.pending.due(now):
                # The purge may already be giving its grants back: too late to undo.
                raise TenantPurgeDue.at(standing.pending.purge_after)
            await uow.deletions.restore(actor.tenant_id, at=now, by=actor.user_id)
            uow.audit.record(AuditEntry(
                action=AuditAction.TENANT_DELETION_CANCELLED, target_type="tenant",
                target_id=str(actor.tenant_id),
            ))  # fmt: skip
            await uow.commit()
        return TenantStanding(tenant_id=standing.tenant_id, name=standing.name)
