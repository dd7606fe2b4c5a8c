"""Who am I: the signed-in user, the tenant they act in, and every tenant they may switch to."""

from __future__ import annotations

from datetime import datetime
from typing import final

import msgspec

from application.identity.sessions import Sessions, UowFor
from application.shared.actor import Actor
from domain.identity.errors import SessionEnded, TenantNotFound
from domain.identity.model import Role, Tenant, TenantMembership
from domain.shared.ids import UserId


class Profile(msgspec.Struct, frozen=True, kw_only=True):
    user_id: UserId
    email: str
    name: str
    email_verified_at: datetime | None
    tenant: Tenant
    role: Role
    tenants: list[TenantMembership]


@final
class ShowProfile:
    def __init__(self, uow_for: UowFor, sessions: Sessions) -> None:
        self._uow_for, self._sessions = uow_for, sessions

    async def execute(self, actor: Actor) -> Profile:
        # One read for the whole page, session check included: this is the hottest request.
        async with self._uow_for(actor.scope) as uow:
            snapshot = await uow.profiles.snapshot(actor)
        if snapshot is None:
            raise SessionEnded()
        self._sessions.check_live(snapshot.family)
        return Profile(
            user_id=snapshot.user_id,
            email=snapshot.email,
            name=snapshot.name,
            email_verified_at=snapshot.email_verified_at,
            tenant=snapshot.tenant,
            role=actor.role,
            tenants=snapshot.tenants,
        )


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
