"""Sign in with email and password, optionally into a chosen tenant."""

from __future__ import annotations

from typing import final
from uuid import UUID

import msgspec

from application.feed import announce
from application.identity.limits import LOGIN_PER_ADDRESS, UNKNOWN_ADDRESS, Throttle
from application.identity.ports import PasswordHasher
from application.identity.residency import admit_tenant
from application.identity.sessions import Client, Sessions, TokenPair, UowFor
from application.shared.scope import Scope
from domain.compliance.audit import AuditAction, AuditEntry, Outcome
from domain.identity.errors import (
    InvalidCredentials,
    InvalidEmail,
    NoMembership,
    PasswordCheckBusy,
    TenantNotFound,
    WrongRegion,
)
from domain.identity.model import LoginIdentity, TenantMembership, normalise_email
from domain.identity.password import fits_every_scheme
from domain.identity.residency import Residency
from domain.shared.ids import TenantId, UserId
from domain.shared.secret import Secret

# Checked in place of a password that cannot be a stored one (over 72 bytes), so that attempt
# costs one full verification too.
_STAND_IN = Secret("stand-in password for an impossible one")


class LogInCommand(msgspec.Struct, frozen=True, kw_only=True):
    email: str
    password: Secret[str]
    tenant_id: UUID | None = None


def _sign_in(user_id: UserId, outcome: Outcome) -> AuditEntry:
    action = AuditAction.SIGN_IN if outcome is Outcome.SUCCESS else AuditAction.SIGN_IN_FAILED
    return AuditEntry(
        action=action, target_type="user", target_id=str(user_id), outcome=outcome,
        actor_id=str(user_id),
    )  # fmt: skip


@final
class LogIn:
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

    async def execute(self, command: LogInCommand, client: Client) -> TokenPair:
        await self._throttle.attempt(LOGIN_PER_ADDRESS, client.address)
        account = command.email.strip().lower()[:320]
        await self._throttle.reserve_password_check(account, client.address)
        identity = await self._identity(account)
        try:
            matched = await self._matches(command.password, identity)
        except PasswordCheckBusy:
            # No password was checked: a polite retry spends none of the client's attempts.
            await self._throttle.forgive(LOGIN_PER_ADDRESS, client.address or UNKNOWN_ADDRESS)
            await self._throttle.forgive_password_check(account, client.address)
            raise
        if identity is None or not matched:
            if identity is not None:
                await self._record_failure(identity, command.tenant_id)
            raise InvalidCredentials()
        await self._throttle.forgive_password_check(account, client.address)
        chosen = await self._choose_tenant(identity, command.tenant_id)
        rehashed = None
        if self._hasher.needs_rehash(identity.password_hash):
            rehashed = await self._hasher.hash(command.password)
        # Even in a tenant pending deletion: an owner signs in to restore it.
        scope = Scope(tenant_id=chosen.tenant_id, user_id=identity.user_id)
        scope = scope.despite_pending_deletion()
        async with self._uow_for(scope) as uow:
            if rehashed is not None:
                user = await uow.users.get(identity.user_id)
                if user is not None:
                    await uow.users.save(msgspec.structs.replace(user, password_hash=rehashed))
            pair = await self._sessions.open(
                uow, tenant_id=chosen.tenant_id, user_id=identity.user_id, role=chosen.role
            )
            uow.events.announce(announce.security_alert(
                "sign_in", identity.user_id, session_id=str(pair.actor.session_id),
                address=client.address,
            ))  # fmt: skip
            uow.audit.record(_sign_in(identity.user_id, Outcome.SUCCESS))
            await uow.commit()
        return pair

    async def _record_failure(self, identity: LoginIdentity, wanted: UUID | None) -> None:
        """In the tenant it tried, or else in each of the account's tenants. A failure for an
        unknown email is recorded nowhere: there is no tenant to record it in (the throttle
        still counts it)."""
        async with self._uow_for(Scope(tenant_id=None, user_id=identity.user_id)) as uow:
            tenants = [m.tenant_id for m in await uow.memberships.of_current_user()]
        if wanted is not None and TenantId(wanted) in tenants:
            tenants = [TenantId(wanted)]
        for tenant in tenants:
            # Only the trail is written; a tenant pending deletion keeps a trail too.
            scope = Scope(tenant_id=tenant, user_id=identity.user_id).despite_pending_deletion()
            async with self._uow_for(scope) as uow:
                uow.audit.record(_sign_in(identity.user_id, Outcome.FAILURE))
                await uow.commit()

    async def _identity(self, account: str) -> LoginIdentity | None:
        try:
            email = normalise_email(account)
        except InvalidEmail:
            return None
        async with self._uow_for(Scope.ANONYMOUS) as uow:
            return await uow.users.find_login(email)

    async def _matches(self, password: Secret[str], identity: LoginIdentity | None) -> bool:
        # Exactly one verification on every path: unknown account, disabled account (looks
        # unknown), over-long password or wrong password all cost the same and answer the same.
        fits = fits_every_scheme(password)
        stored = identity.password_hash if identity is not None and fits else None
        matched = await self._hasher.verify(password if fits else _STAND_IN, stored)
        return matched and stored is not None

    async def _choose_tenant(
        self, identity: LoginIdentity, wanted: UUID | None
    ) -> TenantMembership:
        async with self._uow_for(Scope(tenant_id=None, user_id=identity.user_id)) as uow:
            memberships = await uow.memberships.of_current_user()
        if not memberships:
            raise NoMembership()
        if wanted is not None:
            chosen = next((m for m in memberships if m.tenant_id == TenantId(wanted)), None)
            if chosen is None:
                raise TenantNotFound()
            await self._admit(chosen, identity)
            return chosen
        # No choice made: the first tenant this region serves; if none, the first one's refusal
        # names the region (and the URL) where the account's tenant lives.
        refusal: WrongRegion | None = None
        for membership in memberships:
            try:
                await self._admit(membership, identity)
            except WrongRegion as error:
                refusal = refusal or error
            else:
                return membership
        raise refusal or NoMembership()

    async def _admit(self, membership: TenantMembership, identity: LoginIdentity) -> None:
        scope = Scope(tenant_id=membership.tenant_id, user_id=identity.user_id)
        async with self._uow_for(scope) as uow:
            await admit_tenant(uow, self._residency, membership.tenant_id)
