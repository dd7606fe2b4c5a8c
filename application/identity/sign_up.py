"""Sign up: a new account, a new tenant with the account as its owner, and a first session."""

from __future__ import annotations

import logging
from typing import final

import msgspec

from application.identity.email_verification import VerificationMail
from application.identity.limits import SIGNUP_PER_ADDRESS, UNKNOWN_ADDRESS, Throttle
from application.identity.ports import EmailMessage, EmailSender, PasswordHasher
from application.identity.sessions import Client, Sessions, TokenPair, UowFor
from application.shared.scope import Scope
from domain.compliance.audit import AuditAction, AuditEntry
from domain.identity.errors import EmailTaken, PasswordCheckBusy
from domain.identity.model import (
    DEFAULT_REGION,
    Membership,
    Role,
    Tenant,
    User,
    check_region,
    clean_name,
    normalise_email,
)
from domain.identity.password import check_new_password
from domain.identity.residency import Residency
from domain.shared.errors import DomainError
from domain.shared.ids import new_tenant_id, new_user_id
from domain.shared.secret import Secret

log = logging.getLogger("atlas.identity")

_NOTICE = (
    "Someone tried to create an Atlas account with this email address, which already has one.\n"
    "If it was you, sign in instead (or reset your password). If not, you can ignore this.\n"
)


class SignUpCommand(msgspec.Struct, frozen=True, kw_only=True):
    email: str
    password: Secret[str]
    name: str
    organisation: str
    region: str = DEFAULT_REGION


@final
class SignUp:
    def __init__(
        self,
        uow_for: UowFor,
        hasher: PasswordHasher,
        sessions: Sessions,
        throttle: Throttle,
        email: EmailSender,
        *,
        residency: Residency,
        verification: VerificationMail,
    ) -> None:
        self._uow_for, self._hasher, self._sessions = uow_for, hasher, sessions
        self._throttle, self._email, self._residency = throttle, email, residency
        self._verification = verification

    async def execute(self, command: SignUpCommand, client: Client) -> TokenPair:
        # Another region's sign-up is refused first: not even the rate limiter's counter is
        # written here for a tenant that belongs to another deployment.
        region = check_region(command.region)
        self._residency.admit(region)
        await self._throttle.attempt(SIGNUP_PER_ADDRESS, client.address)
        email = normalise_email(command.email)
        name, organisation = clean_name(command.name), clean_name(command.organisation)
        try:
            password_hash = await self._hasher.hash(check_new_password(command.password))
        except PasswordCheckBusy:
            # Busy is Atlas's state, not the client's doing: retrying costs it no attempt.
            await self._throttle.forgive(SIGNUP_PER_ADDRESS, client.address or UNKNOWN_ADDRESS)
            raise
        now = self._sessions.now()
        tenant = Tenant(id=new_tenant_id(), name=organisation, region=region, created_at=now)
        user = User(
            id=new_user_id(), email=email, name=name, password_hash=password_hash, created_at=now
        )
        # The address is only claimed until the emailed link is followed.
        verification, token = self._verification.mint(tenant.id, user.id, now)
        try:
            async with self._uow_for(Scope(tenant_id=tenant.id, user_id=user.id)) as uow:
                await uow.tenants.add(tenant)
                await uow.users.add(user)
                await uow.email_verifications.replace(verification)
                await uow.memberships.add(
                    Membership(
                        tenant_id=tenant.id, user_id=user.id, role=Role.OWNER, created_at=now
                    )
                )
                pair = await self._sessions.open(
                    uow, tenant_id=tenant.id, user_id=user.id, role=Role.OWNER
                )
                uow.audit.record(AuditEntry(
                    action=AuditAction.TENANT_CREATED, target_type="tenant",
                    target_id=str(tenant.id), actor_id=str(user.id),
                ))  # fmt: skip
                await uow.commit()
        except EmailTaken:
            # Tokens at sign-up make a silent answer impossible; the owner of the address at
            # least hears about it, and the per-address limit slows enumeration.
            await self._notify_owner(email)
            raise
        await self._verification.send_quietly(email, token)
        return pair

    async def _notify_owner(self, email: str) -> None:
        message = EmailMessage(
            to=email,
            subject="Someone tried to sign up with your email",
            text=_NOTICE,
            kind="signup_notice",
        )
        try:
            await self._email.send(message)
        except DomainError as error:
            log.warning("sign-up notice not sent: %s", error.code)
