"""Verify a new account's email address: the link sent at sign-up, resending it, following it,
and the gate that inviting and connecting pass through (domain/identity/email_verification.py).

The link carries an opaque token (domain/identity/opaque.py) naming the tenant signed up in and
the user: the ids choose the row-security scope of the lookup, the store holds only the digest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import final

import msgspec

from application.identity.limits import (
    EMAIL_VERIFICATION_PER_ADDRESS,
    EMAIL_VERIFICATIONS_PER_USER,
    Throttle,
)
from application.identity.ports import EmailMessage, EmailSender, IdentityUnitOfWork
from application.identity.sessions import Client, Sessions, UowFor
from application.shared.actor import Actor
from application.shared.scope import Scope
from domain.identity import opaque
from domain.identity.email_verification import EMAIL_VERIFICATION_LIFETIME, EmailVerification
from domain.identity.errors import (
    EmailAlreadyVerified,
    EmailUnverified,
    EmailVerificationInvalid,
    SessionEnded,
)
from domain.shared.errors import DomainError
from domain.shared.ids import TenantId, UserId
from domain.shared.secret import Secret

log = logging.getLogger("atlas.identity")


class VerifyEmailCommand(msgspec.Struct, frozen=True, kw_only=True):
    token: Secret[str]


@final
class VerificationMail:
    """Mints a link and sends it; sign-up and resending share it."""

    def __init__(self, email: EmailSender, verify_link: Callable[[str], str]) -> None:
        self._email, self._verify_link = email, verify_link

    @staticmethod
    def mint(
        tenant_id: TenantId, user_id: UserId, now: datetime
    ) -> tuple[EmailVerification, opaque.OpaqueToken]:
        token = opaque.mint(tenant_id, user_id)
        verification = EmailVerification(
            user_id=user_id,
            digest=token.digest,
            created_at=now,
            expires_at=now + EMAIL_VERIFICATION_LIFETIME,
        )
        return verification, token

    async def send(self, to: str, token: opaque.OpaqueToken) -> None:
        await self._email.send(
            EmailMessage(
                to=to,
                subject="Verify your email address for Atlas",
                text=(
                    "Follow this link within 24 hours to verify your email address, so that "
                    "you can invite people and connect tools on Atlas:\n"
                    f"{self._verify_link(token.value)}\n"
                    "If you did not create an Atlas account, you can ignore this email.\n"
                ),
                kind="email_verification",
            )
        )

    async def send_quietly(self, to: str, token: opaque.OpaqueToken) -> None:
        """At sign-up the account exists already: a failed send is logged, and resending is
        the way forward (``POST /api/v1/me/email-verification``)."""
        try:
            await self.send(to, token)
        except DomainError as error:
            log.warning("verification email not sent: %s", error.code)


async def require_verified_email(uow: IdentityUnitOfWork, actor: Actor) -> None:
    user = await uow.users.get(actor.user_id)
    if user is None:
        raise SessionEnded()
    if user.email_verified_at is None:
        raise EmailUnverified()


@final
class EmailGate:
    """What another context (integrations) asks before an act that needs a proven address."""

    def __init__(self, uow_for: UowFor) -> None:
        self._uow_for = uow_for

    async def require(self, actor: Actor) -> None:
        async with self._uow_for(actor.scope) as uow:
            await require_verified_email(uow, actor)


@final
class ResendEmailVerification:
    def __init__(
        self, uow_for: UowFor, sessions: Sessions, mail: VerificationMail, throttle: Throttle
    ) -> None:
        self._uow_for, self._sessions, self._mail = uow_for, sessions, mail
        self._throttle = throttle

    async def execute(self, actor: Actor) -> None:
        # Each resend is an email to an address not yet proven: a few per hour per account.
        await self._throttle.attempt(EMAIL_VERIFICATIONS_PER_USER, str(actor.user_id))
        async with self._uow_for(actor.scope) as uow:
            await self._sessions.require_active(uow, actor)
            user = await uow.users.get(actor.user_id)
            if user is None:
                raise SessionEnded()
            if user.email_verified_at is not None:
                raise EmailAlreadyVerified()
            verification, token = self._mail.mint(actor.tenant_id, user.id, self._sessions.now())
            await uow.email_verifications.replace(verification)  # the earlier link dies
            await uow.commit()
        await self._mail.send(user.email, token)  # a failure is a 503: resending is safe


@final
class VerifyEmail:
    def __init__(self, uow_for: UowFor, sessions: Sessions, throttle: Throttle) -> None:
        self._uow_for, self._sessions, self._throttle = uow_for, sessions, throttle

    async def execute(self, command: VerifyEmailCommand, client: Client) -> None:
        await self._throttle.attempt(EMAIL_VERIFICATION_PER_ADDRESS, client.address)
        token = opaque.parse(command.token.reveal())
        if token is None:
            raise EmailVerificationInvalid()
        user_id = UserId(token.subject_id)
        # The link works without a session (it may be opened on another device): the token's
        # ids choose the scope, and a forged prefix finds no row with this digest.
        scope = Scope(tenant_id=TenantId(token.tenant_id), user_id=user_id)
        async with self._uow_for(scope) as uow:
            if not await uow.email_verifications.consume(
                user_id, token.digest, self._sessions.now()
            ):
                raise EmailVerificationInvalid()  # forged, used, replaced or expired
            await uow.commit()
