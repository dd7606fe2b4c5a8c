"""Who am I: the signed-in user, the tenant they act in, and every tenant they may switch to."""

from __future__ import annotations

from typing import final

import msgspec

from application.identity.sessions import Sessions, UowFor
from application.shared.actor import Actor
from domain.identity.errors import SessionEnded, TenantNotFound
from domain.identity.model import Role, Tenant, TenantMembership, User


class Profile(msgspec.Struct, frozen=True, kw_only=True):
    user: User
    tenant: Tenant
    role: Role
    tenants: list[TenantMembership]


@final
class ShowProfile:
    def __init__(self, uow_for: UowFor, sessions: Sessions) -> None:
        self._uow_for, self._sessions = uow_for, sessions

    async def execute(self, actor: Actor) -> Profile:
        async with self._uow_for(actor.scope) as uow:
            await self._sessions.require_active(uow, actor)
            user = await uow.users.get(actor.user_id)
            tenant = await uow.tenants.get(actor.tenant_id)
            tenants = await uow.memberships.of_current_user()
        if user is None:
            raise SessionEnded()
        if tenant is None:
            raise TenantNotFound()
        return Profile(user=user, tenant=tenant, role=actor.role, tenants=tenants)


@final
class ShowTenant:
    def __init__(self, uow_for: UowFor, sessions: Sessions) -> None:
        self._uow_for, self._sessions = uow_for, sessions

    async def execute(self, actor: Actor) -> Tenant:
        async with self._uow_for(actor.scope) as uow:
            await self._sessions.require_active(uow, actor)
            tenant = await uow.tenants.get(actor.tenant_id)
        if tenant is None:
            raise TenantNotFound()
        return tenant
