"""Opening, rotating and checking sign-in sessions; shared by the identity use cases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import final
from uuid import UUID

import msgspec

from application.identity.ports import AccessTokenIssuer, IdentityUnitOfWork
from application.shared.actor import Actor
from application.shared.ports import Clock
from application.shared.scope import Scope
from domain.identity import opaque
from domain.identity.errors import SessionEnded
from domain.identity.model import Role
from domain.identity.sessions import (
    RefreshFamily,
    RefreshTokenRecord,
    RevocationReason,
    SecurityEvent,
    SecurityEventKind,
    SessionPolicy,
)
from domain.shared.ids import TenantId, UserId, new_id
from domain.shared.secret import Secret

UowFor = Callable[[Scope], IdentityUnitOfWork]


class Client(msgspec.Struct, frozen=True, kw_only=True):
    """Where a request came from, as far as the edge can tell (proxies included)."""

    address: str | None = None
    user_agent: str | None = None


class TokenPair(msgspec.Struct, frozen=True, kw_only=True):
    actor: Actor
    access_token: Secret[str]
    access_expires_at: datetime
    access_expires_in: int  # seconds, for clients that do not trust their own clock
    refresh_token: Secret[str]


# How long this process trusts a confirmation that a session is live (see ConfirmSession).
CONFIRMATION_TTL = timedelta(seconds=1)
_MAX_REMEMBERED = 10_000


@final
class Sessions:
    def __init__(self, tokens: AccessTokenIssuer, clock: Clock, policy: SessionPolicy) -> None:
        self._tokens, self._clock, self.policy = tokens, clock, policy
        # session id -> (user id, role, trusted until); ended here, forgotten here at once.
        self._confirmed: dict[UUID, tuple[UserId, Role, datetime]] = {}

    def remembered_role(self, actor: Actor) -> Role | None:
        entry = self._confirmed.get(actor.session_id)
        if entry is None or entry[0] != actor.user_id or entry[2] <= self.now():
            return None
        return entry[1]

    def remember(self, actor: Actor, role: Role) -> None:
        if len(self._confirmed) >= _MAX_REMEMBERED:
            self._confirmed.clear()  # bounded; the next requests simply read again
        self._confirmed[actor.session_id] = (actor.user_id, role, self.now() + CONFIRMATION_TTL)

    def forget(self, session_id: UUID) -> None:
        self._confirmed.pop(session_id, None)

    def forget_user(self, user_id: UserId) -> None:
        for session_id, entry in list(self._confirmed.items()):
            if entry[0] == user_id:
                del self._confirmed[session_id]

    def now(self) -> datetime:
        return self._clock.now()

    async def open(
        self, uow: IdentityUnitOfWork, *, tenant_id: TenantId, user_id: UserId, role: Role
    ) -> TokenPair:
        """A new family with its first token, written in ``uow`` (the caller commits)."""
        family = RefreshFamily.start(
            id=new_id(), tenant_id=tenant_id, user_id=user_id, at=self.now(), policy=self.policy
        )
        await uow.sessions.add_family(family)
        return await self.rotate(uow, family, parent=None, role=role)

    async def rotate(
        self, uow: IdentityUnitOfWork, family: RefreshFamily, *, parent: bytes | None, role: Role
    ) -> TokenPair:
        """The next refresh token of ``family`` and an access token for the same session."""
        token = opaque.mint(family.tenant_id, family.user_id)
        await uow.sessions.add_token(
            RefreshTokenRecord(
                digest=token.digest,
                tenant_id=family.tenant_id,
                user_id=family.user_id,
                family_id=family.id,
                parent_digest=parent,
                issued_at=self.now(),
            )
        )
        actor = Actor(
            tenant_id=family.tenant_id, user_id=family.user_id, role=role, session_id=family.id
        )
        access = self._tokens.mint(actor)
        return TokenPair(
            actor=actor,
            access_token=access.token,
            access_expires_at=access.expires_at,
            access_expires_in=max(0, int((access.expires_at - self.now()).total_seconds())),
            refresh_token=Secret(token.value),
        )

    async def end(self, uow: IdentityUnitOfWork, actor: Actor, reason: RevocationReason) -> None:
        """Revoke the actor's own family, if it still exists (idempotent)."""
        self.forget(actor.session_id)
        family = await uow.sessions.get_family(actor.session_id)
        if family is not None:
            await uow.sessions.save_family(family.revoke(self.now(), reason))

    def security_event(
        self, kind: SecurityEventKind, family: RefreshFamily, client: Client
    ) -> SecurityEvent:
        return SecurityEvent(
            id=new_id(),
            tenant_id=family.tenant_id,
            user_id=family.user_id,
            kind=kind,
            family_id=family.id,
            client_address=client.address,
            user_agent=client.user_agent,
            occurred_at=self.now(),
        )

    async def require_active(self, uow: IdentityUnitOfWork, actor: Actor) -> RefreshFamily:
        """The actor's session must still be live: logout, password change, reuse detection
        and removal from the tenant end it before its access token expires."""
        return self.check_live(await uow.sessions.get_family(actor.session_id))

    def check_live(self, family: RefreshFamily | None) -> RefreshFamily:
        if family is None or not family.active(self.now(), self.policy):
            raise SessionEnded()
        return family

    async def revoke_everywhere(
        self,
        uow_for: UowFor,
        user_id: UserId,
        reason: RevocationReason,
        *,
        keep: UUID | None = None,
    ) -> int:
        """Revoke the user's families in every tenant they belong to (one transaction each:
        families live under their tenant's row security)."""
        self.forget_user(user_id)
        async with uow_for(Scope(tenant_id=None, user_id=user_id)) as uow:
            tenants = [m.tenant_id for m in await uow.memberships.of_current_user()]
        revoked = 0
        for tenant_id in tenants:
            scope = Scope(tenant_id=tenant_id, user_id=user_id).despite_pending_deletion()
            async with uow_for(scope) as uow:
                for family in await uow.sessions.open_families():
                    if family.id != keep:
                        await uow.sessions.save_family(family.revoke(self.now(), reason))
                        revoked += 1
                await uow.commit()
        return revoked
