"""Delete the tenant: an owner, re-authenticated, types its name back; it becomes read-only and
pending for 30 days, then the purge job removes it (``purge_tenants``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import final

import msgspec

from application.compliance.owner_check import OwnerCheck
from application.compliance.tenant_deletion_ports import TenantDeletionUnitOfWork
from application.shared.actor import Actor
from application.shared.ports import Clock
from application.shared.scope import Scope
from domain.compliance.audit import AuditAction, AuditEntry
from domain.compliance.tenant_deletion import PendingDeletion, TenantPendingDeletion
from domain.identity.errors import TenantNotFound
from domain.shared.secret import Secret


class DeleteTenantCommand(msgspec.Struct, frozen=True, kw_only=True):
    password: Secret[str]
    confirm_name: str


@final
class DeleteTenant:
    def __init__(
        self,
        uow_for: Callable[[Scope], TenantDeletionUnitOfWork],
        owner_check: OwnerCheck,
        clock: Clock,
    ) -> None:
        self._uow_for, self._owner_check, self._clock = uow_for, owner_check, clock

    async def execute(self, actor: Actor, command: DeleteTenantCommand) -> PendingDeletion:
        await self._owner_check.confirm(actor, command.password)
        async with self._uow_for(actor.scope) as uow:
            # Locked: two owners asking at once make one request. A tenant already pending
            # is read-only, so the lock itself is refused with the pending problem.
            standing = await uow.deletions.standing(lock=True)
            if standing is None:
                raise TenantNotFound()
            standing.confirm_name(command.confirm_name)
            if standing.pending is not None:
                raise TenantPendingDeletion.until(standing.pending.purge_after)
            pending = PendingDeletion.requested(by=actor.user_id, at=self._clock.now())
            await uow.deletions.request(actor.tenant_id, pending)
            uow.audit.record(AuditEntry(
                action=AuditAction.TENANT_DELETION_REQUESTED, target_type="tenant",
                target_id=str(actor.tenant_id),
            ))  # fmt: skip
            await uow.commit()
        return pending
