"""The tenant's members: list them, look one up, change a role, remove someone.

Another tenant's member id answers exactly like an unknown one (404): row security hides the
row, and the use case never says whether it exists elsewhere.
"""

from __future__ import annotations

from typing import final

import msgspec

from application.feed import announce
from application.identity.ports import IdentityUnitOfWork, MemberDeparture
from application.identity.sessions import Sessions, UowFor
from application.shared.actor import Actor
from domain.compliance.audit import AuditAction, AuditEntry
from domain.identity.errors import MembershipNotFound, RoleRequired
from domain.identity.invitations import Member, check_may_change
from domain.identity.model import Role
from domain.shared.ids import UserId


@final
class ListMembers:
    def __init__(self, uow_for: UowFor, sessions: Sessions) -> None:
        self._uow_for, self._sessions = uow_for, sessions

    async def execute(self, actor: Actor) -> list[Member]:
        async with self._uow_for(actor.scope) as uow:
            await self._sessions.require_active(uow, actor)
            return await uow.memberships.roster()


@final
class ShowMember:
    def __init__(self, uow_for: UowFor, sessions: Sessions) -> None:
        self._uow_for, self._sessions = uow_for, sessions

    async def execute(self, actor: Actor, user_id: UserId) -> Member:
        async with self._uow_for(actor.scope) as uow:
            await self._sessions.require_active(uow, actor)
            return await _member(uow, user_id)


@final
class ChangeMemberRole:
    def __init__(self, uow_for: UowFor, sessions: Sessions) -> None:
        self._uow_for, self._sessions = uow_for, sessions

    async def execute(self, actor: Actor, user_id: UserId, role: Role) -> Member:
        async with self._uow_for(actor.scope) as uow:
            await self._sessions.require_active(uow, actor)
            # One membership change per tenant at a time, and every read below after the lock:
            # two owners demoting each other at once must not leave the tenant without one.
            await uow.tenants.lock(actor.tenant_id)
            target = await uow.memberships.get(user_id)
            if target is None:
                raise MembershipNotFound()
            check_may_change(await manager_role(uow, actor), target, role, await _owners(uow))
            await uow.memberships.save(msgspec.structs.replace(target, role=role))
            member = await _member(uow, user_id)
            if role is not target.role:
                uow.events.announce(announce.member_changed(user_id, "role_changed", role))
                uow.audit.record(AuditEntry(
                    action=AuditAction.MEMBER_ROLE_CHANGED, target_type="member",
                    target_id=str(user_id), details={"from": target.role, "to": role},
                ))  # fmt: skip
            await uow.commit()
        self._sessions.forget_user(user_id)  # the new role applies to their next request here
        return member


@final
class RemoveMember:
    """Their grants are given back and their personal records purged first, while the
    membership still exists: a failure there leaves the member in place, and removing them
    again picks up where it stopped. No provider is called inside a transaction."""

    def __init__(self, uow_for: UowFor, sessions: Sessions, departure: MemberDeparture) -> None:
        self._uow_for, self._sessions, self._departure = uow_for, sessions, departure

    async def execute(self, actor: Actor, user_id: UserId) -> None:
        async with self._uow_for(actor.scope) as uow:
            await self._may_remove(uow, actor, user_id)
        purged = await self._departure.release(actor.tenant_id, user_id)
        async with self._uow_for(actor.scope) as uow:
            await self._may_remove(uow, actor, user_id)  # still so, under the tenant's lock
            # The member's sessions in this tenant go with the membership (the families'
            # foreign key cascades), so their next refresh fails; so do their connections and
            # sync schedules, which stops any sync of theirs still writing.
            await uow.memberships.remove(user_id)
            uow.events.announce(announce.member_changed(user_id, "removed", None))
            uow.audit.record(AuditEntry(
                action=AuditAction.MEMBER_REMOVED, target_type="member", target_id=str(user_id)
            ))  # fmt: skip
            await uow.commit()
        self._sessions.forget_user(user_id)
        await self._departure.sweep(actor.tenant_id, user_id, purged)

    async def _may_remove(self, uow: IdentityUnitOfWork, actor: Actor, user_id: UserId) -> None:
        await self._sessions.require_active(uow, actor)
        await uow.tenants.lock(actor.tenant_id)
        target = await uow.memberships.get(user_id)
        if target is None:
            raise MembershipNotFound()
        check_may_change(await manager_role(uow, actor), target, None, await _owners(uow))


async def _member(uow: IdentityUnitOfWork, user_id: UserId) -> Member:
    member = next((m for m in await uow.memberships.roster() if m.user_id == user_id), None)
    if member is None:
        raise MembershipNotFound()
    return member


async def _owners(uow: IdentityUnitOfWork) -> int:
    return sum(m.role is Role.OWNER for m in await uow.memberships.all())


async def manager_role(uow: IdentityUnitOfWork, actor: Actor) -> Role:
    """The actor's role now, not when the token was issued: a demotion takes effect at once."""
    me = await uow.memberships.get(actor.user_id)
    if me is None or not me.role.manages_members:
        raise RoleRequired()
    return me.role
