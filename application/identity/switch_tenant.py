"""Move a session to another tenant the user belongs to.

Families live under their tenant's row security, so switching opens a new family in the target
tenant and revokes the current one: the session moves, it does not fork. An access token of
the old tenant then fails every session check, and never reaches the new tenant's rows.
"""

from __future__ import annotations

from typing import final
from uuid import UUID

from application.identity.residency import admit_tenant
from application.identity.sessions import Sessions, TokenPair, UowFor
from application.shared.actor import Actor
from application.shared.scope import Scope
from domain.identity.errors import TenantNotFound
from domain.identity.residency import Residency
from domain.identity.sessions import RevocationReason
from domain.shared.ids import TenantId


@final
class SwitchTenant:
    def __init__(self, uow_for: UowFor, sessions: Sessions, residency: Residency) -> None:
        self._uow_for, self._sessions, self._residency = uow_for, sessions, residency

    async def execute(self, actor: Actor, tenant_id: UUID) -> TokenPair:
        async with self._uow_for(actor.scope) as uow:
            await self._sessions.require_active(uow, actor)
            memberships = await uow.memberships.of_current_user()
        target = next((m for m in memberships if m.tenant_id == TenantId(tenant_id)), None)
        if target is None:
            raise TenantNotFound()  # not a member: indistinguishable from no such tenant
        # Into or out of a tenant pending deletion too: sessions are not the tenant's data.
        scope = Scope(tenant_id=target.tenant_id, user_id=actor.user_id)
        async with self._uow_for(scope.despite_pending_deletion()) as uow:
            await admit_tenant(uow, self._residency, target.tenant_id)  # before any write
            pair = await self._sessions.open(
                uow, tenant_id=target.tenant_id, user_id=actor.user_id, role=target.role
            )
            await uow.commit()
        async with self._uow_for(actor.scope.despite_pending_deletion()) as uow:
            await self._sessions.end(uow, actor, RevocationReason.SWITCHED_TENANT)
            await uow.commit()
        return pair
