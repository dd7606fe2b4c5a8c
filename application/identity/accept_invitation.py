"""Accept an invitation: join its tenant with its role, signed in to a new session there."""

from __future__ import annotations

from typing import final

import msgspec

from application.feed import announce
from application.identity.limits import INVITATION_PER_ADDRESS, Throttle
from application.identity.ports import PasswordHasher
from application.identity.residency import admit_tenant
from application.identity.sessions import Client, Sessions, TokenPair, UowFor
from application.shared.scope import Scope
from domain.compliance.audit import AuditAction, AuditEntry
from domain.identity import opaque
from domain.identity.errors import InvalidCredentials, InvalidName, InvitationInvalid
from domain.identity.invitations import Invitation
from domain.identity.model import LoginIdentity, Membership, User, clean_name
from domain.identity.password import check_new_password, fits_every_scheme
from domain.identity.residency import Residency
from domain.shared.ids import TenantId, UserId, new_user_id
from domain.shared.secret import Secret


class AcceptInvitationCommand(msgspec.Struct, frozen=True, kw_only=True):
    token: Secret[str]
    password: Secret[str]
    name: str | None = None  # needed only when the address has no account yet


@final
class AcceptInvitation:
    def __init__(
        self,
        uow_for: UowFor,
        hasher: PasswordHasher,
        sessions: Sessions,
        throttle: Throttle,
        residency: Residency,
    ) -> None:
        self._uow_for, self._hasher, self._sessions = uow_for, hasher, sessions
        self._throttle, self._residency = throttle, residency

    async def execute(self, command: AcceptInvitationCommand, client: Client) -> TokenPair:
        await self._throttle.attempt(INVITATION_PER_ADDRESS, client.address)
        token = opaque.parse(command.token.reveal())
        if token is None:
            raise InvitationInvalid()
        tenant_id = TenantId(token.tenant_id)
        invitation = await self._open_invitation(tenant_id, token.digest)
        async with self._uow_for(Scope.ANONYMOUS) as uow:
            identity = await uow.users.find_login(invitation.email)
        if identity is not None:
            user_id = await self._existing(identity, invitation, command, client.address)
            new_user = None
        else:
            new_user = await self._new_user(invitation, command)
            user_id = new_user.id
        async with self._uow_for(Scope(tenant_id=tenant_id, user_id=user_id)) as uow:
            accepted = await uow.invitations.accept(token.digest, self._sessions.now())
            if accepted is None:
                raise InvitationInvalid()  # used or withdrawn meanwhile
            if new_user is not None:
                await uow.users.add(new_user)
            else:  # the invitation reached the address: that proves it, as a link would
                await uow.email_verifications.mark_verified(user_id, self._sessions.now())
            await uow.memberships.add(
                Membership(
                    tenant_id=tenant_id,
                    user_id=user_id,
                    role=accepted.role,
                    created_at=self._sessions.now(),
                )
            )
            pair = await self._sessions.open(
                uow, tenant_id=tenant_id, user_id=user_id, role=accepted.role
            )
            uow.events.announce(announce.member_changed(user_id, "joined", accepted.role))
            uow.audit.record(AuditEntry(
                action=AuditAction.INVITATION_ACCEPTED, target_type="invitation",
                target_id=str(accepted.id), details={"role": accepted.role},
            ))  # fmt: skip
            await uow.commit()
        return pair

    async def _open_invitation(self, tenant_id: TenantId, digest: bytes) -> Invitation:
        async with self._uow_for(Scope(tenant_id=tenant_id, user_id=None)) as uow:
            invitation = await uow.invitations.find(digest)
            if invitation is None or not invitation.open(self._sessions.now()):
                raise InvitationInvalid()
            await admit_tenant(uow, self._residency, tenant_id)
        return invitation

    async def _existing(
        self,
        identity: LoginIdentity,
        invitation: Invitation,
        command: AcceptInvitationCommand,
        address: str | None,
    ) -> UserId:
        await self._throttle.reserve_password_check(invitation.email, address)
        fits = fits_every_scheme(command.password)
        matched = await self._hasher.verify(
            command.password if fits else Secret("stand-in password"),
            identity.password_hash if fits else None,
        )
        if not matched:
            raise InvalidCredentials()
        await self._throttle.forgive_password_check(invitation.email, address)
        return identity.user_id

    async def _new_user(self, invitation: Invitation, command: AcceptInvitationCommand) -> User:
        if command.name is None:
            raise InvalidName()
        name = clean_name(command.name)
        password_hash = await self._hasher.hash(check_new_password(command.password))
        return User(
            id=new_user_id(),
            email=invitation.email,
            name=name,
            password_hash=password_hash,
            created_at=self._sessions.now(),
            email_verified_at=self._sessions.now(),  # the invitation email proved the address
        )
