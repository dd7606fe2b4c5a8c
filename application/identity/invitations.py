"""Invite someone by email, list and withdraw open invitations, and accept one.

An invitation is a single-use, expiring token sent only by email; the store keeps its digest.
Accepting it joins the tenant with the invited role: an existing account proves itself with
its password, a new one is created with the name and password given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import final
from uuid import UUID

import msgspec

from application.identity.email_verification import require_verified_email
from application.identity.limits import INVITATIONS_PER_INVITER, INVITATIONS_PER_TENANT, Throttle
from application.identity.members import manager_role
from application.identity.ports import EmailMessage, EmailSender
from application.identity.sessions import Sessions, UowFor
from application.shared.actor import Actor
from domain.compliance.audit import AuditAction, AuditEntry
from domain.identity import opaque
from domain.identity.display import shown_name
from domain.identity.errors import InvitationInvalid, MembershipExists
from domain.identity.invitations import INVITATION_LIFETIME, Invitation, check_may_grant
from domain.identity.model import Role, normalise_email
from domain.shared.ids import new_id


class InviteCommand(msgspec.Struct, frozen=True, kw_only=True):
    email: str
    role: Role


@final
class InviteMember:
    def __init__(
        self,
        uow_for: UowFor,
        sessions: Sessions,
        email: EmailSender,
        accept_link: Callable[[str], str],
        throttle: Throttle,
    ) -> None:
        self._uow_for, self._sessions, self._email = uow_for, sessions, email
        self._accept_link, self._throttle = accept_link, throttle

    async def execute(self, actor: Actor, command: InviteCommand) -> Invitation:
        email = normalise_email(command.email)
        # Each invitation is an email Atlas sends on someone's say: bounded per inviter and
        # per tenant, so an account cannot make Atlas a bulk mailer.
        await self._throttle.attempt(INVITATIONS_PER_INVITER, str(actor.user_id))
        await self._throttle.attempt(INVITATIONS_PER_TENANT, str(actor.tenant_id))
        now = self._sessions.now()
        invitation_id = new_id()
        token = opaque.mint(actor.tenant_id, invitation_id)
        invitation = Invitation(
            id=invitation_id,
            tenant_id=actor.tenant_id,
            email=email,
            role=command.role,
            digest=token.digest,
            invited_by=actor.user_id,
            created_at=now,
            expires_at=now + INVITATION_LIFETIME,
        )
        async with self._uow_for(actor.scope) as uow:
            await self._sessions.require_active(uow, actor)
            check_may_grant(await manager_role(uow, actor), command.role)
            await require_verified_email(uow, actor)  # Atlas emails strangers on their say
            if any(m.email == email for m in await uow.memberships.roster()):
                raise MembershipExists()
            for earlier in await uow.invitations.pending(now):
                if earlier.email == email:  # one live invitation per address
                    await uow.invitations.save(msgspec.structs.replace(earlier, revoked_at=now))
            await uow.invitations.add(invitation)
            # The invitee's address is theirs, not the trail's: the invitation's id and role.
            uow.audit.record(AuditEntry(
                action=AuditAction.INVITATION_CREATED, target_type="invitation",
                target_id=str(invitation.id), details={"role": command.role},
            ))  # fmt: skip
            tenant = await uow.tenants.get(actor.tenant_id)
            await uow.commit()
        # The tenant's name is its creator's words, not Atlas's: never in the subject, and in
        # the text quoted and defanged (domain/identity/display.py).
        named = f"named {shown_name(tenant.name)} by its members" if tenant else "on Atlas"
        # After the commit: a failure here is reported (503) and inviting again replaces it.
        await self._email.send(
            EmailMessage(
                to=email,
                subject="You are invited to a workspace on Atlas",
                text=(
                    f"You have been invited to join an Atlas workspace as {command.role}.\n"
                    f"The workspace is {named}.\n"
                    f"Accept within 7 days: {self._accept_link(token.value)}\n"
                ),
                kind="invitation",
            )
        )
        return invitation


@final
class ListInvitations:
    def __init__(self, uow_for: UowFor, sessions: Sessions) -> None:
        self._uow_for, self._sessions = uow_for, sessions

    async def execute(self, actor: Actor) -> list[Invitation]:
        async with self._uow_for(actor.scope) as uow:
            await self._sessions.require_active(uow, actor)
            return await uow.invitations.pending(self._sessions.now())


@final
class WithdrawInvitation:
    def __init__(self, uow_for: UowFor, sessions: Sessions) -> None:
        self._uow_for, self._sessions = uow_for, sessions

    async def execute(self, actor: Actor, invitation_id: UUID) -> None:
        now = self._sessions.now()
        async with self._uow_for(actor.scope) as uow:
            await self._sessions.require_active(uow, actor)
            invitation = await uow.invitations.get(invitation_id)
            if invitation is None or not invitation.open(now):
                raise InvitationInvalid()
            check_may_grant(await manager_role(uow, actor), invitation.role)
            await uow.invitations.save(msgspec.structs.replace(invitation, revoked_at=now))
            uow.audit.record(AuditEntry(
                action=AuditAction.INVITATION_REVOKED, target_type="invitation",
                target_id=str(invitation.id),
            ))  # fmt: skip
            await uow.commit()
